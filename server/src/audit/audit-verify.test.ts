import { afterEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash } from './audit-chain.ts';
import { auditFixture } from './audit-test-util.ts';
import { type AuditVerifyResult, rawRowHash, shanghaiTime, verifyAuditChain } from './audit-verify.ts';

let fx: ReturnType<typeof auditFixture>;
afterEach(() => fx?.cleanup());

function brokenAt(r: AuditVerifyResult) {
  if (r.ok) throw new Error(`expected a broken chain, got ok with ${r.entries} entries`);
  return r.firstBroken;
}

const INSERT = `INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, action, outcome, target, detail, ip, prev_hash, hash)
  VALUES (@seq, @at, @actor_kind, @actor_id, @actor_name, @action, @outcome, @target, @detail, @ip, @prev_hash, @hash)`;

describe('verifyAuditChain', () => {
  it('reports an intact log with its last seq and hash', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    const r = verifyAuditChain(fx.db);
    expect(r).toEqual({
      ok: true,
      entries: 50,
      lastSeq: 50,
      lastHash: rows[49]!.hash,
      lastAt: rows[49]!.at,
      afterHead: null,
    });
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
  });

  it('reports an empty log as intact, ending at the genesis hash', () => {
    fx = auditFixture();
    expect(verifyAuditChain(fx.db)).toMatchObject({
      ok: true,
      entries: 0,
      lastSeq: 0,
      lastHash: GENESIS_HASH,
    });
  });

  it('the database itself refuses updates and deletes while the triggers are in place', () => {
    fx = auditFixture();
    fx.append(3);
    expect(() => fx.db.prepare("UPDATE audit_log SET detail = '{}' WHERE seq = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => fx.db.prepare('DELETE FROM audit_log WHERE seq = 3').run()).toThrow(/append-only/);
  });

  it('names the entry whose detail was changed in the file', () => {
    fx = auditFixture();
    fx.append(50);
    const before = fx.row(17);
    fx.tamper('UPDATE audit_log SET detail = ? WHERE seq = 17', JSON.stringify({ volume: 0 }));
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b.seq).toBe(17);
    expect(b.problem).toBe('hash');
    expect(b.message).toContain('第 17 条');
    expect(b.message).toContain(before.action);
    expect(b.message).toContain(shanghaiTime(before.at));
    expect(b.message).toContain('内容被改动');
    expect(verifyAuditChain(fx.db)).toMatchObject({ entries: 16 });
  });

  it('names the entry whose actor was changed', () => {
    fx = auditFixture();
    fx.append(50);
    fx.tamper("UPDATE audit_log SET actor_name = 'somebody-else' WHERE seq = 32");
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b).toMatchObject({ seq: 32, problem: 'hash' });
    expect(b.message).toContain('somebody-else');
  });

  it('a row changed and re-hashed is caught as a broken link at the next row', () => {
    fx = auditFixture();
    fx.append(50);
    const row = { ...fx.row(20), outcome: 'ok', detail: '{"forged":true}' };
    const { hash: _old, ...partial } = row;
    fx.tamper(
      'UPDATE audit_log SET outcome = ?, detail = ?, hash = ? WHERE seq = 20',
      row.outcome,
      row.detail,
      rowHash(partial),
    );
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b).toMatchObject({ seq: 21, problem: 'link' });
    expect(b.message).toContain('第 21 条');
    expect(b.message).toContain('第 20 条');
    expect(verifyAuditChain(fx.db)).toMatchObject({ entries: 20 });
  });

  it('a deleted middle row is reported as a gap at the row after it', () => {
    fx = auditFixture();
    fx.append(50);
    fx.tamper('DELETE FROM audit_log WHERE seq = 25');
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b).toMatchObject({ seq: 26, problem: 'gap' });
    expect(b.message).toContain('第 26 条');
    expect(b.message).toContain('之前的 1 条被删除');
  });

  it('counts several deleted rows, and rows deleted at the start', () => {
    fx = auditFixture();
    fx.append(50);
    fx.tamper('DELETE FROM audit_log WHERE seq BETWEEN 10 AND 14');
    expect(brokenAt(verifyAuditChain(fx.db)).message).toContain('第 15 条');
    expect(brokenAt(verifyAuditChain(fx.db)).message).toContain('之前的 5 条被删除');
    fx.tamper('DELETE FROM audit_log WHERE seq <= 2');
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b).toMatchObject({ seq: 3, problem: 'gap' });
    expect(b.message).toContain('之前的 2 条被删除');
    expect(b.message).toContain('应从第 1 条开始');
  });

  it('deleting the last rows passes the chain alone but not the head', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    const head = { seq: 50, hash: rows[49]!.hash, at: rows[49]!.at };
    expect(verifyAuditChain(fx.db, { head })).toMatchObject({ ok: true, afterHead: 0 });
    fx.tamper('DELETE FROM audit_log WHERE seq > 47');
    // The weakness the head file exists for: a shortened chain is still a valid chain.
    expect(verifyAuditChain(fx.db)).toMatchObject({ ok: true, entries: 47, lastSeq: 47 });
    const b = brokenAt(verifyAuditChain(fx.db, { head }));
    expect(b).toMatchObject({ seq: 48, problem: 'truncated' });
    expect(b.message).toContain('第 48 条至第 50 条');
    expect(b.message).toContain('3 条');
  });

  it('a tail deleted and written again is caught by the head, however many rows follow', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    const head = { seq: 50, hash: rows[49]!.hash, at: rows[49]!.at };
    fx.tamper('DELETE FROM audit_log WHERE seq > 47');
    fx.append(3); // the same length again, through the application, so the chain itself is valid
    expect(verifyAuditChain(fx.db)).toMatchObject({ ok: true, lastSeq: 50 });
    expect(brokenAt(verifyAuditChain(fx.db, { head }))).toMatchObject({ seq: 50, problem: 'truncated' });
    fx.append(4);
    expect(brokenAt(verifyAuditChain(fx.db, { head }))).toMatchObject({ seq: 50, problem: 'truncated' });
  });

  it('accepts entries written after the head, counting them', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    expect(verifyAuditChain(fx.db, { head: { seq: 48, hash: rows[47]!.hash } })).toMatchObject({
      ok: true,
      lastSeq: 50,
      afterHead: 2,
    });
  });

  it('catches forged rows appended at the end', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    const forged = {
      ...rows[49]!,
      seq: 51,
      at: rows[49]!.at + 1000,
      action: 'broadcast.send',
      prev_hash: rows[49]!.hash,
      hash: 'f'.repeat(64),
    };
    fx.tamper(INSERT, forged);
    expect(brokenAt(verifyAuditChain(fx.db))).toMatchObject({ seq: 51, problem: 'hash' });
    // Correctly hashed, but linked to the wrong predecessor.
    const { hash: _h, ...partial } = { ...forged, prev_hash: rows[48]!.hash };
    fx.tamper('DELETE FROM audit_log WHERE seq = 51');
    fx.tamper(INSERT, { ...partial, hash: rowHash(partial) });
    expect(brokenAt(verifyAuditChain(fx.db))).toMatchObject({ seq: 51, problem: 'link' });
  });

  it('catches a forged row slipped into the middle by renumbering the rows after it', () => {
    fx = auditFixture();
    const rows = fx.append(50);
    fx.tamper('UPDATE audit_log SET seq = seq + 1000 WHERE seq > 30');
    fx.tamper('UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000');
    const partial = {
      seq: 31,
      at: rows[29]!.at + 1,
      actor_kind: 'user',
      actor_id: '1',
      actor_name: 'admin',
      action: 'user.grant',
      outcome: 'ok',
      target: 'user:mallory',
      detail: '{}',
      ip: null,
      prev_hash: rows[29]!.hash,
    };
    fx.tamper(INSERT, { ...partial, hash: rowHash(partial) });
    // The forged row itself is well formed; the row after it no longer fits.
    const b = brokenAt(verifyAuditChain(fx.db));
    expect(b.seq).toBe(32);
    expect(['link', 'hash']).toContain(b.problem);
  });

  it('stays intact over thousands of appends', () => {
    fx = auditFixture();
    const rows = fx.append(3000);
    const r = verifyAuditChain(fx.db, { head: { seq: 3000, hash: rows[2999]!.hash } });
    expect(r).toMatchObject({ ok: true, entries: 3000, lastSeq: 3000, afterHead: 0 });
  });
});

describe('helpers', () => {
  it('the fast raw-row hash is the chain hash', () => {
    fx = auditFixture();
    fx.append(10);
    const rows = fx.db
      .prepare(
        'SELECT seq, at, actor_kind, actor_id, actor_name, action, outcome, target, detail, ip, prev_hash, hash FROM audit_log',
      )
      .raw(true)
      .all() as unknown[][];
    for (const a of rows) expect(rawRowHash(a)).toBe(a[11]);
    const odd = {
      seq: 7,
      at: 1.5,
      actor_kind: 'anonymous',
      actor_id: null,
      actor_name: '"引号"\n\u2028',
      action: 'x',
      outcome: 'failed',
      target: null,
      detail: '{"a":[1,null]}',
      ip: '::1',
      prev_hash: GENESIS_HASH,
    };
    expect(rawRowHash(Object.values(odd))).toBe(rowHash(odd));
  });

  it('shows times in Beijing time', () => {
    expect(shanghaiTime(Date.UTC(2024, 11, 31, 16, 30, 5))).toBe('2025-01-01T00:30:05+08:00');
    expect(shanghaiTime('x')).toContain('时间无效');
  });
});
