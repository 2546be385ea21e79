import type { AlertLevel } from '@dlb/protocol';
import type { Db } from '../db/database.ts';
import type { AlertArea } from './alert-model.ts';

export const ALERT_STATES = ['pending', 'active', 'cancelled', 'rejected'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertRecord {
  id: string;
  revision: number;
  state: AlertState;
  drill: boolean;
  level: AlertLevel;
  eventCode: string;
  eventName: string | null;
  issuer: string;
  language: string;
  title: string;
  text: string;
  area: AlertArea;
  mediaSha256: string;
  repeat: number;
  intervalMs: number;
  volume: number;
  startsAt: number;
  expiresAt: number;
  /** 'api', or 'cap:<source id>' for a department feed. */
  source: string;
  capSender: string | null;
  capIdentifier: string | null;
  createdBy: number | null;
  createdAt: number;
  updatedAt: number;
  confirmedBy: number | null;
  confirmedAt: number | null;
  endedBy: number | null;
  endedAt: number | null;
  endReason: string | null;
}

interface AlertRow {
  id: string;
  revision: number;
  state: AlertState;
  drill: number;
  level: AlertLevel;
  event_code: string;
  event_name: string | null;
  issuer: string;
  language: string;
  title: string;
  text: string;
  area: string;
  media_sha256: string;
  repeat: number;
  interval_ms: number;
  volume: number;
  starts_at: number;
  expires_at: number;
  source: string;
  cap_sender: string | null;
  cap_identifier: string | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  confirmed_by: number | null;
  confirmed_at: number | null;
  ended_by: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

const fromRow = (r: AlertRow): AlertRecord => ({
  id: r.id,
  revision: r.revision,
  state: r.state,
  drill: r.drill === 1,
  level: r.level,
  eventCode: r.event_code,
  eventName: r.event_name,
  issuer: r.issuer,
  language: r.language,
  title: r.title,
  text: r.text,
  // Alerts stored before groups existed have no `groups`.
  area: { groups: [], ...(JSON.parse(r.area) as Partial<AlertArea>) } as AlertArea,
  mediaSha256: r.media_sha256,
  repeat: r.repeat,
  intervalMs: r.interval_ms,
  volume: r.volume,
  startsAt: r.starts_at,
  expiresAt: r.expires_at,
  source: r.source,
  capSender: r.cap_sender,
  capIdentifier: r.cap_identifier,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  confirmedBy: r.confirmed_by,
  confirmedAt: r.confirmed_at,
  endedBy: r.ended_by,
  endedAt: r.ended_at,
  endReason: r.end_reason,
});

/** One terminal's part in an alert, with what the centre knows of the terminal itself. */
export interface AlertTargetRow {
  terminalId: string;
  villageCode: string;
  name: string;
  online: boolean;
  status: number;
  revision: number;
  outcome: number;
  phase: string | null;
  reason: string | null;
  attentionAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

/** Alerts and their per-terminal outcomes in SQLite. */
export class AlertStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(a: AlertRecord): void {
    this.db
      .prepare(
        `INSERT INTO alerts (id, revision, state, drill, level, event_code, event_name, issuer, language, title, text,
           area, media_sha256, repeat, interval_ms, volume, starts_at, expires_at, source, cap_sender, cap_identifier,
           created_by, created_at, updated_at, confirmed_by, confirmed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.id,
        a.revision,
        a.state,
        a.drill ? 1 : 0,
        a.level,
        a.eventCode,
        a.eventName,
        a.issuer,
        a.language,
        a.title,
        a.text,
        JSON.stringify(a.area),
        a.mediaSha256,
        a.repeat,
        a.intervalMs,
        a.volume,
        a.startsAt,
        a.expiresAt,
        a.source,
        a.capSender,
        a.capIdentifier,
        a.createdBy,
        a.createdAt,
        a.updatedAt,
        a.confirmedBy,
        a.confirmedAt,
      );
  }

  /** A new revision's content (same id): everything an update may change. */
  revise(a: AlertRecord): void {
    this.db
      .prepare(
        `UPDATE alerts SET revision = ?, level = ?, event_code = ?, event_name = ?, issuer = ?, language = ?,
           title = ?, text = ?, area = ?, media_sha256 = ?, repeat = ?, interval_ms = ?, volume = ?, starts_at = ?,
           expires_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(
        a.revision,
        a.level,
        a.eventCode,
        a.eventName,
        a.issuer,
        a.language,
        a.title,
        a.text,
        JSON.stringify(a.area),
        a.mediaSha256,
        a.repeat,
        a.intervalMs,
        a.volume,
        a.startsAt,
        a.expiresAt,
        a.updatedAt,
        a.id,
      );
  }

  setState(
    id: string,
    state: AlertState,
    change: { at: number; by: number | null; reason?: string; confirmed?: boolean },
  ): void {
    if (change.confirmed) {
      this.db
        .prepare(
          'UPDATE alerts SET state = ?, confirmed_by = ?, confirmed_at = ?, updated_at = ? WHERE id = ?',
        )
        .run(state, change.by, change.at, change.at, id);
    } else {
      this.db
        .prepare(
          'UPDATE alerts SET state = ?, ended_by = ?, ended_at = ?, end_reason = ?, updated_at = ? WHERE id = ?',
        )
        .run(state, change.by, change.at, change.reason ?? null, change.at, id);
    }
  }

  get(id: string): AlertRecord | null {
    const r = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return r ? fromRow(r) : null;
  }

  /** The alert a CAP message (by sender and identifier) raised or updated, if any. */
  byCap(sender: string, identifier: string): AlertRecord | null {
    const r = this.db
      .prepare(
        'SELECT a.* FROM cap_messages m JOIN alerts a ON a.id = m.alert_id WHERE m.sender = ? AND m.identifier = ?',
      )
      .get(sender, identifier) as AlertRow | undefined;
    return r ? fromRow(r) : null;
  }

  capMessageSeen(sender: string, identifier: string): boolean {
    return !!this.db
      .prepare('SELECT 1 FROM cap_messages WHERE sender = ? AND identifier = ?')
      .get(sender, identifier);
  }

  linkCapMessage(sender: string, identifier: string, alertId: string): void {
    this.db
      .prepare('UPDATE cap_messages SET alert_id = ? WHERE sender = ? AND identifier = ?')
      .run(alertId, sender, identifier);
  }

  forgetCapMessage(sender: string, identifier: string): void {
    this.db.prepare('DELETE FROM cap_messages WHERE sender = ? AND identifier = ?').run(sender, identifier);
  }

  recordCapMessage(m: {
    sender: string;
    identifier: string;
    sourceId: string;
    msgType: string;
    alertId: string | null;
    at: number;
  }): void {
    this.db
      .prepare(
        'INSERT INTO cap_messages (sender, identifier, source_id, msg_type, alert_id, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(m.sender, m.identifier, m.sourceId, m.msgType, m.alertId, m.at);
  }

  list(limit: number, before?: number): AlertRecord[] {
    const rows = (
      before === undefined
        ? this.db.prepare('SELECT * FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM alerts WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?')
            .all(before, limit)
    ) as AlertRow[];
    return rows.map(fromRow);
  }

  /** Active (confirmed, not ended) alerts that have not expired by `at`. */
  inForce(at: number): AlertRecord[] {
    return (
      this.db.prepare(`SELECT * FROM alerts WHERE state = 'active' AND expires_at > ?`).all(at) as AlertRow[]
    ).map(fromRow);
  }

  /** Records who is meant to sound a revision; terminals already listed keep their reports until they send new. */
  setTargets(alertId: string, terminalIds: readonly string[], at: number): void {
    const ins = this.db.prepare(
      `INSERT INTO alert_targets (alert_id, terminal_id, revision, outcome, updated_at) VALUES (?, ?, 0, 0, ?)
       ON CONFLICT(alert_id, terminal_id) DO NOTHING`,
    );
    // One transaction: 5000 autocommits took ~5 s and held the HTTP answer (and every report) behind them.
    this.db.transaction(() => {
      for (const tid of terminalIds) ins.run(alertId, tid, at);
    })();
  }

  targets(alertId: string): AlertTargetRow[] {
    return this.db
      .prepare(
        `SELECT a.terminal_id AS terminalId, t.village_code AS villageCode, t.name, t.online, t.status,
           a.revision, a.outcome, a.phase, a.reason, a.attention_at AS attentionAt, a.started_at AS startedAt,
           a.ended_at AS endedAt
         FROM alert_targets a JOIN terminals t ON t.id = a.terminal_id WHERE a.alert_id = ? ORDER BY a.terminal_id`,
      )
      .all(alertId)
      .map((r) => {
        const row = r as Omit<AlertTargetRow, 'online'> & { online: number };
        return { ...row, online: row.online === 1 };
      });
  }
}
