import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../server/src/api/app.ts';
import { tempDir } from './helpers/fleet.ts';
import {
  ACTORS,
  type ActorKey,
  MatrixWorld,
  STAFF,
  type StaffKey,
  type Where,
} from './helpers/matrix-world.ts';
import { type Req, ROUTE_MATRIX, type RouteCase } from './helpers/route-matrix.ts';

const WHO: readonly ActorKey[] = [...STAFF, 'anonymous', 'terminal'];

/** What the table says should happen. */
function expected(c: RouteCase, who: ActorKey, where: Where): 'allow' | 'deny' {
  if (c.who === 'public') return 'allow';
  if (c.who === 'terminal') return who === 'terminal' ? 'allow' : 'deny';
  if (who === 'anonymous' || who === 'terminal') return 'deny';
  if (c.who === 'session') return 'allow';
  if (!c.who.includes(who)) return 'deny';
  const countyWide = ACTORS[who as StaffKey].scope === null;
  return !c.scoped || where === 'in' || countyWide ? 'allow' : 'deny';
}

async function send(w: MatrixWorld, who: ActorKey, req: Req): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  let token = w.tokens.get(who);
  if (req.freshSession && who !== 'anonymous' && who !== 'terminal') token = await w.login(who);
  if (token) headers.authorization = `Bearer ${token}`;
  let body: NonNullable<RequestInit['body']> | undefined;
  if (req.raw) {
    body = req.raw.body;
    if (req.raw.contentType) headers['content-type'] = req.raw.contentType;
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(w.centre.httpUrl + req.path, { method: req.method, headers, body });
  return { status: res.status, text: await res.text() };
}

/** What happened: past the checks (allow), refused (deny), or something the fixture did not intend. */
function observed(c: RouteCase, req: Req, r: { status: number; text: string }): 'allow' | 'deny' | string {
  if ([401, 403, 404].includes(r.status)) return 'deny';
  if (r.status >= 200 && r.status < 300) {
    if (c.list && req.find) return r.text.includes(req.find) ? 'allow' : 'deny';
    return 'allow';
  }
  if (c.passed?.includes(r.status)) return 'allow';
  return `HTTP ${r.status} ${r.text.slice(0, 200)}`;
}

describe('permission matrix: every role × every API route × in-scope / out-of-scope', () => {
  const tmp = tempDir('dlb-matrix-');
  let w: MatrixWorld;
  beforeAll(async () => {
    w = await MatrixWorld.create(tmp.dir);
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await tmp.cleanup();
  });

  it('has a rule for every route the server serves, and no rule for a route it does not', () => {
    const served = allRoutes(w.centre.services).map((r) => `${r.method} ${r.path}`);
    expect(Object.keys(ROUTE_MATRIX).sort()).toEqual([...served].sort());
  });

  it('allows and refuses exactly as the table says', async () => {
    const mismatches: string[] = [];
    let cases = 0;
    for (const [route, c] of Object.entries(ROUTE_MATRIX)) {
      for (const who of WHO) {
        for (const where of c.scoped ? (['in', 'out'] as const) : (['in'] as const)) {
          const req = await c.make(w, where);
          const r = await send(w, who, req);
          const got = observed(c, req, r);
          const want = expected(c, who, where);
          cases += 1;
          if (got !== want) mismatches.push(`${route} as ${who} (${where}): expected ${want}, got ${got}`);
        }
      }
    }
    console.log(`permission matrix: ${cases} cases over ${Object.keys(ROUTE_MATRIX).length} routes`);
    expect(mismatches).toEqual([]);
    // The county admin is still logged in: none of the above ended its session or broke the centre.
    expect((await send(w, 'county_admin', { method: 'GET', path: '/api/me' })).status).toBe(200);
  }, 300_000);
});
