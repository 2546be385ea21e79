import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../auth/users.ts';
import { type Db, openDatabase } from '../db/database.ts';
import {
  admit,
  cookieValue,
  sha256Hex,
  tokenFromHandshake,
  touchSession,
  userForTokenHash,
} from './socket-auth.ts';

describe('cookieValue', () => {
  it('finds the session cookie among others, first occurrence winning', () => {
    expect(cookieValue('a=1; dlb_session=tok; dlb_session=later', 'dlb_session')).toBe('tok');
    expect(cookieValue('dlb_session="quoted%20x"', 'dlb_session')).toBe('quoted x');
    expect(cookieValue('dlb_session=%E0%A4%A', 'dlb_session')).toBe('%E0%A4%A');
  });

  it('skips garbage and answers null when absent, empty or overlong', () => {
    expect(cookieValue(undefined, 'dlb_session')).toBeNull();
    expect(cookieValue('junk; =x; dlb_sessionX=1', 'dlb_session')).toBeNull();
    expect(cookieValue('dlb_session=', 'dlb_session')).toBeNull();
    expect(cookieValue(`dlb_session=${'x'.repeat(9000)}`, 'dlb_session')).toBeNull();
  });
});

describe('tokenFromHandshake', () => {
  const h = (auth: Record<string, unknown> | undefined, headers: Record<string, string> = {}) =>
    tokenFromHandshake({ auth, headers });

  it('prefers an explicit token, and never falls back to the cookie when it is malformed', () => {
    expect(h({ token: 'abc' }, { cookie: 'dlb_session=c' })).toEqual({ token: 'abc', via: 'token' });
    for (const token of [42, '', 'x'.repeat(201), null])
      expect(h({ token }, { cookie: 'dlb_session=c' })).toMatchObject({ refused: { code: 'unauthorized' } });
  });

  it('takes the cookie only when the Origin is absent or this site', () => {
    expect(h({}, { cookie: 'dlb_session=c', host: 'h:1' })).toEqual({ token: 'c', via: 'cookie' });
    expect(h(undefined, { cookie: 'dlb_session=c', host: 'h:1', origin: 'http://h:1' })).toEqual({
      token: 'c',
      via: 'cookie',
    });
    expect(h({}, { cookie: 'dlb_session=c', host: 'h:1', origin: 'http://evil' })).toMatchObject({
      refused: { code: 'origin_mismatch', message: expect.stringMatching(/来源/) },
    });
    expect(h({}, {})).toMatchObject({ refused: { code: 'unauthorized' } });
  });
});

describe('userForTokenHash: the session by its hash, as userForToken checks it', () => {
  let db: Db;
  let users: UserService;
  let now = 1_000_000;
  const IDLE = 120 * 60_000;

  beforeAll(() => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'dlb-socket-auth-')), 'db.sqlite'));
    users = new UserService(db, 12 * 3600_000, () => now, { idleMs: IDLE });
  });

  it('finds a live session’s user, and not once it is expired, idle, ended or its user disabled', async () => {
    const u = await users.create({
      username: 'op',
      displayName: '编播员',
      password: 'password-for-tests-1',
      roles: [{ role: 'county_operator', scopeCode: null }],
    });
    const { token } = users.startSession(u.id);
    const hash = sha256Hex(token);
    expect(userForTokenHash(db, users, hash, now, IDLE)?.username).toBe('op');
    expect(userForTokenHash(db, users, sha256Hex('other'), now, IDLE)).toBeNull();
    expect(userForTokenHash(db, users, hash, now + IDLE, IDLE)).toBeNull(); // idle
    expect(userForTokenHash(db, users, hash, now + 12 * 3600_000, IDLE)).toBeNull(); // absolute expiry

    // A client event restarts the idle clock, written at most once a minute.
    now += IDLE - 1;
    touchSession(db, hash, now);
    expect(userForTokenHash(db, users, hash, now + IDLE - 1, IDLE)?.id).toBe(u.id);

    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(u.id);
    expect(userForTokenHash(db, users, hash, now, IDLE)).toBeNull();
    db.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(u.id);
    users.endSession(token);
    expect(userForTokenHash(db, users, hash, now, IDLE)).toBeNull();
  });

  it('admits only users who need not change their password first', () => {
    const user = {
      id: 1,
      username: 'u',
      displayName: 'u',
      disabled: false,
      mustChangePassword: false,
      roles: [],
    };
    expect(admit(user)).toEqual({ user });
    expect(admit({ ...user, mustChangePassword: true })).toMatchObject({
      refused: { code: 'password_change_required' },
    });
    expect(admit(null)).toMatchObject({ refused: { code: 'unauthorized' } });
  });
});
