import { MIGRATION_4_EMERGENCY } from './migration-4-emergency.ts';
import { MIGRATION_5_SPEECH } from './migration-5-speech.ts';
import { MIGRATION_6_GROUPS } from './migration-6-groups.ts';

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
  {
    version: 3,
    sql: `
-- Roles with a scope: a user holds any number of (role, scope) pairs. scope_code NULL = the whole county.
CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('county_admin','county_operator','county_reviewer','township_operator',
    'township_reviewer','emergency_officer','auditor')),
  scope_code TEXT REFERENCES areas(code)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles(user_id, role, IFNULL(scope_code, ''));
INSERT INTO user_roles (user_id, role, scope_code)
  SELECT id, CASE role WHEN 'admin' THEN 'county_admin' WHEN 'operator' THEN 'county_operator' ELSE 'auditor' END, NULL
  FROM users;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN csrf_hash TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
UPDATE sessions SET last_used_at = created_at;
-- Failed logins by the name typed (existing or not, so a lock-out does not reveal which accounts exist).
CREATE TABLE login_attempts (
  username TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_failure_at INTEGER NOT NULL,
  locked_until INTEGER
);

-- Content items and the four gates: quality (checked at submission), submission, review, release.
CREATE TABLE content_items (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  scope_code TEXT NOT NULL REFERENCES areas(code),
  category TEXT,
  script TEXT,
  media_sha256 TEXT REFERENCES media(sha256),
  state TEXT NOT NULL CHECK (state IN ('draft','submitted','approved','rejected','released')),
  revision INTEGER NOT NULL DEFAULT 1,
  quality TEXT,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id),
  updated_at INTEGER NOT NULL,
  submitted_by INTEGER REFERENCES users(id),
  submitted_at INTEGER,
  reviewed_by INTEGER REFERENCES users(id),
  reviewed_at INTEGER,
  reject_reason TEXT,
  released_by INTEGER REFERENCES users(id),
  released_at INTEGER
);
CREATE INDEX content_items_scope ON content_items(scope_code, state);
CREATE INDEX content_items_state ON content_items(state, updated_at);
-- Every transition of every item, for the review history.
CREATE TABLE content_history (
  id INTEGER PRIMARY KEY,
  content_id TEXT NOT NULL REFERENCES content_items(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id),
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  reason TEXT
);
CREATE INDEX content_history_item ON content_history(content_id, id);

-- Programmes and broadcasts refer to content items. Audio scheduled before review existed becomes
-- released items (it was already on the air), so an upgrade changes nothing that plays.
INSERT INTO content_items (id, title, scope_code, media_sha256, state, created_by, created_at, updated_at,
    reviewed_at, released_at)
  SELECT 'c' || substr(m.sha256, 1, 16), m.original_name,
    (SELECT code FROM areas WHERE level = 'county' ORDER BY code LIMIT 1), m.sha256, 'released', m.created_by,
    m.created_at, m.created_at, m.created_at, m.created_at
  FROM media m
  WHERE m.sha256 IN (SELECT media_sha256 FROM programme_items UNION SELECT media_sha256 FROM recurring_items
    UNION SELECT media_sha256 FROM broadcasts);
INSERT INTO content_history (content_id, at, action, to_state, revision, reason)
  SELECT id, created_at, 'migrate', 'released', 1, '升级前已排播的音频，视为已审核' FROM content_items;
ALTER TABLE programme_items ADD COLUMN content_id TEXT REFERENCES content_items(id);
ALTER TABLE recurring_items ADD COLUMN content_id TEXT REFERENCES content_items(id);
ALTER TABLE broadcasts ADD COLUMN content_id TEXT REFERENCES content_items(id);
UPDATE programme_items SET content_id = 'c' || substr(media_sha256, 1, 16);
UPDATE recurring_items SET content_id = 'c' || substr(media_sha256, 1, 16);
UPDATE broadcasts SET content_id = 'c' || substr(media_sha256, 1, 16);

-- Who uploaded each audio file (the same bytes uploaded twice are stored once; each uploader may see them).
CREATE TABLE media_uploaders (
  sha256 TEXT NOT NULL REFERENCES media(sha256),
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (sha256, user_id)
);
INSERT INTO media_uploaders (sha256, user_id) SELECT sha256, created_by FROM media WHERE created_by IS NOT NULL;

-- The audit trail: append-only, each row's hash covers the previous row's hash (see audit/audit-chain.ts).
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT,
  actor_name TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  target TEXT,
  detail TEXT NOT NULL,
  ip TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_actor ON audit_log(actor_kind, actor_id, seq);
-- Guards against the application's own mistakes; someone editing the file can drop these, which the chain catches.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
  { version: 4, sql: MIGRATION_4_EMERGENCY },
  { version: 5, sql: MIGRATION_5_SPEECH },
  { version: 6, sql: MIGRATION_6_GROUPS },
];
