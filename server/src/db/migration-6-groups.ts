/** Migration 6: named groups of terminals (e.g. the riverside villages' speakers) that alerts can target. */
export const MIGRATION_6_GROUPS = `
CREATE TABLE terminal_groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- Every member lies under this area; who may see or change the group is decided here.
  scope_code TEXT NOT NULL REFERENCES areas(code),
  note TEXT,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id),
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id),
  UNIQUE (scope_code, name)
);

CREATE TABLE terminal_group_members (
  group_id TEXT NOT NULL REFERENCES terminal_groups(id) ON DELETE CASCADE,
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  PRIMARY KEY (group_id, terminal_id)
);
CREATE INDEX terminal_group_members_terminal ON terminal_group_members(terminal_id);
`;
