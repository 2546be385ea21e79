import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/** Opens (creating if needed) the centre's SQLite file with WAL, foreign keys and a busy timeout, then migrates. */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  // 64 MB of page cache (SQLite's default is 2 MB): a county's terminals, targets and the day's reports stay in
  // memory, so a county-wide alert's 5000 reports do not re-read evicted pages for every terminal.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

/** Forward-only numbered migrations; each runs once, in its own transaction. */
export function migrate(db: Db): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        m.version,
        Date.now(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on this database, prepared once. For hot paths (every terminal report):
 * preparing costs tens of microseconds, which thousands of reports at once turn into seconds.
 */
export function cachedStatement(db: Db, sql: string): Database.Statement {
  const m = statements.get(db) ?? new Map<string, Database.Statement>();
  statements.set(db, m);
  const st = m.get(sql) ?? db.prepare(sql);
  m.set(sql, st);
  return st;
}
