import type {
  Envelope,
  OutcomeEvent,
  RejectedEvent,
  SignatureCheck,
  StateMessage,
  TargetEnvelope,
  TerminalEvent,
} from '@dlb/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Clock } from './clock.ts';
import type { Player } from './player.ts';
import type { Logger, Timers } from './runtime.ts';
import type { ScheduleSettings } from './target-keeper.ts';

export interface AgentDeps {
  /** Local clock (default Date.now). */
  now?: () => number;
  random?: () => number;
  timers?: Timers;
  fetch?: typeof fetch;
  /** Default: from config.player. */
  player?: Player;
  log?: Logger;
  /** A clock shared by many agents (the simulator); the agent then neither starts nor stops it. */
  clock?: Clock;
  /**
   * Clock sync settings when the agent keeps its own clock. At start the offset saved in `clock.json` is
   * used at once; only without one does start wait (at most firstSyncTimeoutMs, default 6 s) for a sync.
   */
  clockSync?: { samples?: number; intervalMs?: number; firstSyncTimeoutMs?: number; timeoutMs?: number };
  mqttConnect?: (url: string, opts: IClientOptions) => MqttClient;
  version?: string;
  media?: { retries?: number; retryDelayMs?: number };
  /** Re-send unacknowledged events after this long without an acknowledgement. */
  resendAfterMs?: number;
  /** Volume before any volume command or target (default 80). */
  defaultVolume?: number;
  /** How the signed target's entries are armed and their audio fetched. */
  schedule?: ScheduleSettings;
  /**
   * The reports of a start (outbox, journal, state) follow the audio after this long (default 0: as soon as
   * the timers due now have run). The simulator delays them so one agent's fsyncs do not hold up the start
   * of the next in the same process; on a board 0 is right.
   */
  reportDelayMs?: number;
  /** The SM2 check for commands (default sm2Verify); see the simulator's memoisedSignatureCheck. */
  signatureCheck?: SignatureCheck;
}

export type AgentEvents = {
  /** Every event written to the outbox. */
  event: [TerminalEvent];
  outcome: [OutcomeEvent];
  played: [OutcomeEvent];
  rejected: [RejectedEvent];
  /** A command passed every check and is being acted on. */
  command: [Envelope];
  /** A newer signed target was accepted and saved. */
  target: [TargetEnvelope];
  /** The clock offset was measured again (own clock only). */
  clock: [offsetMs: number];
  acked: [upTo: number];
  state: [StateMessage];
  connected: [];
  disconnected: [];
};

/** The members of `obj` named in `keys` that are defined. */
export function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
