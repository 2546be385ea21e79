import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';

export interface LexiconRow {
  term: string;
  pinyin: string;
  respell: string | null;
  note: string | null;
  updatedAt: number;
}

/** The county pronunciation lexicon (place names, polyphones), applied by every speech engine. */
export class LexiconStore {
  constructor(private readonly db: Db) {}

  list(): LexiconRow[] {
    return (
      this.db
        .prepare('SELECT term, pinyin, respell, note, updated_at FROM lexicon_entries ORDER BY term')
        .all() as Array<{
        term: string;
        pinyin: string;
        respell: string | null;
        note: string | null;
        updated_at: number;
      }>
    ).map((r) => ({
      term: r.term,
      pinyin: r.pinyin,
      respell: r.respell,
      note: r.note,
      updatedAt: r.updated_at,
    }));
  }

  get(term: string): LexiconRow | null {
    return this.list().find((r) => r.term === term) ?? null;
  }

  put(
    e: { term: string; pinyin: string; respell?: string | null; note?: string | null },
    by: number | null,
    at: number,
  ) {
    this.db
      .prepare(
        `INSERT INTO lexicon_entries (term, pinyin, respell, note, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(term) DO UPDATE SET pinyin = excluded.pinyin, respell = excluded.respell, note = excluded.note,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(e.term, e.pinyin, e.respell ?? null, e.note ?? null, at, by);
  }

  remove(term: string): boolean {
    return this.db.prepare('DELETE FROM lexicon_entries WHERE term = ?').run(term).changes > 0;
  }

  /** Changes whenever an entry does: part of the speech cache key, so an edited reading is synthesised anew. */
  version(): string {
    const rows = this.list().map((r) => [r.term, r.pinyin, r.respell]);
    return createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
  }
}
