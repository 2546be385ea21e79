import { afterEach, describe, expect, it } from 'vitest';
import { auditActions, queryAudit } from './audit-query.ts';
import { auditFixture } from './audit-test-util.ts';

let fx: ReturnType<typeof auditFixture>;
afterEach(() => fx?.cleanup());

/** A small log with the cases the filters must tell apart. */
function seed() {
  fx = auditFixture();
  const t0 = fx.clock.now;
  const at = (s: number) => {
    fx.clock.now = t0 + s * 1000;
  };
  const a = fx.audit;
  at(1);
  a.append({ actor: { kind: 'user', id: 1, name: 'admin' }, action: 'auth.login', ip: '10.0.0.1' });
  at(2);
  a.append({ actor: { kind: 'anonymous', name: 'admin' }, action: 'auth.login', outcome: 'failed' });
  at(3);
  a.append({ actor: { kind: 'user', id: 2, name: 'op' }, action: 'authz.check', outcome: 'denied' });
  at(4);
  a.append({
    actor: { kind: 'user', id: 1, name: 'admin' },
    action: 'terminal.register',
    target: 'terminal:64501',
    detail: { villageCode: '450323100201' },
  });
  at(5);
  a.append({
    actor: { kind: 'terminal', id: '64501' },
    action: 'terminal.report',
    target: 'terminal:64501x',
  });
  at(6);
  a.append({ actor: { kind: 'user', id: 1, name: 'admin' }, action: 'auth.logout', target: 'Terminal:1' });
  return t0;
}

const seqs = (p: { entries: Array<{ seq: number }> }) => p.entries.map((e) => e.seq);

describe('queryAudit', () => {
  it('returns the newest first, with actor, parsed detail and hash', () => {
    seed();
    const p = queryAudit(fx.db);
    expect(seqs(p)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(p.nextBefore).toBeNull();
    const reg = p.entries.find((e) => e.seq === 4)!;
    expect(reg).toMatchObject({
      actor: { kind: 'user', id: '1', name: 'admin' },
      action: 'terminal.register',
      outcome: 'ok',
      target: 'terminal:64501',
      detail: { villageCode: '450323100201' },
      ip: null,
    });
    expect(reg.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('filters by action exactly, or by a prefix ending in a dot', () => {
    seed();
    expect(seqs(queryAudit(fx.db, { action: 'auth.login' }))).toEqual([2, 1]);
    expect(seqs(queryAudit(fx.db, { action: 'auth.' }))).toEqual([6, 2, 1]); // not authz.check
    expect(seqs(queryAudit(fx.db, { action: 'auth' }))).toEqual([]);
    expect(seqs(queryAudit(fx.db, { action: 'terminal.' }))).toEqual([5, 4]);
  });

  it('filters by actor name or id, and by actor kind', () => {
    seed();
    expect(seqs(queryAudit(fx.db, { actor: 'admin' }))).toEqual([6, 4, 2, 1]);
    expect(seqs(queryAudit(fx.db, { actor: 'admin', actorKind: 'user' }))).toEqual([6, 4, 1]);
    expect(seqs(queryAudit(fx.db, { actor: '2' }))).toEqual([3]);
    expect(seqs(queryAudit(fx.db, { actor: '64501' }))).toEqual([5]);
    expect(seqs(queryAudit(fx.db, { actorKind: 'anonymous' }))).toEqual([2]);
  });

  it('filters by outcome, target and time (inclusive)', () => {
    const t0 = seed();
    expect(seqs(queryAudit(fx.db, { outcome: 'denied' }))).toEqual([3]);
    expect(seqs(queryAudit(fx.db, { outcome: 'ok', action: 'auth.' }))).toEqual([6, 1]);
    expect(seqs(queryAudit(fx.db, { target: 'terminal:64501' }))).toEqual([4]);
    expect(seqs(queryAudit(fx.db, { target: 'terminal:*' }))).toEqual([5, 4]); // case-sensitive: not Terminal:1
    expect(seqs(queryAudit(fx.db, { target: '*' }))).toEqual([6, 5, 4, 3, 2, 1]);
    expect(seqs(queryAudit(fx.db, { from: t0 + 2000, to: t0 + 4000 }))).toEqual([4, 3, 2]);
    expect(seqs(queryAudit(fx.db, { from: t0 + 5000 }))).toEqual([6, 5]);
  });

  it('treats filter values as data, never as SQL', () => {
    seed();
    expect(seqs(queryAudit(fx.db, { actor: "' OR 1=1 --" }))).toEqual([]);
    expect(seqs(queryAudit(fx.db, { target: "%' OR '1'='1*" }))).toEqual([]);
    expect(seqs(queryAudit(fx.db, { action: '%.' }))).toEqual([]);
  });

  it('pages with the before cursor, each entry exactly once', () => {
    fx = auditFixture();
    fx.append(23);
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const p = queryAudit(fx.db, { limit: 5, ...(before ? { before } : {}) });
      seen.push(...seqs(p));
      pages++;
      if (p.nextBefore === null) break;
      expect(p.entries).toHaveLength(5);
      before = p.nextBefore;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
    // Paging within a filter: auth.login is every 5th entry from seq 1 plus the failed ones (3rd).
    const logins = queryAudit(fx.db, { action: 'auth.login', limit: 2 });
    const next = queryAudit(fx.db, { action: 'auth.login', limit: 2, before: logins.nextBefore! });
    expect(next.entries.every((e) => e.seq < logins.nextBefore! && e.action === 'auth.login')).toBe(true);
  });

  it('clamps the page size to 1..500', () => {
    fx = auditFixture();
    fx.append(3);
    expect(queryAudit(fx.db, { limit: 0 }).entries).toHaveLength(1);
    expect(queryAudit(fx.db, { limit: 10_000 }).entries).toHaveLength(3);
  });

  it('shows a detail that is not JSON as stored instead of failing', () => {
    fx = auditFixture();
    fx.append(1);
    fx.tamper("UPDATE audit_log SET detail = 'not json' WHERE seq = 1");
    expect(queryAudit(fx.db).entries[0]!.detail).toEqual({ unparsable: 'not json' });
  });
});

describe('auditActions', () => {
  it('lists each action with its count', () => {
    seed();
    expect(auditActions(fx.db)).toEqual([
      { action: 'auth.login', count: 2 },
      { action: 'auth.logout', count: 1 },
      { action: 'authz.check', count: 1 },
      { action: 'terminal.register', count: 1 },
      { action: 'terminal.report', count: 1 },
    ]);
  });
});
