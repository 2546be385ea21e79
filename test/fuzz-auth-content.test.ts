import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import type { ApiClient } from './helpers/api-client.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

/** A small seeded generator, so a failure can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_STRINGS = [
  '',
  ' ',
  'admin',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '\u0000',
  '\ud800',
  '𝕏'.repeat(300),
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'a'.repeat(10_000),
  '$' + '{7*7}',
  '%s%s%s%n',
];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 3.5, -0][Math.floor(r() * 6)];
    case 3:
    case 4:
      return NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)];
    case 5:
      return `c${Math.floor(r() * 1e16).toString(16)}`;
    case 6:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'username',
        'password',
        'title',
        'scopeCode',
        'mediaSha256',
        'roles',
        'reason',
        '__proto__',
        'constructor',
        'script',
      ];
      for (let i = 0; i < 1 + Math.floor(r() * 5); i++)
        o[keys[Math.floor(r() * keys.length)]!] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function randomBody(r: () => number): { body: string; type: string } {
  const k = Math.floor(r() * 10);
  if (k === 0) return { body: '{"username":', type: 'application/json' };
  if (k === 1)
    return {
      body: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['.repeat(50),
      type: 'application/json',
    };
  if (k === 2) return { body: JSON.stringify({ title: 'x'.repeat(300 * 1024) }), type: 'application/json' };
  if (k === 3) return { body: 'username=admin&password=x', type: 'application/x-www-form-urlencoded' };
  if (k === 4)
    return { body: Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'), type: 'application/json' };
  if (k === 5)
    return {
      body: '{"__proto__":{"isAdmin":true},"username":"admin","password":"x"}',
      type: 'application/json',
    };
  return { body: JSON.stringify(randomValue(r)), type: r() < 0.9 ? 'application/json' : 'text/plain' };
}

/** A body the reset route rightly accepts: an object whose password is 10-200 characters. */
function isPasswordBody(body: string): boolean {
  try {
    const v = JSON.parse(body) as { password?: unknown };
    return typeof v?.password === 'string' && Array.from(v.password).length >= 10;
  } catch {
    return false;
  }
}

describe('fuzzing the authentication, account and content routes', () => {
  const tmp = tempDir('dlb-fuzz-');
  let centre: Centre;
  let api: ApiClient;
  let otherUserId = 0;
  const seed = Number(process.env.DLB_FUZZ_SEED ?? 20261123);

  beforeAll(async () => {
    ({ centre, api } = await startInProcessCentre(tmp.dir));
    // Password resets are aimed at another account: a random body can be a valid new password (any
    // 10-200 characters), and resetting the admin's own would lock its session behind a forced change.
    otherUserId = (
      await centre.services.users.create({
        username: 'clerk',
        displayName: '文书',
        password: 'clerk-Pass-2026',
        roles: [{ role: 'auditor', scopeCode: null }],
      })
    ).id;
  }, 60_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it(`answers 4xx to malformed and oversized bodies, changes nothing, and stays up (seed ${seed})`, async () => {
    const r = prng(seed);
    const targets: Array<{ method: string; path: string; auth: boolean; validMay?: 'succeed' }> = [
      { method: 'POST', path: '/api/auth/login', auth: false },
      { method: 'POST', path: '/api/auth/password', auth: true },
      { method: 'POST', path: '/api/users', auth: true },
      { method: 'PUT', path: '/api/users/1/roles', auth: true },
      { method: 'POST', path: `/api/users/${otherUserId}/password`, auth: true, validMay: 'succeed' },
      { method: 'POST', path: '/api/content', auth: true },
      { method: 'PUT', path: `/api/content/c${'0'.repeat(16)}`, auth: true },
      { method: 'POST', path: `/api/content/c${'0'.repeat(16)}/reject`, auth: true },
      { method: 'POST', path: '/api/broadcasts', auth: true },
      { method: 'POST', path: '/api/programmes', auth: true },
    ];
    const count = (table: string) =>
      (centre.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const before = {
      users: count('users'),
      content: count('content_items'),
      broadcasts: count('broadcasts'),
    };
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let accepted = 0;
    const N = 600;
    for (let i = 0; i < N; i++) {
      const t = targets[Math.floor(r() * targets.length)]!;
      const { body, type } = randomBody(r);
      const headers: Record<string, string> = { 'content-type': type };
      if (t.auth) headers.authorization = `Bearer ${api.token}`;
      const res = await fetch(centre.httpUrl + t.path, { method: t.method, headers, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (t.validMay && res.status === 200 && isPasswordBody(body)) accepted++;
      else if (res.status < 400 || res.status >= 500)
        bad.push(`#${i} ${t.method} ${t.path} ${type} → ${res.status} ${text.slice(0, 120)}`);
      else if (!/"error"/.test(text)) bad.push(`#${i} ${t.path}: no error body (${text.slice(0, 80)})`);
    }
    console.log(
      `fuzz: ${N} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, valid resets ${accepted}`,
    );
    expect(bad).toEqual([]);
    expect({
      users: count('users'),
      content: count('content_items'),
      broadcasts: count('broadcasts'),
    }).toEqual(before);
    expect((await fetch(`${centre.httpUrl}/healthz`)).status).toBe(200);
    // The admin's session survived, and the prototype of plain objects was not polluted.
    expect((await api.call<{ user: { username: string } }>('GET', '/api/me')).user.username).toBe('admin');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 180_000);
});
