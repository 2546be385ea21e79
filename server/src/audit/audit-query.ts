import type { Db } from '../db/database.ts';
import type { AuditRow } from './audit-chain.ts';

export const AUDIT_ACTOR_KINDS = ['user', 'terminal', 'source', 'system', 'anonymous'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];
export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;

export const AUDIT_PAGE_MAX = 500;
export const AUDIT_PAGE_DEFAULT = 100;

export interface AuditFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
  /** A username (actor_name) or an actor id (user id, terminal id, source id), exact. */
  actor?: string;
  actorKind?: AuditActorKind;
  /** Exact, or every action under a prefix when it ends with '.' (e.g. 'auth.'). */
  action?: string;
  outcome?: (typeof AUDIT_OUTCOMES)[number];
  /** Exact, or a prefix when it ends with '*' (e.g. 'terminal:*'). */
  target?: string;
  /** Cursor: only entries with a smaller seq (the previous page's nextBefore). */
  before?: number;
  /** 1..500, default 100. */
  limit?: number;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: { kind: string; id: string | null; name: string | null };
  action: string;
  outcome: string;
  target: string | null;
  detail: unknown;
  ip: string | null;
  hash: string;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: number | null;
}

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A tampered row may hold anything: show it as stored rather than failing the whole page.
    return { unparsable: text };
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
    action: r.action,
    outcome: r.outcome,
    target: r.target,
    detail: parseDetail(r.detail),
    ip: r.ip,
    hash: r.hash,
  };
}

/** Entries matching the filter, newest first, one page at a time (keyset paging on seq). */
export function queryAudit(db: Db, filter: AuditFilter = {}): AuditPage {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.from !== undefined) {
    where.push('at >= ?');
    args.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('at <= ?');
    args.push(filter.to);
  }
  if (filter.actor !== undefined) {
    where.push('(actor_name = ? OR actor_id = ?)');
    args.push(filter.actor, filter.actor);
  }
  if (filter.actorKind !== undefined) {
    where.push('actor_kind = ?');
    args.push(filter.actorKind);
  }
  if (filter.action !== undefined) {
    if (filter.action.endsWith('.')) {
      // A range on the (action, seq) index: every string starting with 'auth.' sorts in ['auth.', 'auth/').
      where.push('action >= ? AND action < ?');
      args.push(filter.action, `${filter.action.slice(0, -1)}/`);
    } else {
      where.push('action = ?');
      args.push(filter.action);
    }
  }
  if (filter.outcome !== undefined) {
    where.push('outcome = ?');
    args.push(filter.outcome);
  }
  if (filter.target !== undefined) {
    if (filter.target.endsWith('*')) {
      const prefix = filter.target.slice(0, -1);
      if (prefix !== '') {
        // substr counts characters as SQLite does; exact and case-sensitive, unlike LIKE.
        where.push('substr(target, 1, ?) = ?');
        args.push([...prefix].length, prefix);
      }
    } else {
      where.push('target = ?');
      args.push(filter.target);
    }
  }
  if (filter.before !== undefined) {
    where.push('seq < ?');
    args.push(filter.before);
  }
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? AUDIT_PAGE_DEFAULT), 1), AUDIT_PAGE_MAX);
  const sql = `SELECT seq, at, actor_kind, actor_id, actor_name, action, outcome, target, detail, ip, prev_hash, hash
     FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  // One more than asked tells whether an older page exists.
  const rows = db.prepare(sql).all(...args, limit + 1) as AuditRow[];
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { entries: page.map(toEntry), nextBefore: more ? page[page.length - 1]!.seq : null };
}

/** Every action recorded, with how often, for the console's filter list. */
export function auditActions(db: Db): Array<{ action: string; count: number }> {
  return db
    .prepare('SELECT action, COUNT(*) AS count FROM audit_log GROUP BY action ORDER BY action')
    .all() as Array<{ action: string; count: number }>;
}
