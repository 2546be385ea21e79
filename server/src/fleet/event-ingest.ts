import {
  type EventsMessage,
  EventsMessageSchema,
  MAX_PAYLOAD_BYTES,
  type OutcomeEvent,
  type StateMessage,
  StateMessageSchema,
  type TerminalEvent,
} from '@dlb/protocol';
import { cachedStatement, type Db } from '../db/database.ts';
import { recordAlertReports } from '../emergency/alert-outcomes.ts';
import type { RealtimeBus, RealtimeEvent } from '../realtime/realtime-bus.ts';
import type { TerminalService } from '../terminals/terminal-service.ts';

export interface IngestResult {
  outbox: string;
  stored: number;
  duplicates: number;
  ackedUpTo: number;
}

/** A report whose shape and sender have been checked. */
interface Decoded {
  tid: string;
  villageCode: string;
  message: EventsMessage;
  receivedAt: number;
}

interface DecodedState {
  tid: string;
  villageCode: string;
  state: StateMessage;
  receivedAt: number;
}

/** What storing a report did, told to listeners and the console once its transaction has committed. */
interface Stored {
  tid: string;
  villageCode: string;
  receivedAt: number;
  result: IngestResult;
  fresh: TerminalEvent[];
  alertChanges: Array<{ alertId: string; outcome: number; phase: string | null }>;
  changed: Array<{ broadcastId: string; outcome: number; reason: string | null }>;
}

/** Lifecycle order: a late "waiting" never overwrites "played", and a final outcome is never replaced. */
const OUTCOME_RANK: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 3 };

/**
 * Stores what terminals report. Events are keyed by (terminal, seq), so a re-sent report is stored once;
 * the ack is the highest seq up to which everything is stored, and the terminal drops its outbox to there.
 */
export class EventIngest {
  private readonly listeners: Array<(tid: string, events: TerminalEvent[]) => void> = [];
  /** Built once: better-sqlite3 wraps a function anew on every `transaction()` call. */
  private readonly storeAll: (batch: ReadonlyArray<Decoded | null>) => Array<Stored | null>;
  private readonly storeOne: (d: Decoded) => Stored;
  private readonly storeStates: (states: readonly DecodedState[]) => DecodedState[];

  constructor(
    private readonly db: Db,
    private readonly terminals: TerminalService,
    private readonly now: () => number = Date.now,
    private readonly log: (msg: string) => void = () => {},
    /** The console's live feed; optional so the ingest works (and is tested) without one. */
    private readonly bus?: RealtimeBus,
  ) {
    this.storeAll = db.transaction((batch: ReadonlyArray<Decoded | null>) =>
      batch.map((d) => (d ? this.store(d) : null)),
    );
    this.storeOne = db.transaction((d: Decoded) => this.store(d));
    this.storeStates = db.transaction((states: readonly DecodedState[]) => states.map(this.storeState));
  }

  private readonly storeState = (d: DecodedState): DecodedState => {
    this.terminals.recordState(d.tid, d.state, d.receivedAt);
    return d;
  };

  /**
   * All items in one transaction; should it fail, each alone, so one bad item never loses the others (its
   * failure is logged and its result is null).
   */
  private allOrEach<T, R>(
    items: readonly T[],
    inOneTransaction: (items: readonly T[]) => R[],
    alone: (item: T) => R,
    failure: (item: T) => string,
  ): Array<R | null> {
    try {
      return inOneTransaction(items);
    } catch {
      return items.map((item) => {
        try {
          return alone(item);
        } catch (e) {
          this.log(`${failure(item)}: ${(e as Error).message}`);
          return null;
        }
      });
    }
  }

