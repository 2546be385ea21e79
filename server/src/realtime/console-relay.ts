import type { AuditLog } from '../audit/audit-log.ts';
import type { Db } from '../db/database.ts';
import type { RealtimeBus } from './realtime-bus.ts';

/**
 * Feeds the consoles from the audit trail, through which every security-relevant change passes: each entry
 * (for auditors), account changes (open sockets are re-checked at once) and content changes (with the
 * item's scope, so each console hears only what it may read). Returns the unsubscribe.
 */
export function relayAuditToConsole(deps: {
  audit: AuditLog;
  db: Db;
  bus: RealtimeBus;
  revalidateSockets: () => void;
}): () => void {
  const { audit, db, bus } = deps;
  const contentRow = db.prepare('SELECT id, scope_code, state FROM content_items WHERE id = ?');
  return audit.onAppend((row) => {
    bus.emit({
      type: 'audit:appended',
      seq: row.seq,
      action: row.action,
      outcome: row.outcome,
      actorName: row.actor_name,
      target: row.target,
      at: row.at,
    });
    if (row.action.startsWith('user.') || row.action.startsWith('auth.')) deps.revalidateSockets();
    if (row.outcome === 'ok' && row.action.startsWith('content.') && row.target?.startsWith('content:')) {
      const c = contentRow.get(row.target.slice('content:'.length)) as
        | { id: string; scope_code: string; state: string }
        | undefined;
      if (c)
        bus.emit({
          type: 'content:changed',
          contentId: c.id,
          scopeCode: c.scope_code,
          state: c.state,
          at: row.at,
        });
    }
  });
}
