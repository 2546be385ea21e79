import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../db/database.ts';
import { UserService } from './users.ts';

const MIN = 60_000;
const PW = 'a-good-password-7';

describe('UserService', () => {
  let db: Db;
  let t: number;
  let users: UserService;
  beforeEach(() => {
    db = openDatabase(':memory:');
    t = 1_700_000_000_000;
    users = new UserService(db, 12 * 60 * MIN, () => t, { idleMs: 120 * MIN });
  });
  afterEach(() => db.close());

  const admin = (username: string) =>
    users.create({
      username,
      displayName: username,
      password: PW,
      roles: [{ role: 'county_admin', scopeCode: null }],
    });

  it('ends a session after the idle time, writing its last use at most once a minute', async () => {
    const a = await admin('admin');
    const { token } = users.startSession(a.id);
    const lastUsed = () => (db.prepare('SELECT last_used_at AS v FROM sessions').get() as { v: number }).v;
    const start = t;
    t += 30_000;
    expect(users.userForToken(token)?.id).toBe(a.id);
    expect(lastUsed()).toBe(start);
    t += 40_000;
    expect(users.userForToken(token)).not.toBeNull();
    expect(lastUsed()).toBe(t);
    t += 119 * MIN;
    expect(users.userForToken(token)).not.toBeNull();
    t += 120 * MIN;
    expect(users.userForToken(token)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('ends a busy session at its absolute lifetime', async () => {
    const a = await admin('admin');
    const { token, expiresAt } = users.startSession(a.id);
    expect(expiresAt).toBe(t + 12 * 60 * MIN);
    while (t + 100 * MIN < expiresAt) {
      t += 100 * MIN;
      expect(users.userForToken(token)).not.toBeNull();
    }
    t = expiresAt;
    expect(users.userForToken(token)).toBeNull();
  });

  it('locks a name after five failures, refusing even the right password until the lock ends', async () => {
    await admin('admin');
    for (let i = 1; i <= 4; i++)
      expect(await users.login('admin', 'wrong-password')).toMatchObject({
        ok: false,
        failures: i,
        lockedNow: false,
      });
    expect(await users.login('admin', 'wrong-password')).toMatchObject({
      ok: false,
      lockedNow: true,
      remainingMs: 15 * MIN,
    });
    t += 5 * MIN;
    expect(await users.login('admin', PW)).toMatchObject({
      ok: false,
      reason: 'locked',
      remainingMs: 10 * MIN,
    });
    t += 10 * MIN;
    expect(await users.login('admin', PW)).toMatchObject({ ok: true });
    expect(users.guard.remainingMs('admin')).toBe(0);
  });

  it('treats unknown names exactly like known ones', async () => {
    for (let i = 0; i < 5; i++) await users.login('ghost', 'whatever-password');
    expect(await users.login('ghost', 'whatever-password')).toMatchObject({ ok: false, reason: 'locked' });
  });

  it('ends other sessions on a password change, and all of them on disable', async () => {
    const a = await admin('admin');
    const b = await admin('second');
    const s1 = users.startSession(b.id);
    const s2 = users.startSession(b.id);
    const keep = users.sessionForToken(s1.token)!.session.tokenHash;
    await expect(users.changePassword(b.id, 'not-it', 'brand-new-password', keep)).rejects.toMatchObject({
      code: 'wrong_password',
    });
    await expect(users.changePassword(b.id, PW, PW, keep)).rejects.toMatchObject({ code: 'weak_password' });
    expect(await users.changePassword(b.id, PW, 'brand-new-password', keep)).toEqual({ endedSessions: 1 });
    expect(users.userForToken(s1.token)).not.toBeNull();
    expect(users.userForToken(s2.token)).toBeNull();
    expect(users.setDisabled(b.id, true, a.id)).toEqual({ changed: true, endedSessions: 1 });
    expect(users.userForToken(s1.token)).toBeNull();
    expect((await users.login('second', 'brand-new-password')).ok).toBe(false);
  });

  it('keeps at least one enabled county administrator, and nobody demotes or disables themselves', async () => {
    const a = await admin('admin');
    const b = await users.create({
      username: 'op',
      displayName: 'op',
      password: PW,
      roles: [{ role: 'county_operator', scopeCode: null }],
    });
    expect(() => users.setRoles(a.id, [{ role: 'auditor', scopeCode: null }], a.id)).toThrow(/自己/);
    expect(() => users.setDisabled(a.id, true, a.id)).toThrow(/自己/);
    expect(() => users.setDisabled(a.id, true, b.id)).toThrow(/最后一个/);
    expect(() => users.setRoles(a.id, [{ role: 'auditor', scopeCode: null }], b.id)).toThrow(/最后一个/);
    const change = users.setRoles(b.id, [{ role: 'county_admin', scopeCode: null }], a.id);
    expect(change.before).toEqual([{ role: 'county_operator', scopeCode: null }]);
    expect(users.setDisabled(a.id, true, b.id).changed).toBe(true);
    expect(() => users.setRoles(b.id, [{ role: 'auditor', scopeCode: null }], a.id)).toThrow(/最后一个/);
  });

  it('refuses a second account with the same name', async () => {
    await admin('admin');
    await expect(admin('admin')).rejects.toMatchObject({ status: 409, code: 'username_taken' });
  });
});
