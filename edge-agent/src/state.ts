import { readFileSync } from 'node:fs';
import { type StateMessage, TerminalStatus, type TerminalStatusCode } from '@dlb/protocol';

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
  playing: { broadcastId: string; commandId: string; priority: number; startedAt: number } | null;
  cache: { bytes: number; files: number; limitBytes: number };
  clockOffsetMs: number;
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
    playing: s.playing,
    cache: s.cache,
    clockOffsetMs: s.clockOffsetMs,
    outboxPending: s.outboxPending,
  };
}

/** What the Last Will and a graceful stop publish. */
export function offlineState(at: number): StateMessage {
  return { status: TerminalStatus.off, online: false, at };
}
