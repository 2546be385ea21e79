import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuditHeadError,
  checkAuditTrail,
  keepAuditHead,
  readAuditHead,
  summariseVerify,
  writeAuditHead,
} from './audit-head.ts';
import { auditFixture } from './audit-test-util.ts';
import { verifyAuditChain } from './audit-verify.ts';

let fx: ReturnType<typeof auditFixture>;
afterEach(() => fx?.cleanup());
const headOf = () => path.join(fx.dir, 'audit-head.json');

describe('the head file', () => {
  it('follows every append, written whole, and stops when unsubscribed', () => {
    fx = auditFixture();
    const stop = keepAuditHead(fx.audit, headOf());
    expect(readAuditHead(headOf())).toBeNull();
    const rows = fx.append(5);
    expect(readAuditHead(headOf())).toEqual({ seq: 5, hash: rows[4]!.hash, at: rows[4]!.at });
    expect(JSON.parse(readFileSync(headOf(), 'utf8'))).toEqual({
      seq: 5,
      hash: rows[4]!.hash,
      at: rows[4]!.at,
    });
    expect(readdirSync(fx.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    stop();
    fx.append(2);
    expect(readAuditHead(headOf())?.seq).toBe(5);
  });

  it('lets the verification see the last entries deleted', () => {
    fx = auditFixture();
    const stop = keepAuditHead(fx.audit, headOf());
    fx.append(50);
    stop();
    fx.tamper('DELETE FROM audit_log WHERE seq > 47');
    expect(verifyAuditChain(fx.db, { head: readAuditHead(headOf()) })).toMatchObject({
      ok: false,
      firstBroken: { seq: 48, problem: 'truncated' },
    });
  });

  it('stays where it was after a truncation, so later appends do not hide it', () => {
    fx = auditFixture();
    let stop = keepAuditHead(fx.audit, headOf());
    fx.append(50);
    stop();
    fx.tamper('DELETE FROM audit_log WHERE seq > 45');
    stop = keepAuditHead(fx.audit, headOf()); // the centre started again
    fx.append(10);
    stop();
    expect(readAuditHead(headOf())?.seq).toBe(50);
    expect(verifyAuditChain(fx.db, { head: readAuditHead(headOf()) })).toMatchObject({
      ok: false,
      firstBroken: { seq: 50, problem: 'truncated' },
    });
  });

  it('refuses a corrupt or malformed head with a clear error', () => {
    fx = auditFixture();
    writeFileSync(headOf(), '{"seq": 3, "hash": ');
    expect(() => readAuditHead(headOf())).toThrow(AuditHeadError);
    expect(() => readAuditHead(headOf())).toThrow(/已损坏.*JSON/);
    writeFileSync(headOf(), JSON.stringify({ seq: 0, hash: 'ab', at: 1 }));
    expect(() => readAuditHead(headOf())).toThrow(/已损坏.*seq/);
    writeFileSync(headOf(), 'null');
    expect(() => readAuditHead(headOf())).toThrow(AuditHeadError);
  });

  it('reports a head that cannot be written without failing the append', () => {
    fx = auditFixture();
    const errors: Error[] = [];
    const stop = keepAuditHead(fx.audit, path.join(fx.dir, 'no-such-dir', 'audit-head.json'), (e) =>
      errors.push(e),
    );
    const [row] = fx.append(1);
    stop();
    expect(row!.seq).toBe(1);
    expect(errors[0]?.message).toMatch(/无法写入审计记录头文件/);
  });
});

describe('checkAuditTrail (at start)', () => {
  it('creates a missing head from an intact log and says so', () => {
    fx = auditFixture();
    const rows = fx.append(20);
    const c = checkAuditTrail(fx.db, headOf());
    expect(c.result.ok).toBe(true);
    expect(c.warnings.join()).toMatch(/未找到审计记录头文件/);
    expect(readAuditHead(headOf())).toEqual({ seq: 20, hash: rows[19]!.hash, at: rows[19]!.at });
    expect(checkAuditTrail(fx.db, headOf()).warnings).toEqual([]);
  });

  it('writes nothing for an empty log', () => {
    fx = auditFixture();
    expect(checkAuditTrail(fx.db, headOf())).toMatchObject({
      result: { ok: true, entries: 0 },
      warnings: [],
    });
    expect(existsSync(headOf())).toBe(false);
  });

  it('brings a head that lags behind an intact log up to date', () => {
    fx = auditFixture();
    const rows = fx.append(20);
    writeAuditHead(headOf(), { seq: 18, hash: rows[17]!.hash, at: rows[17]!.at });
    const c = checkAuditTrail(fx.db, headOf());
    expect(c.result).toMatchObject({ ok: true, afterHead: 2 });
    expect(c.warnings).toEqual([]);
    expect(readAuditHead(headOf())?.seq).toBe(20);
  });

  it('leaves the head alone when the log is broken, and warns naming the entry', () => {
    fx = auditFixture();
    const rows = fx.append(20);
    writeAuditHead(headOf(), { seq: 20, hash: rows[19]!.hash, at: rows[19]!.at });
    fx.tamper('DELETE FROM audit_log WHERE seq > 18');
    const c = checkAuditTrail(fx.db, headOf());
    expect(c.result).toMatchObject({ ok: false, firstBroken: { seq: 19, problem: 'truncated' } });
    expect(c.warnings.join()).toMatch(/审计记录校验失败.*第 19 条至第 20 条/);
    expect(readAuditHead(headOf())?.seq).toBe(20);
  });

  it('warns about a corrupt head and replaces it when the log is intact', () => {
    fx = auditFixture();
    fx.append(5);
    writeFileSync(headOf(), 'garbage');
    const c = checkAuditTrail(fx.db, headOf());
    expect(c.result.ok).toBe(true);
    expect(c.warnings.join()).toMatch(/已损坏/);
    expect(readAuditHead(headOf())?.seq).toBe(5);
  });

  it('summarises a result in one Chinese line', () => {
    fx = auditFixture();
    const rows = fx.append(3);
    const head = { seq: 3, hash: rows[2]!.hash, at: rows[2]!.at };
    expect(summariseVerify(verifyAuditChain(fx.db, { head }), head)).toMatch(
      /^审计记录完好：共 3 条，最后一条第 3 条.*与记录头一致$/,
    );
    expect(summariseVerify(verifyAuditChain(fx.db), null)).toMatch(/没有记录头文件/);
    fx.tamper("UPDATE audit_log SET action = 'x' WHERE seq = 2");
    expect(summariseVerify(verifyAuditChain(fx.db), null)).toMatch(
      /^审计记录已被篡改（内容被改动）：第 2 条/,
    );
  });
});
