import type { Db } from '../db/database.ts';
import type { ContentState } from './review-rules.ts';

/** One row of content_items, as stored. */
export interface ContentRow {
  id: string;
  title: string;
  scope_code: string;
  category: string | null;
  script: string | null;
  media_sha256: string | null;
  state: ContentState;
  revision: number;
  quality: string | null;
  created_by: number | null;
  created_at: number;
  updated_by: number | null;
  updated_at: number;
  submitted_by: number | null;
  submitted_at: number | null;
  reviewed_by: number | null;
  reviewed_at: number | null;
  reject_reason: string | null;
  released_by: number | null;
  released_at: number | null;
}

export interface HistoryRow {
  id: number;
  at: number;
  user_id: number | null;
  user_name: string | null;
  action: string;
  from_state: ContentState | null;
  to_state: ContentState;
  revision: number;
  reason: string | null;
}

export interface HistoryInput {
  contentId: string;
  at: number;
  userId: number | null;
  action: string;
  fromState: ContentState | null;
  toState: ContentState;
  revision: number;
  reason?: string | null;
}

export interface ListQuery {
  /** Scope codes the reader may see; null when county-wide. */
  scopes: string[] | null;
  state?: ContentState;
  scopeCode?: string;
  q?: string;
  limit: number;
  /** Keyset cursor: items after this one in the order (newest change first, then newest row). */
  before?: { updatedAt: number; seq: number };
}

const UPDATABLE = [
  'title',
  'scope_code',
  'category',
  'script',
  'media_sha256',
  'state',
  'revision',
  'quality',
  'updated_by',
  'updated_at',
  'submitted_by',
  'submitted_at',
  'reviewed_by',
  'reviewed_at',
  'reject_reason',
  'released_by',
  'released_at',
] as const;
export type ContentChange = Partial<Pick<ContentRow, (typeof UPDATABLE)[number]>>;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The SQL of content items and their history; no rules here (see review-rules.ts). */
export class ContentStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(id: string): ContentRow | null {
    return (this.db.prepare('SELECT * FROM content_items WHERE id = ?').get(id) as ContentRow) ?? null;
  }

  insert(row: ContentRow): void {
    const cols = Object.keys(row);
    this.db
      .prepare(
        `INSERT INTO content_items (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
      )
      .run(row);
  }

  update(id: string, change: ContentChange): void {
    const cols = Object.keys(change).filter((c) => (UPDATABLE as readonly string[]).includes(c));
    if (cols.length === 0) return;
    this.db
      .prepare(`UPDATE content_items SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`)
      .run({ ...change, id });
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM content_items WHERE id = ?').run(id);
  }

  /** Programme items, recurring items and broadcasts that name the item. */
  references(id: string): number {
    const r = this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM programme_items WHERE content_id = @id)
              + (SELECT COUNT(*) FROM recurring_items WHERE content_id = @id)
              + (SELECT COUNT(*) FROM broadcasts WHERE content_id = @id) AS n`,
      )
      .get({ id }) as { n: number };
    return r.n;
  }

  addHistory(h: HistoryInput): void {
    this.db
      .prepare(
        `INSERT INTO content_history (content_id, at, user_id, action, from_state, to_state, revision, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(h.contentId, h.at, h.userId, h.action, h.fromState, h.toState, h.revision, h.reason ?? null);
  }

  history(id: string): HistoryRow[] {
    return this.db
      .prepare(
        `SELECT h.id, h.at, h.user_id, u.display_name AS user_name, h.action, h.from_state, h.to_state,
                h.revision, h.reason
         FROM content_history h LEFT JOIN users u ON u.id = h.user_id
         WHERE h.content_id = ? ORDER BY h.id`,
      )
      .all(id) as HistoryRow[];
  }

  /** Users who created or edited this revision of the item. */
  editorsOf(id: string, revision: number): number[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT user_id FROM content_history
           WHERE content_id = ? AND revision = ? AND action IN ('create', 'edit') AND user_id IS NOT NULL`,
        )
        .all(id, revision) as Array<{ user_id: number }>
    ).map((r) => r.user_id);
  }

  /** A page of items with their row number (the cursor's tie-breaker). */
  list(q: ListQuery): Array<ContentRow & { seq: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.scopes !== null) {
      if (q.scopes.length === 0) return [];
      where.push(`scope_code IN (${placeholders(q.scopes.length)})`);
      args.push(...q.scopes);
    }
    if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    if (q.scopeCode) {
      where.push('scope_code = ?');
      args.push(q.scopeCode);
    }
    if (q.q) {
      where.push("(title LIKE ? ESCAPE '\\' OR script LIKE ? ESCAPE '\\')");
      const pattern = `%${likeEscape(q.q)}%`;
      args.push(pattern, pattern);
    }
    if (q.before) {
      where.push('(updated_at < ? OR (updated_at = ? AND rowid < ?))');
      args.push(q.before.updatedAt, q.before.updatedAt, q.before.seq);
    }
    const sql = `SELECT rowid AS seq, * FROM content_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY updated_at DESC, rowid DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, q.limit) as Array<ContentRow & { seq: number }>;
  }

  /** Submitted items in these scopes (null: all) that `userId` did not write, oldest submission first. */
  reviewQueue(scopes: string[] | null, userId: number, limit: number): ContentRow[] {
    if (scopes !== null && scopes.length === 0) return [];
    const scopeSql = scopes === null ? '' : `AND c.scope_code IN (${placeholders(scopes.length)})`;
    return this.db
      .prepare(
        `SELECT c.* FROM content_items c
         WHERE c.state = 'submitted' ${scopeSql}
           AND c.created_by IS NOT ? AND c.submitted_by IS NOT ?
           AND NOT EXISTS (SELECT 1 FROM content_history h WHERE h.content_id = c.id
                           AND h.revision = c.revision AND h.action IN ('create', 'edit') AND h.user_id = ?)
         ORDER BY c.submitted_at ASC, c.id ASC LIMIT ?`,
      )
      .all(...(scopes ?? []), userId, userId, userId, limit) as ContentRow[];
  }

  /** Display names of users, by id. */
  userNames(ids: Iterable<number | null>): Map<number, string> {
    const wanted = [...new Set([...ids].filter((i): i is number => i !== null))];
    if (wanted.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT id, display_name FROM users WHERE id IN (${placeholders(wanted.length)})`)
      .all(...wanted) as Array<{ id: number; display_name: string }>;
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }
}
