import type { OutcomeEvent } from '@dlb/protocol';
import { cachedStatement, type Db } from '../db/database.ts';

/** A final outcome (played, failed, cancelled) is never replaced within a revision; a newer revision starts over. */
const RANK: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 3 };

export interface AlertTargetState {
  revision: number;
  outcome: number;
  phase: string | null;
}

/** A terminal's whole row for one alert, as the reports build it. */
export interface AlertTargetProgress extends AlertTargetState {
  reason: string | null;
  attentionAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

/** The revision an alert report speaks of: its commandId is `alertId@revision`. */
export function revisionOf(e: Pick<OutcomeEvent, 'commandId' | 'broadcastId'>): number | null {
  const at = e.commandId.lastIndexOf('@');
  if (at < 0 || e.commandId.slice(0, at) !== e.broadcastId) return null;
  const n = Number(e.commandId.slice(at + 1));
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Whether a report moves a terminal's alert state forward (pure). */
export function advances(row: AlertTargetState, e: OutcomeEvent, revision: number): boolean {
  if (revision !== row.revision) return revision > row.revision;
  const a = RANK[e.outcome] ?? 0;
  const b = RANK[row.outcome] ?? 0;
  if (a !== b) return a > b;
  // Still sounding: the message starting after the attention tone is news.
  return e.outcome === 2 && e.phase === 'message' && row.phase !== 'message';
}

/** The row after one report, or null when the report does not move it forward (pure). */
export function applyAlertReport(row: AlertTargetProgress, e: OutcomeEvent): AlertTargetProgress | null {
  const revision = revisionOf(e);
  if (revision === null || !advances(row, e, revision)) return null;
  const fresh = revision > row.revision;
  const attentionAt = e.outcome === 2 && e.phase === 'attention' ? (e.startedAt ?? e.at) : null;
  const startedAt = e.outcome === 2 && e.phase === 'message' ? (e.startedAt ?? e.at) : null;
  return {
    revision,
    outcome: e.outcome,
    phase: e.phase ?? (fresh ? null : row.phase),
    reason: e.reason ?? null,
    // A new revision starts its times over; within one, a time once known is kept.
    attentionAt: fresh ? attentionAt : (attentionAt ?? row.attentionAt),
    startedAt: fresh ? startedAt : (startedAt ?? row.startedAt),
    endedAt: e.endedAt ?? null,
  };
}

/**
 * Stores one terminal's alert reports (source 'alert') from one message in alert_targets; called inside the
 * ingest transaction. Each alert's row is read once, the reports are folded over it in order, and it is
 * written once. Only a terminal listed for that alert has a row to change (the terminal id comes from the
 * topic). Returns the reports that moved a row forward, in order.
 */
export function recordAlertReports(
  db: Db,
  tid: string,
  reports: readonly OutcomeEvent[],
  receivedAt: number,
): OutcomeEvent[] {
  const byAlert = new Map<string, OutcomeEvent[]>();
  for (const e of reports) byAlert.set(e.broadcastId, [...(byAlert.get(e.broadcastId) ?? []), e]);
  const moved: OutcomeEvent[] = [];
  for (const [alertId, events] of byAlert) {
    const stored = cachedStatement(
      db,
      `SELECT revision, outcome, phase, reason, attention_at AS attentionAt, started_at AS startedAt,
       ended_at AS endedAt FROM alert_targets WHERE alert_id = ? AND terminal_id = ?`,
    ).get(alertId, tid) as AlertTargetProgress | undefined;
    if (!stored) continue;
    let row = stored;
    for (const e of events) {
      const next = applyAlertReport(row, e);
      if (!next) continue;
      row = next;
      moved.push(e);
    }
    if (row === stored) continue;
    cachedStatement(
      db,
      `UPDATE alert_targets SET revision = ?, outcome = ?, phase = ?, reason = ?, attention_at = ?, started_at = ?,
       ended_at = ?, updated_at = ? WHERE alert_id = ? AND terminal_id = ?`,
    ).run(
      row.revision,
      row.outcome,
      row.phase,
      row.reason,
      row.attentionAt,
      row.startedAt,
      row.endedAt,
      receivedAt,
      alertId,
      tid,
    );
  }
  return moved;
}
