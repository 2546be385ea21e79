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
];
