/** Migration 4: emergency alerts, their per-terminal outcomes, CAP sources, drill terminals and coordinates. */
export const MIGRATION_4_EMERGENCY = `
ALTER TABLE terminals ADD COLUMN drill_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN lat REAL;
ALTER TABLE terminals ADD COLUMN lon REAL;

CREATE TABLE cap_sources (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  allowed_codes TEXT NOT NULL,
  policy TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id)
);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL DEFAULT 1,
  state TEXT NOT NULL CHECK (state IN ('pending','active','cancelled','rejected')),
  drill INTEGER NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('red','orange','yellow','blue')),
  event_code TEXT NOT NULL,
  event_name TEXT,
  issuer TEXT NOT NULL,
  language TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  area TEXT NOT NULL,
  media_sha256 TEXT NOT NULL REFERENCES media(sha256),
  repeat INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  volume INTEGER NOT NULL,
  starts_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  cap_sender TEXT,
  cap_identifier TEXT,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  confirmed_by INTEGER REFERENCES users(id),
  confirmed_at INTEGER,
  ended_by INTEGER REFERENCES users(id),
  ended_at INTEGER,
  end_reason TEXT
);
CREATE INDEX alerts_created ON alerts(created_at);

-- Every CAP message taken from a department feed, by (sender, identifier): a replayed message is refused, and an
-- update or cancel finds the alert its references name.
CREATE TABLE cap_messages (
  sender TEXT NOT NULL,
  identifier TEXT NOT NULL,
  source_id TEXT NOT NULL REFERENCES cap_sources(id),
  msg_type TEXT NOT NULL,
  alert_id TEXT REFERENCES alerts(id),
  received_at INTEGER NOT NULL,
  PRIMARY KEY (sender, identifier)
);

CREATE TABLE alert_targets (
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  revision INTEGER NOT NULL DEFAULT 0,
  outcome INTEGER NOT NULL DEFAULT 0,
  phase TEXT,
  reason TEXT,
  attention_at INTEGER,
  started_at INTEGER,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (alert_id, terminal_id)
);
CREATE INDEX alert_targets_terminal ON alert_targets(terminal_id);
`;
