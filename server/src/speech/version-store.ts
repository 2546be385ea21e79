import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { DEFAULT_VERSION_ORDER, LANGUAGE_CODES, type Language } from './languages.ts';

export type VersionState = 'draft' | 'approved' | 'rejected';

export interface ContentVersion {
  id: string;
  contentId: string;
  language: Language;
  source: 'tts' | 'recording';
  voice: string | null;
  /** Which engine made it (TTS), and which voice it replaced when the configured one failed. */
  engine: string | null;
  fallbackFrom: string | null;
  text: string | null;
  mediaSha256: string;
  durationMs: number;
  state: VersionState;
  createdAt: number;
}

interface Row {
  id: string;
  content_id: string;
  language: Language;
  source: 'tts' | 'recording';
  voice: string | null;
  engine: string | null;
  fallback_from: string | null;
  text: string | null;
  media_sha256: string;
  duration_ms: number;
  created_at: number;
  item_state: string;
  reviewed_at: number | null;
}

const view = (r: Row): ContentVersion => ({
  id: r.id,
  contentId: r.content_id,
  language: r.language,
  source: r.source,
  voice: r.voice,
  engine: r.engine,
  fallbackFrom: r.fallback_from,
  text: r.text,
  mediaSha256: r.media_sha256,
  durationMs: r.duration_ms,
  state: stateOf(r),
  createdAt: r.created_at,
});

/**
 * A version's review is the item's: a reviewer approves or rejects the item with every version it holds then.
 * Changing a version re-renders the item's audio, which sends the item back to draft.
 */
function stateOf(r: Row): VersionState {
  if (r.reviewed_at === null || r.created_at > r.reviewed_at) return 'draft';
  if (r.item_state === 'approved' || r.item_state === 'released') return 'approved';
  if (r.item_state === 'rejected') return 'rejected';
  return 'draft';
}

export type NewVersion = Omit<ContentVersion, 'id' | 'state' | 'createdAt'>;

/** An item's spoken versions (one per language) and each area's order of versions. */
export class VersionStore {
  constructor(private readonly db: Db) {}

  of(contentId: string): ContentVersion[] {
    return (
      this.db
        .prepare(
          `SELECT v.*, c.state AS item_state, c.reviewed_at FROM content_versions v JOIN content_items c ON c.id = v.content_id
           WHERE v.content_id = ? ORDER BY v.rowid`,
        )
        .all(contentId) as Row[]
    ).map(view);
  }

  /** Adds or replaces the item's version in that language; a replaced version's review starts again. */
  put(v: NewVersion, by: number | null, at: number): ContentVersion {
    const id = `v${randomBytes(8).toString('hex')}`;
    this.db
      .prepare(
        `INSERT INTO content_versions (id, content_id, language, source, voice, engine, fallback_from, text, media_sha256,
           duration_ms, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(content_id, language) DO UPDATE SET id = excluded.id, source = excluded.source,
           voice = excluded.voice, engine = excluded.engine, fallback_from = excluded.fallback_from, text = excluded.text,
           media_sha256 = excluded.media_sha256, duration_ms = excluded.duration_ms,
           created_at = excluded.created_at, created_by = excluded.created_by`,
      )
      .run(
        id,
        v.contentId,
        v.language,
        v.source,
        v.voice,
        v.engine,
        v.fallbackFrom,
        v.text,
        v.mediaSha256,
        v.durationMs,
        at,
        by,
      );
    return this.of(v.contentId).find((x) => x.language === v.language)!;
  }

  /** `chain` nearest first (AreaService.chainOf): the area's own order, else the nearest ancestor's, else the default. */
  orderFor(chain: readonly string[]): Language[] {
    const get = this.db.prepare('SELECT languages FROM area_version_order WHERE code = ?');
    for (const code of chain) {
      const r = get.get(code) as { languages: string } | undefined;
      if (r) return JSON.parse(r.languages) as Language[];
    }
    return [...DEFAULT_VERSION_ORDER];
  }

  ownOrder(code: string): Language[] | null {
    const r = this.db.prepare('SELECT languages FROM area_version_order WHERE code = ?').get(code) as
      | { languages: string }
      | undefined;
    return r ? (JSON.parse(r.languages) as Language[]) : null;
  }

  setOrder(code: string, languages: readonly Language[], by: number | null, at: number): void {
    for (const l of languages) if (!LANGUAGE_CODES.includes(l)) throw new Error(`unknown language ${l}`);
    this.db
      .prepare(
        `INSERT INTO area_version_order (code, languages, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(code) DO UPDATE SET languages = excluded.languages, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run(code, JSON.stringify(languages), at, by);
  }

  /** How the item's current audio was rendered (order, loudness), or null before any render. */
  renderOf<T>(contentId: string): T | null {
    const r = this.db.prepare('SELECT render FROM content_items WHERE id = ?').get(contentId) as
      | { render: string | null }
      | undefined;
    return r?.render ? (JSON.parse(r.render) as T) : null;
  }

  setRender(contentId: string, info: unknown): void {
    this.db.prepare('UPDATE content_items SET render = ? WHERE id = ?').run(JSON.stringify(info), contentId);
  }
}
