import { readFileSync } from 'node:fs';
import { type StateMessage, TerminalStatus, type TerminalStatusCode } from '@dlb/protocol';
import type { PlayItem } from './playback.ts';
import type { TargetSummary } from './schedule-plan.ts';

/** The agent's version, from edge-agent/package.json. */
export function agentVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return String(pkg.version ?? '0.0.0').slice(0, 40);
  } catch {
    return '0.0.0';
  }
}

export interface StateInput {
  at: number;
  fault: string | null;
  version: string;
  volume: number;
  playing: { item: PlayItem; startedAt: number } | null;
  cache: { bytes: number; files: number; limitBytes: number };
  clockOffsetMs: number;
  /** When the offset was last measured (corrected clock), null if never. */
  clockSyncedAt: number | null;
  /** The held target and its next slot, null when none is held. */
  target: TargetSummary | null;
  outboxPending: number;
}

/** Fault beats broadcasting beats normal. */
export function statusOf(fault: string | null, playing: boolean): TerminalStatusCode {
  if (fault) return TerminalStatus.fault;
  return playing ? TerminalStatus.broadcasting : TerminalStatus.normal;
}

export function buildState(s: StateInput): StateMessage {
  return {
    status: statusOf(s.fault, s.playing !== null),
    online: true,
    at: s.at,
    version: s.version,
    volume: s.volume,
    playing: s.playing
      ? {
          broadcastId: s.playing.item.broadcastId,
          commandId: s.playing.item.commandId,
          priority: s.playing.item.priority,
          startedAt: s.playing.startedAt,
        }
      : null,
    cache: s.cache,
    clockOffsetMs: s.clockOffsetMs,
    ...(s.clockSyncedAt !== null ? { clockSyncedAt: Math.max(0, Math.round(s.clockSyncedAt)) } : {}),
    target: s.target,
    outboxPending: s.outboxPending,
  };
}

/** What the Last Will and a graceful stop publish. */
export function offlineState(at: number): StateMessage {
  return { status: TerminalStatus.off, online: false, at };
}
