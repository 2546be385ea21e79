import {
  EventsMessageSchema,
  MAX_PAYLOAD_BYTES,
  StateMessageSchema,
  type TerminalEvent,
} from '@dlb/protocol';
import type { Db } from '../db/database.ts';
import type { TerminalService } from '../terminals/terminal-service.ts';

export interface IngestResult {
  stored: number;
  duplicates: number;
  ackedUpTo: number;
}

/** Lifecycle order: a late "waiting" never overwrites "played", and a final outcome is never replaced. */
const OUTCOME_RANK: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 3 };

/**
 * Stores what terminals report. Events are keyed by (terminal, seq), so a re-sent report is stored once;
 * the ack is the highest seq up to which everything is stored, and the terminal drops its outbox to there.
 */
export class EventIngest {
  private readonly listeners: Array<(tid: string, events: TerminalEvent[]) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly terminals: TerminalService,
    private readonly now: () => number = Date.now,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  onEvents(listener: (tid: string, events: TerminalEvent[]) => void): void {
    this.listeners.push(listener);
  }

  private parse(payload: Buffer): unknown {
    if (payload.length > MAX_PAYLOAD_BYTES) return undefined;
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch {
      return undefined;
    }
  }

  /** Returns null when the message is not valid (it is logged and dropped). */
  ingestEvents(tid: string, payload: Buffer): IngestResult | null {
    const parsed = EventsMessageSchema.safeParse(this.parse(payload));
    if (!parsed.success || !this.terminals.get(tid)) {
      this.log(`丢弃终端 ${tid} 的无效事件消息`);
      return null;
    }
    const receivedAt = this.now();
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO terminal_events (terminal_id, seq, type, at, received_at, command_id, broadcast_id, outcome, reason, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const current = this.db.prepare(
      'SELECT outcome FROM broadcast_targets WHERE broadcast_id = ? AND terminal_id = ?',
    );
    const update = this.db.prepare(
      `UPDATE broadcast_targets SET outcome = ?, reason = ?, started_at = COALESCE(?, started_at),
       ended_at = COALESCE(?, ended_at), updated_at = ? WHERE broadcast_id = ? AND terminal_id = ?`,
    );
    const exists = this.db.prepare('SELECT 1 FROM terminal_events WHERE terminal_id = ? AND seq = ?');
    const fresh: TerminalEvent[] = [];
    const result = this.db.transaction(() => {
      let stored = 0;
      for (const e of parsed.data.events) {
        const isOutcome = e.type === 'outcome';
        const info = insert.run(
          tid,
          e.seq,
          e.type,
          e.at,
          receivedAt,
          e.commandId ?? null,
          isOutcome ? e.broadcastId : null,
          isOutcome ? e.outcome : null,
          e.reason ?? null,
          JSON.stringify(e),
        );
        if (info.changes === 0) continue;
        stored += 1;
        fresh.push(e);
        if (isOutcome) {
          const row = current.get(e.broadcastId, tid) as { outcome: number } | undefined;
          // Only a target of that broadcast can change its outcome; the terminal id comes from the topic.
          if (row && OUTCOME_RANK[e.outcome]! > OUTCOME_RANK[row.outcome]!) {
            update.run(
              e.outcome,
              e.reason ?? null,
              e.startedAt ?? null,
              e.endedAt ?? null,
              receivedAt,
              e.broadcastId,
              tid,
            );
          }
        }
      }
      let acked = (
        this.db.prepare('SELECT acked_seq FROM terminals WHERE id = ?').get(tid) as { acked_seq: number }
      ).acked_seq;
      while (exists.get(tid, acked + 1)) acked += 1;
      this.db
        .prepare('UPDATE terminals SET acked_seq = ?, last_seen = ? WHERE id = ?')
        .run(acked, receivedAt, tid);
      return { stored, duplicates: parsed.data.events.length - stored, ackedUpTo: acked };
    })();
    if (fresh.length > 0) for (const l of this.listeners) l(tid, fresh);
    return result;
  }

  ingestState(tid: string, payload: Buffer): boolean {
    const parsed = StateMessageSchema.safeParse(this.parse(payload));
    if (!parsed.success || !this.terminals.get(tid)) return false;
    this.terminals.recordState(tid, parsed.data, this.now());
    return true;
  }

  eventsOf(tid: string, limit = 200): TerminalEvent[] {
    return (
      this.db
        .prepare('SELECT payload FROM terminal_events WHERE terminal_id = ? ORDER BY seq DESC LIMIT ?')
        .all(tid, limit) as Array<{ payload: string }>
    ).map((r) => JSON.parse(r.payload) as TerminalEvent);
  }
}
