/** Numbered, forward-only. Never edit a released migration: add the next number. */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin','operator','viewer')),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE areas (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('county','township','village')),
  parent_code TEXT REFERENCES areas(code)
);
CREATE INDEX areas_parent ON areas(parent_code);
CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  village_code TEXT NOT NULL REFERENCES areas(code),
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  mqtt_secret_hash TEXT NOT NULL,
  mqtt_mosquitto_hash TEXT NOT NULL,
  media_token_hash TEXT NOT NULL,
  credential_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 2,
  online INTEGER NOT NULL DEFAULT 0,
  last_state TEXT,
  last_seen INTEGER
);
CREATE INDEX terminals_village ON terminals(village_code);
CREATE TABLE media (
  sha256 TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  mime TEXT NOT NULL,
  original_name TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE broadcasts (
  id TEXT PRIMARY KEY,
  command_id TEXT NOT NULL UNIQUE,
  media_sha256 TEXT NOT NULL REFERENCES media(sha256),
  title TEXT,
  priority INTEGER NOT NULL,
  volume INTEGER,
  target TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  stopped_at INTEGER
);
CREATE TABLE broadcast_targets (
  broadcast_id TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  outcome INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  started_at INTEGER,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (broadcast_id, terminal_id)
);
CREATE INDEX broadcast_targets_terminal ON broadcast_targets(terminal_id);
-- One row per outbox a terminal has had (a re-imaged board starts a new one, counting from seq 1 again).
CREATE TABLE terminal_outboxes (
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  outbox_id TEXT NOT NULL,
  acked_seq INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, outbox_id)
);
CREATE TABLE terminal_events (
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  outbox_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  command_id TEXT,
  broadcast_id TEXT,
  outcome INTEGER,
  reason TEXT,
  payload TEXT NOT NULL,
  PRIMARY KEY (terminal_id, outbox_id, seq)
);
CREATE INDEX terminal_events_broadcast ON terminal_events(broadcast_id);
CREATE INDEX terminal_events_received ON terminal_events(terminal_id, received_at);
`,
  },
  {
    version: 2,
    sql: `
-- A programme: the ordered items of one slot on one local date for one scope (the county or a township),
-- or a one-off programme at a set time (slot_id NULL, start_time set).
CREATE TABLE programmes (
  id TEXT PRIMARY KEY,
  date TEXT NOT NULL,
  slot_id TEXT,
  start_time TEXT,
  scope_code TEXT NOT NULL REFERENCES areas(code),
  title TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((slot_id IS NULL) <> (start_time IS NULL))
);
CREATE UNIQUE INDEX programmes_slot ON programmes(date, slot_id, scope_code) WHERE slot_id IS NOT NULL;
CREATE INDEX programmes_date ON programmes(date);
CREATE TABLE programme_items (
  id TEXT PRIMARY KEY,
  programme_id TEXT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  media_sha256 TEXT NOT NULL REFERENCES media(sha256),
  title TEXT,
  volume INTEGER,
  UNIQUE (programme_id, position)
);
-- An item played in a slot on every matching day (e.g. the morning weather bulletin).
CREATE TABLE recurring_items (
  id TEXT PRIMARY KEY,
  slot_id TEXT NOT NULL,
  scope_code TEXT NOT NULL REFERENCES areas(code),
  media_sha256 TEXT NOT NULL REFERENCES media(sha256),
  title TEXT,
  days TEXT NOT NULL,
  from_date TEXT NOT NULL,
  until_date TEXT,
  placement TEXT NOT NULL CHECK (placement IN ('first','last')),
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
-- The target last published to each terminal; the version increases when the content changes.
CREATE TABLE terminal_targets (
  terminal_id TEXT PRIMARY KEY REFERENCES terminals(id),
  version INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  envelope_id TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  next_slot_key TEXT,
  next_start_at INTEGER
);
-- What each terminal reported for each scheduled entry (one row per terminal and entry).
CREATE TABLE schedule_plays (
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  entry_id TEXT NOT NULL,
  programme_id TEXT NOT NULL,
  outcome INTEGER NOT NULL,
  reason TEXT,
  started_at INTEGER,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, entry_id)
);
CREATE INDEX schedule_plays_programme ON schedule_plays(programme_id);
ALTER TABLE terminals ADD COLUMN volume INTEGER NOT NULL DEFAULT 80;
`,
  },
];
