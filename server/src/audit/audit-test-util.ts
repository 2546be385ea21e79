import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Db, openDatabase } from '../db/database.ts';
import type { AuditRow } from './audit-chain.ts';
import { type AuditInput, AuditLog } from './audit-log.ts';

/** A real SQLite file in a temp dir with an AuditLog on a controllable clock, for the audit tests. */
export function auditFixture(prefix = 'dlb-audit-'): {
  dir: string;
  db: Db;
  audit: AuditLog;
  clock: { now: number };
  append: (n: number) => AuditRow[];
  row: (seq: number) => AuditRow;
  tamper: (sql: string, ...args: unknown[]) => void;
  cleanup: () => void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const db = openDatabase(path.join(dir, 'dlb.sqlite'));
  const clock = { now: Date.UTC(2025, 2, 1, 6, 0, 0) };
  const audit = new AuditLog(db, () => clock.now);
  const inputs: Array<(i: number) => AuditInput> = [
    (i) => ({ actor: { kind: 'user', id: 1, name: 'admin' }, action: 'auth.login', ip: `10.0.0.${i % 250}` }),
    (i) => ({
      actor: { kind: 'user', id: 2, name: '张三' },
      action: 'terminal.volume',
      target: `terminal:64032${i}`,
      detail: { volume: i % 100, 备注: '音量' },
    }),
    () => ({ actor: { kind: 'anonymous', name: 'mallory' }, action: 'auth.login', outcome: 'failed' }),
    () => ({ actor: { kind: 'system' }, action: 'user.create', target: 'user:admin' }),
    (i) => ({ actor: { kind: 'terminal', id: `6450${i}` }, action: 'terminal.report', detail: { n: i } }),
  ];
  let i = 0;
  const append = (n: number) => {
    const out: AuditRow[] = [];
    for (let k = 0; k < n; k++, i++) {
      clock.now += 1000;
      out.push(audit.append(inputs[i % inputs.length]!(i)));
    }
    return out;
  };
  let triggersDropped = false;
  return {
    dir,
    db,
    audit,
    clock,
    append,
    row: (seq) => db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as AuditRow,
    // As someone with the file would: the append-only triggers go first.
    tamper: (sql, ...args) => {
      if (!triggersDropped) {
        db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
        triggersDropped = true;
      }
      db.prepare(sql).run(...args);
    },
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
