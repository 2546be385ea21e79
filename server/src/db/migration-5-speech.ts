/** Migration 5: spoken-language versions of content items, the county pronunciation lexicon, version order per area. */
export const MIGRATION_5_SPEECH = `
CREATE TABLE lexicon_entries (
  term TEXT PRIMARY KEY,
  pinyin TEXT NOT NULL,
  respell TEXT,
  note TEXT,
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id)
);

CREATE TABLE content_versions (
  id TEXT PRIMARY KEY,
  content_id TEXT NOT NULL REFERENCES content_items(id) ON DELETE CASCADE,
  language TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('tts','recording')),
  voice TEXT,
  engine TEXT,
  fallback_from TEXT,
  text TEXT,
  media_sha256 TEXT NOT NULL REFERENCES media(sha256),
  duration_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id),
  UNIQUE (content_id, language)
);
CREATE INDEX content_versions_item ON content_versions(content_id);

CREATE TABLE area_version_order (
  code TEXT PRIMARY KEY REFERENCES areas(code),
  languages TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id)
);

ALTER TABLE content_items ADD COLUMN render TEXT;
`;
