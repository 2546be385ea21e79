import type { Db } from '../db/database.ts';
import { notFound } from '../errors.ts';

export interface MediaRecord {
  sha256: string;
  bytes: number;
  durationMs: number;
  mime: string;
  originalName: string;
  createdAt: number;
}

interface MediaRow {
  sha256: string;
  bytes: number;
  duration_ms: number;
  mime: string;
  original_name: string;
  created_at: number;
}
const toRecord = (r: MediaRow): MediaRecord => ({
  sha256: r.sha256,
  bytes: r.bytes,
  durationMs: r.duration_ms,
  mime: r.mime,
  originalName: r.original_name,
  createdAt: r.created_at,
});

/** Rows describing audio in the content-addressed store (the files themselves live in MediaStore). */
export class MediaRecords {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  upsert(input: Omit<MediaRecord, 'createdAt'>, userId: number | null): MediaRecord {
    this.db
      .prepare(
        `INSERT INTO media (sha256, bytes, duration_ms, mime, original_name, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING`,
      )
      .run(input.sha256, input.bytes, input.durationMs, input.mime, input.originalName, userId, this.now());
    if (userId !== null)
      this.db
        .prepare('INSERT OR IGNORE INTO media_uploaders (sha256, user_id) VALUES (?, ?)')
        .run(input.sha256, userId);
    return this.require(input.sha256);
  }

  get(sha256: string): MediaRecord | null {
    const r = this.db.prepare('SELECT * FROM media WHERE sha256 = ?').get(sha256) as MediaRow | undefined;
    return r ? toRecord(r) : null;
  }

  require(sha256: string): MediaRecord {
    const m = this.get(sha256);
    if (!m) throw notFound('unknown_media', `音频 ${sha256.slice(0, 12)}… 不存在`);
    return m;
  }

  uploadedBy(sha256: string, userId: number): boolean {
    return !!this.db
      .prepare('SELECT 1 FROM media_uploaders WHERE sha256 = ? AND user_id = ?')
      .get(sha256, userId);
  }

  list(limit = 200): MediaRecord[] {
    return (
      this.db.prepare('SELECT * FROM media ORDER BY created_at DESC LIMIT ?').all(limit) as MediaRow[]
    ).map(toRecord);
  }
}
