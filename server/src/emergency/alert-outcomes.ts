import type { OutcomeEvent } from '@dlb/protocol';
import { cachedStatement, type Db } from '../db/database.ts';

/** A final outcome (played, failed, cancelled) is never replaced within a revision; a newer revision starts over. */
const RANK: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 3 };

export interface AlertTargetState {
  revision: number;
  outcome: number;
  phase: string | null;
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

/**
 * Stores alert reports (source 'alert') in alert_targets; called inside the ingest transaction. Only a terminal
 * listed for that alert can change its row (the terminal id comes from the topic). Returns whether it changed.
 */
export function recordAlertOutcome(db: Db, tid: string, e: OutcomeEvent, receivedAt: number): boolean {
  const revision = revisionOf(e);
  if (revision === null) return false;
  const row = cachedStatement(
    db,
    'SELECT revision, outcome, phase FROM alert_targets WHERE alert_id = ? AND terminal_id = ?',
  ).get(e.broadcastId, tid) as AlertTargetState | undefined;
  if (!row || !advances(row, e, revision)) return false;
  const fresh = revision > row.revision;
  const attentionAt = e.outcome === 2 && e.phase === 'attention' ? (e.startedAt ?? e.at) : null;
  const startedAt = e.outcome === 2 && e.phase === 'message' ? (e.startedAt ?? e.at) : null;
  cachedStatement(
    db,
    `UPDATE alert_targets SET revision = ?, outcome = ?, phase = ?, reason = ?,
       attention_at = CASE WHEN ? THEN ? ELSE COALESCE(?, attention_at) END,
       started_at = CASE WHEN ? THEN ? ELSE COALESCE(?, started_at) END,
       ended_at = ?, updated_at = ? WHERE alert_id = ? AND terminal_id = ?`,
  ).run(
    revision,
    e.outcome,
    e.phase ?? (fresh ? null : row.phase),
    e.reason ?? null,
    fresh ? 1 : 0,
    attentionAt,
    attentionAt,
    fresh ? 1 : 0,
    startedAt,
    startedAt,
    e.endedAt ?? null,
    receivedAt,
    e.broadcastId,
    tid,
  );
  return true;
}
