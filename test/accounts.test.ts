import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Centre } from '../server/src/centre.ts';
import { loadConfig } from '../server/src/config.ts';
import { ApiClient } from './helpers/api-client.ts';
import { ADMIN_PASSWORD, tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const MIN = 60_000;
const TOWNSHIP = '450323100';
const VILLAGE = '450323100001';

/** A browser-like client: keeps the session cookie, and sends the CSRF token and Origin only when told. */
class CookieClient {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(readonly base: string) {}

  async login(username: string, password: string): Promise<Response> {
    const res = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('dlb_session='));
    if (set) this.cookie = set.split(';')[0]!;
    if (res.ok) this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }

  send(method: string, p: string, opts: { csrf?: boolean; origin?: string; json?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (opts.origin) headers.origin = opts.origin;
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    return fetch(this.base + p, { method, headers, body });
  }
}

async function status(p: Promise<unknown>): Promise<{ status: number; code?: string; message?: string }> {
  try {
    await p;
    return { status: 200 };
  } catch (e) {
    const err = e as { status: number; body?: { error?: { code?: string; message?: string } } };
    return { status: err.status, code: err.body?.error?.code, message: err.body?.error?.message };
  }
}

async function tryLogin(base: string, username: string, password: unknown) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe('accounts: lock-out, sessions, cookies and CSRF, user administration', () => {
  const tmp = tempDir('dlb-accounts-');
  let t = Date.now();
  let centre: Centre;
  let admin: ApiClient;
  let base: string;
  const relogin = async () => {
    admin = new ApiClient(base);
    await admin.login('admin', ADMIN_PASSWORD);
  };
  const createUser = async (username: string, roles: unknown[], mustChangePassword = false) =>
    (
      await admin.call<{ user: { id: number } }>('POST', '/api/users', {
        username,
        displayName: username,
        password: `${username}-password-1`,
        roles,
        mustChangePassword,
      })
    ).user.id;
  const loginAs = async (username: string) => {
    const c = new ApiClient(base);
    await c.login(username, `${username}-password-1`);
    return c;
  };
  const audit = (action: string) =>
    centre.db
      .prepare('SELECT actor_name, outcome, target, detail FROM audit_log WHERE action = ? ORDER BY seq')
      .all(action) as Array<{ actor_name: string; outcome: string; target: string; detail: string }>;

  beforeAll(async () => {
    ({ centre, api: admin } = await startInProcessCentre(tmp.dir, {}, { now: () => t }));
    base = centre.httpUrl;
  });
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it('locks a name after five failures, the same way for unknown names, until unlocked or expired', async () => {
    const clerkId = await createUser('clerk', [{ role: 'auditor', scopeCode: null }]);
    for (const name of ['clerk', 'no-such-user']) {
      for (let i = 1; i <= 4; i++) expect((await tryLogin(base, name, 'wrong-password')).status).toBe(401);
      const fifth = await tryLogin(base, name, 'wrong-password');
      expect(fifth.status).toBe(429);
      expect(fifth.body.error?.code).toBe('account_locked');
    }
    const right = await tryLogin(base, 'clerk', 'clerk-password-1');
    const unknown = await tryLogin(base, 'no-such-user', 'clerk-password-1');
    expect(right.status).toBe(429);
    expect(right.body).toEqual(unknown.body);
    expect(right.body.error?.message).toContain('15 分钟');

    const listed = await admin.call<{ users: Array<{ username: string; lockedUntil: number | null }> }>(
      'GET',
      '/api/users',
    );
    expect(listed.users.find((u) => u.username === 'clerk')?.lockedUntil).toBe(t + 15 * MIN);
    await admin.call('POST', `/api/users/${clerkId}/unlock`);
    expect((await tryLogin(base, 'clerk', 'clerk-password-1')).status).toBe(200);

    t += 10 * MIN;
    const later = await tryLogin(base, 'no-such-user', 'x');
    expect(later.body.error?.message).toContain('5 分钟');
    t += 5 * MIN;
    expect((await tryLogin(base, 'no-such-user', 'x')).status).toBe(401);

    const failures = audit('auth.login').filter((r) => r.outcome === 'failed');
    expect(failures.map((r) => JSON.parse(r.detail).reason)).toEqual(
      expect.arrayContaining(['bad_password', 'locked']),
    );
    expect(failures.some((r) => r.detail.includes('password-1'))).toBe(false);
    expect(audit('auth.lockout').map((r) => r.target)).toEqual(['username:clerk', 'username:no-such-user']);
    expect(audit('user.unlock')).toHaveLength(1);
  });

  it('ends a session after two idle hours, and a busy one after its twelve-hour lifetime', async () => {
    const idle = new ApiClient(base);
    await idle.login('clerk', 'clerk-password-1');
    t += 119 * MIN;
    expect((await status(idle.call('GET', '/api/me'))).status).toBe(200);
    t += 119 * MIN;
    expect((await status(idle.call('GET', '/api/me'))).status).toBe(200);
    t += 121 * MIN;
    expect((await status(idle.call('GET', '/api/me'))).status).toBe(401);

    const busy = new ApiClient(base);
    await busy.login('clerk', 'clerk-password-1');
    for (let i = 0; i < 7; i++) {
      t += 100 * MIN;
      expect((await status(busy.call('GET', '/api/me'))).status).toBe(200);
    }
    t += 21 * MIN;
    expect((await status(busy.call('GET', '/api/me'))).status).toBe(401);
    await relogin();
  });

  it('serves browsers by cookie, with CSRF checks on every change', async () => {
    const b = new CookieClient(base);
    const login = await b.login('admin', ADMIN_PASSWORD);
    const setCookie = login.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^dlb_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    const body = (await login.json()) as { token: string; csrfToken: string; expiresAt: number };
    expect(body.expiresAt).toBe(t + 12 * 60 * MIN);
    const stored = centre.db.prepare('SELECT token_hash, csrf_hash FROM sessions').all() as Array<{
      token_hash: string;
      csrf_hash: string;
    }>;
    expect(JSON.stringify(stored)).not.toContain(body.token);
    expect(JSON.stringify(stored)).not.toContain(body.csrfToken);

    const me = await b.send('GET', '/api/me', { origin: 'http://evil.example' });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { session: { via: string } }).session.via).toBe('cookie');
    const clerkId = (
      await admin.call<{ users: Array<{ id: number; username: string }> }>('GET', '/api/users')
    ).users.find((u) => u.username === 'clerk')!.id;
    const unlock = `/api/users/${clerkId}/unlock`;
    const code = async (r: Promise<Response>) => {
      const res = await r;
      return res.ok
        ? res.status
        : `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`;
    };
    expect(await code(b.send('POST', unlock))).toBe('403 csrf_failed');
    const saved = b.csrf;
    b.csrf = 'not-the-token';
    expect(await code(b.send('POST', unlock, { csrf: true }))).toBe('403 csrf_failed');
    b.csrf = saved;
    expect(await code(b.send('POST', unlock, { csrf: true }))).toBe(200);
    expect(await code(b.send('POST', unlock, { csrf: true, origin: 'http://evil.example' }))).toBe(
      '403 csrf_failed',
    );
    expect(await code(b.send('POST', unlock, { csrf: true, origin: 'null' }))).toBe('403 csrf_failed');
    expect(await code(b.send('POST', unlock, { csrf: true, origin: base }))).toBe(200);
    expect(audit('auth.csrf').map((r) => r.outcome)).toEqual(['denied', 'denied', 'denied', 'denied']);

    // A Bearer header wins over the cookie and needs no CSRF token; a bad one does not fall back to it.
    const both = await fetch(base + unlock, {
      method: 'POST',
      headers: { cookie: b.cookie!, authorization: `Bearer ${admin.token}` },
    });
    expect(both.status).toBe(200);
    const forged = await fetch(`${base}/api/me`, {
      headers: { cookie: b.cookie!, authorization: 'Bearer x' },
    });
    expect(forged.status).toBe(401);

    const logout = await b.send('POST', '/api/auth/logout', { csrf: true });
    expect(logout.status).toBe(200);
    expect(logout.headers.getSetCookie().join()).toMatch(/^dlb_session=; .*Max-Age=0/);
    expect((await b.send('GET', '/api/me')).status).toBe(401);
    expect((await status(admin.call('GET', '/api/me'))).status).toBe(200);
    expect(JSON.parse(audit('auth.logout').at(-1)!.detail)).toEqual({ via: 'cookie' });
  });

  it('creates users with validated grants and passwords', async () => {
    const post = (body: Record<string, unknown>) =>
      status(
        admin.call('POST', '/api/users', {
          username: 'newbie',
          displayName: '新人',
          password: 'newbie-password-1',
          roles: [{ role: 'township_operator', scopeCode: TOWNSHIP }],
          ...body,
        }),
      );
    expect(await post({ roles: [{ role: 'auditor', scopeCode: TOWNSHIP }] })).toMatchObject({
      status: 400,
      code: 'invalid_grant',
      message: expect.stringContaining('审计员'),
    });
    expect((await post({ roles: [{ role: 'township_operator', scopeCode: null }] })).message).toContain(
      '乡镇编播员须指定',
    );
    expect((await post({ roles: [{ role: 'emergency_officer', scopeCode: VILLAGE }] })).message).toContain(
      '不是乡镇',
    );
    expect(
      (await post({ roles: [{ role: 'township_reviewer', scopeCode: '450323999' }] })).message,
    ).toContain('不存在');
    expect((await post({ roles: [] })).status).toBe(400);
    expect((await post({ roles: [{ role: 'wizard', scopeCode: null }] })).status).toBe(400);
    expect((await post({ username: 'Ab' })).status).toBe(400);
    expect((await post({ displayName: '' })).status).toBe(400);
    expect(await post({ password: '1234567890' })).toMatchObject({ status: 400, code: 'weak_password' });
    expect(await post({ password: 'newbie' })).toMatchObject({ status: 400, code: 'weak_password' });
    expect((await post({})).status).toBe(200);
    expect(await post({})).toMatchObject({ status: 409, code: 'username_taken' });

    const newbie = await loginAs('newbie');
    const me = await newbie.call<{ user: { mustChangePassword: boolean; roles: unknown[] } }>(
      'GET',
      '/api/me',
    );
    expect(me.user.mustChangePassword).toBe(true);
    expect(me.user.roles).toEqual([
      { role: 'township_operator', scopeCode: TOWNSHIP, label: '乡镇编播员', scopeName: '灵川镇' },
    ]);
    expect(await status(newbie.call('GET', '/api/terminals'))).toMatchObject({
      status: 403,
      code: 'password_change_required',
    });
  });

  it('disabling a user ends their open session at once; re-enabling lets them in again', async () => {
    const id = await createUser('op1', [{ role: 'county_operator', scopeCode: null }]);
    const op = await loginAs('op1');
    expect((await status(op.call('GET', '/api/terminals'))).status).toBe(200);
    await admin.call('POST', `/api/users/${id}/disable`);
    expect((await status(op.call('GET', '/api/terminals'))).status).toBe(401);
    expect((await tryLogin(base, 'op1', 'op1-password-1')).body.error?.code).toBe('account_disabled');
    expect((await tryLogin(base, 'op1', 'wrong-password')).status).toBe(401);
    await admin.call('POST', `/api/users/${id}/enable`);
    expect((await status(loginAs('op1'))).status).toBe(200);
    expect(JSON.parse(audit('user.disable').at(-1)!.detail)).toEqual({ endedSessions: 1 });
  });

  it('applies a role change on the very next request', async () => {
    const id = (
      await admin.call<{ users: Array<{ id: number; username: string }> }>('GET', '/api/users')
    ).users.find((u) => u.username === 'op1')!.id;
    const op = await loginAs('op1');
    expect((await status(op.call('GET', '/api/users'))).status).toBe(403);
    expect((await status(op.call('POST', '/api/media', {}))).status).toBe(415);
    await admin.call('PUT', `/api/users/${id}/roles`, { roles: [{ role: 'auditor', scopeCode: null }] });
    expect((await status(op.call('GET', '/api/users'))).status).toBe(200);
    expect(await status(op.call('POST', '/api/media', {}))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(JSON.parse(audit('user.roles').at(-1)!.detail)).toEqual({
      before: [{ role: 'county_operator', scopeCode: null }],
      after: [{ role: 'auditor', scopeCode: null }],
    });
  });

  it('resets a password to a temporary one that must be changed, ending the old sessions', async () => {
    const id = (
      await admin.call<{ users: Array<{ id: number; username: string }> }>('GET', '/api/users')
    ).users.find((u) => u.username === 'op1')!.id;
    const op = await loginAs('op1');
    await admin.call('POST', `/api/users/${id}/password`, { password: 'temporary-pass-77' });
    expect((await status(op.call('GET', '/api/me'))).status).toBe(401);
    const again = new ApiClient(base);
    await again.login('op1', 'temporary-pass-77');
    expect((await status(again.call('GET', '/api/users'))).code).toBe('password_change_required');
    await again.call('POST', '/api/auth/password', {
      currentPassword: 'temporary-pass-77',
      newPassword: 'mine-own-pass-88',
    });
    expect((await status(again.call('GET', '/api/users'))).status).toBe(200);
  });

  it('keeps administrators from disabling or demoting themselves', async () => {
    const me = (await admin.call<{ user: { id: number } }>('GET', '/api/me')).user.id;
    expect(await status(admin.call('POST', `/api/users/${me}/disable`))).toMatchObject({
      status: 409,
      code: 'self_disable',
    });
    expect(
      await status(
        admin.call('PUT', `/api/users/${me}/roles`, { roles: [{ role: 'auditor', scopeCode: null }] }),
      ),
    ).toMatchObject({ status: 409, code: 'self_demotion' });
    expect((await status(admin.call('GET', '/api/users/999999'))).status).toBe(404);
    expect((await status(admin.call('GET', '/api/users/abc'))).status).toBe(400);
  });

  it('answers malformed and oversized login bodies with 4xx', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': type }, body }).then(
        (r) => r.status,
      );
    expect(await post('{"username":')).toBe(400);
    expect(await post('[]')).toBe(400);
    expect(await post('{}')).toBe(400);
    expect(await post(JSON.stringify({ username: 'admin', password: 42 }))).toBe(400);
    expect(await post(JSON.stringify({ username: 'a'.repeat(101), password: 'x' }))).toBe(400);
    expect(await post(JSON.stringify({ username: 'admin', password: 'x'.repeat(201) }))).toBe(400);
    expect(await post('username=admin', 'application/x-www-form-urlencoded')).toBe(415);
    expect(await post(JSON.stringify({ username: 'admin', password: 'x'.repeat(300_000) }))).toBe(413);
  });
});