  /** A listener's failure must never lose a terminal's report: storing has already happened. */
  private publish(e: RealtimeEvent): void {
    if (!this.bus) return;
    try {
      this.bus.emit(e);
    } catch (err) {
      this.log(`实时推送失败（${e.type}）：${err instanceof Error ? err.message : String(err)}`);
    }
  }

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
    return this.ingestBatch([{ tid, payload }])[0] ?? null;
  }

  /**
   * Many reports in one transaction (when every speaker reports at once, one commit per report was the centre's
   * bottleneck). Should one report break the transaction, each is stored again on its own, so one bad report
   * never loses the others; the console hears of them only after the commit.
   */
  ingestBatch(items: ReadonlyArray<{ tid: string; payload: Buffer }>): Array<IngestResult | null> {
    const decoded = items.map((i) => this.decode(i.tid, i.payload));
    const stored = this.allOrEach(
      decoded,
      this.storeAll,
      (d) => (d ? this.storeOne(d) : null),
      (d) => (d ? `保存终端 ${d.tid} 的事件失败` : ''),
    );
    for (const s of stored) if (s) this.announce(s);
    return stored.map((s) => s?.result ?? null);
  }

  /** A report's shape and sender, checked before any write. */
  private decode(tid: string, payload: Buffer): Decoded | null {
    const parsed = EventsMessageSchema.safeParse(this.parse(payload));
    const villageCode = parsed.success ? this.terminals.villageOf(tid) : null;
    if (!parsed.success || villageCode === null) {
      this.log(`丢弃终端 ${tid} 的无效事件消息`);
      return null;
    }
    return { tid, villageCode, message: parsed.data, receivedAt: this.now() };
  }

  /** Stores one decoded report; the caller holds the transaction. */
  private store(d: Decoded): Stored {
    const { tid, receivedAt } = d;
    const { outbox, events } = d.message;
    const db = this.db;
    const fresh: TerminalEvent[] = [];
    const alertReports: OutcomeEvent[] = [];
    const changed: Stored['changed'] = [];
    const known = cachedStatement(
      db,
      'SELECT acked_seq FROM terminal_outboxes WHERE terminal_id = ? AND outbox_id = ?',
    ).get(tid, outbox) as { acked_seq: number } | undefined;
    // A terminal always sends from its oldest unacknowledged event, so the first message of a new outbox
    // starts where its acknowledgements begin.
    let acked = known?.acked_seq ?? Math.min(...events.map((e) => e.seq)) - 1;
    if (!known) {
      cachedStatement(
        db,
        'INSERT INTO terminal_outboxes (terminal_id, outbox_id, acked_seq, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)',
      ).run(tid, outbox, acked, receivedAt, receivedAt);
    }
    const insert = cachedStatement(
      db,
      `INSERT OR IGNORE INTO terminal_events
       (terminal_id, outbox_id, seq, type, at, received_at, command_id, broadcast_id, outcome, reason, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of events) {
      const isOutcome = e.type === 'outcome';
      const info = insert.run(
        tid,
        outbox,
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
      fresh.push(e);
      if (!isOutcome) continue;
      if (e.source === 'alert') alertReports.push(e);
      else if (e.source === 'schedule') this.recordPlay(tid, e, receivedAt);
      else if (this.recordBroadcast(tid, e, receivedAt))
        changed.push({ broadcastId: e.broadcastId, outcome: e.outcome, reason: e.reason ?? null });
    }
    const alertChanges = recordAlertReports(db, tid, alertReports, receivedAt).map((e) => ({
      alertId: e.broadcastId,
      outcome: e.outcome,
      phase: e.phase ?? null,
    }));
    // Every seq in this message is stored now (new or before); past them, only an earlier message can fill in.
    const inMessage = new Set(events.map((e) => e.seq));
    while (inMessage.has(acked + 1)) acked += 1;
    const exists = cachedStatement(
      db,
      'SELECT 1 FROM terminal_events WHERE terminal_id = ? AND outbox_id = ? AND seq = ?',
    );
    while (exists.get(tid, outbox, acked + 1)) acked += 1;
    cachedStatement(
      db,
      'UPDATE terminal_outboxes SET acked_seq = ?, last_seen = ? WHERE terminal_id = ? AND outbox_id = ?',
    ).run(acked, receivedAt, tid, outbox);
    cachedStatement(db, 'UPDATE terminals SET last_seen = ? WHERE id = ?').run(receivedAt, tid);
    return {
      tid,
      villageCode: d.villageCode,
      receivedAt,
      fresh,
      alertChanges,
      changed,
      result: { outbox, stored: fresh.length, duplicates: events.length - fresh.length, ackedUpTo: acked },
    };
  }

  /** A scheduled entry's outcome: commandId is the entry id, broadcastId its programme. */
  private recordPlay(tid: string, e: OutcomeEvent, receivedAt: number): void {
    const row = cachedStatement(
      this.db,
      'SELECT outcome FROM schedule_plays WHERE terminal_id = ? AND entry_id = ?',
    ).get(tid, e.commandId) as { outcome: number } | undefined;
    if (row && OUTCOME_RANK[e.outcome]! <= OUTCOME_RANK[row.outcome]!) return;
    cachedStatement(
      this.db,
      `INSERT INTO schedule_plays (terminal_id, entry_id, programme_id, outcome, reason, started_at, ended_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(terminal_id, entry_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
       started_at = COALESCE(excluded.started_at, started_at), ended_at = COALESCE(excluded.ended_at, ended_at),
       updated_at = excluded.updated_at`,
    ).run(
      tid,
      e.commandId,
      e.broadcastId,
      e.outcome,
      e.reason ?? null,
      e.startedAt ?? null,
      e.endedAt ?? null,
      receivedAt,
    );
  }

  /** A live broadcast's outcome; only a target of that broadcast can change it. Returns whether it changed. */
  private recordBroadcast(tid: string, e: OutcomeEvent, receivedAt: number): boolean {
    const row = cachedStatement(
      this.db,
      'SELECT outcome FROM broadcast_targets WHERE broadcast_id = ? AND terminal_id = ?',
    ).get(e.broadcastId, tid) as { outcome: number } | undefined;
    if (!row || OUTCOME_RANK[e.outcome]! <= OUTCOME_RANK[row.outcome]!) return false;
    cachedStatement(
      this.db,
      `UPDATE broadcast_targets SET outcome = ?, reason = ?, started_at = COALESCE(?, started_at),
       ended_at = COALESCE(?, ended_at), updated_at = ? WHERE broadcast_id = ? AND terminal_id = ?`,
    ).run(
      e.outcome,
      e.reason ?? null,
      e.startedAt ?? null,
      e.endedAt ?? null,
      receivedAt,
      e.broadcastId,
      tid,
    );
    return true;
  }

  private announce(s: Stored): void {
    const { tid, villageCode, receivedAt } = s;
    if (s.fresh.length > 0) for (const l of this.listeners) l(tid, s.fresh);
    for (const c of s.alertChanges) {
      this.publish({
        type: 'alert:outcome',
        alertId: c.alertId,
        terminalId: tid,
        villageCode,
        outcome: c.outcome,
        phase: c.phase,
        at: receivedAt,
      });
    }
    for (const c of s.changed) {
      this.publish({
        type: 'broadcast:outcome',
        broadcastId: c.broadcastId,
        terminalId: tid,
        villageCode,
        outcome: c.outcome,
        reason: c.reason,
        at: receivedAt,
      });
    }
  }

  ingestState(tid: string, payload: Buffer): boolean {
    return this.ingestStates([{ tid, payload }])[0] ?? false;
  }

  /**
   * Many state messages in one transaction (every agent reports its new state when an alert starts, and one
   * autocommit each held the reports behind them). Within a batch only a terminal's last state is stored and
   * shown; a malformed one is dropped (false) without touching the rest.
   */
  ingestStates(items: ReadonlyArray<{ tid: string; payload: Buffer }>): boolean[] {
    const decoded = items.map((i) => this.decodeState(i.tid, i.payload));
    const lastOf = new Map<string, DecodedState>();
    for (const d of decoded) if (d) lastOf.set(d.tid, d);
    const latest = [...lastOf.values()];
    const stored = this.allOrEach(
      latest,
      this.storeStates,
      this.storeState,
      (d) => `保存终端 ${d.tid} 的状态失败`,
    );
    // Stamped with the centre's clock: a terminal's own clock may be off.
    for (const s of stored) {
      if (!s) continue;
      const { tid, villageCode, state, receivedAt } = s;
      this.publish({
        type: 'terminal:state',
        terminalId: tid,
        villageCode,
        online: state.online,
        status: state.status,
        volume: state.volume ?? null,
        playing: state.playing ?? null,
        at: receivedAt,
      });
    }
    return decoded.map((d) => d !== null);
  }

  private decodeState(tid: string, payload: Buffer): DecodedState | null {
    const parsed = StateMessageSchema.safeParse(this.parse(payload));
    const villageCode = parsed.success ? this.terminals.villageOf(tid) : null;
    if (!parsed.success || villageCode === null) return null;
    return { tid, villageCode, state: parsed.data, receivedAt: this.now() };
  }

  eventsOf(tid: string, limit = 200): TerminalEvent[] {
    return (
      cachedStatement(
        this.db,
        'SELECT payload FROM terminal_events WHERE terminal_id = ? ORDER BY received_at DESC, seq DESC LIMIT ?',
      ).all(tid, limit) as Array<{ payload: string }>
    ).map((r) => JSON.parse(r.payload) as TerminalEvent);
  }
}
