import { type NewTerminalEvent, Outcome, type TerminalEvent } from '@dlb/protocol';
import type { JournalContent } from './journal.ts';
import type { PlayItem } from './playback.ts';

export interface Recovery {
  /** Reports to append before anything else happens. */
  events: NewTerminalEvent[];
  /** Waiting items to queue again (their audio is fetched again if needed). */
  resume: PlayItem[];
}

const FINAL: ReadonlySet<number> = new Set([Outcome.played, Outcome.failed, Outcome.cancelled]);

/**
 * What to do with the journal found at start. A play that was running is reported once as failed
 * 'agent-restarted' — unless the outbox already holds its final outcome (the agent died between
 * writing the report and clearing the journal: both happen in one tick, so the report cannot have been
 * acknowledged and compacted away yet). Waiting items resume unless they expired meanwhile — except schedule
 * entries: the target rebuilds those (its ledger knows which were armed), so they are neither resumed nor
 * reported here. Alerts, playing or waiting, are left to the alert keeper: it sounds them again from its own
 * ledger (`alerts.json`), without an 'agent-restarted' report.
 */
export function planRecovery(
  journal: JournalContent,
  pending: readonly TerminalEvent[],
  now: number,
): Recovery {
  const events: NewTerminalEvent[] = [];
  const p = journal.playing;
  if (p && p.item.source !== 'alert') {
    const done = pending.some(
      (e) => e.type === 'outcome' && e.commandId === p.item.commandId && FINAL.has(e.outcome),
    );
    if (!done) {
      events.push({
        type: 'outcome',
        at: now,
        commandId: p.item.commandId,
        broadcastId: p.item.broadcastId,
        outcome: Outcome.failed,
        reason: 'agent-restarted',
        startedAt: p.startedAt,
        endedAt: now,
        ...(p.item.source ? { source: p.item.source } : {}),
      });
    }
  }
  const resume: PlayItem[] = [];
  for (const item of [...journal.queue].sort((a, b) => a.arrival - b.arrival)) {
    if (item.source === 'schedule' || item.source === 'alert') continue;
    if (now > item.expiresAt) {
      events.push({
        type: 'outcome',
        at: now,
        commandId: item.commandId,
        broadcastId: item.broadcastId,
        outcome: Outcome.failed,
        reason: 'expired',
      });
    } else resume.push(item);
  }
  return { events, resume };
}