describe('first start without a configured admin password', () => {
  const tmp = tempDir('dlb-firstrun-');
  let centre: Centre;
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it('requires the announced password to be changed before anything else', async () => {
    let announced = '';
    const config = loadConfig({
      env: {},
      cwd: tmp.dir,
      overrides: {
        dataDir: path.join(tmp.dir, 'centre'),
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { host: '127.0.0.1', port: 0 },
      },
    });
    centre = new Centre(config, { log() {}, announce: (m) => (announced = m) });
    await centre.start();
    const password = /初始密码 (\S+)/.exec(announced)?.[1] ?? '';
    expect(password).toHaveLength(20);

    const other = new ApiClient(centre.httpUrl);
    await other.login('admin', password);
    const api = new ApiClient(centre.httpUrl);
    await api.login('admin', password);
    expect(
      (await api.call<{ user: { mustChangePassword: boolean } }>('GET', '/api/me')).user.mustChangePassword,
    ).toBe(true);
    for (const p of ['/api/terminals', '/api/users'])
      expect(await status(api.call('GET', p))).toMatchObject({
        status: 403,
        code: 'password_change_required',
      });

    const change = (currentPassword: string, newPassword: string) =>
      status(api.call('POST', '/api/auth/password', { currentPassword, newPassword }));
    expect(await change('wrong-current-pw', 'a-fine-new-password')).toMatchObject({
      status: 400,
      code: 'wrong_password',
    });
    expect(await change(password, password)).toMatchObject({ status: 400, code: 'weak_password' });
    expect(await change(password, 'admin')).toMatchObject({ status: 400, code: 'weak_password' });
    expect(await change(password, 'zzzzzzzzzzzz')).toMatchObject({ status: 400, code: 'weak_password' });
    expect(await change(password, 'a-fine-new-password')).toEqual({ status: 200 });

    expect((await status(api.call('GET', '/api/terminals'))).status).toBe(200);
    expect(
      (await api.call<{ user: { mustChangePassword: boolean } }>('GET', '/api/me')).user.mustChangePassword,
    ).toBe(false);
    expect((await status(other.call('GET', '/api/me'))).status).toBe(401);
    const rows = centre.db
      .prepare("SELECT outcome FROM audit_log WHERE action = 'auth.password-change' ORDER BY seq")
      .all() as Array<{ outcome: string }>;
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'ok']);
  });
});
