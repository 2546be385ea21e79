import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../server/src/api/app.ts';
import type { Centre } from '../server/src/centre.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

/** Values that pass each path parameter's shape, so the auth check (not validation) decides. */
const SAMPLE_PARAMS: Record<string, string> = {
  id: '64503231012000301000100',
  sha256: 'a'.repeat(64),
};

describe('every route states who may call it, and refuses everyone else', () => {
  const tmp = tempDir('dlb-routes-');
  let centre: Centre;
  beforeAll(async () => {
    ({ centre } = await startInProcessCentre(tmp.dir));
  });
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it('has an auth rule on every route (generated over the whole API)', () => {
    const routes = allRoutes(centre.services);
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) expect(r.auth, `${r.method} ${r.path}`).toBeDefined();
    const publicRoutes = routes.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.path}`);
    // The CAP feed authenticates its sources itself (their own credentials, not staff sessions).
    expect(publicRoutes.sort()).toEqual([
      'get /api/openapi.json',
      'get /healthz',
      'post /api/auth/login',
      'post /api/cap',
    ]);
  });

  it('answers 401 to every non-public route without credentials, and with a forged token', async () => {
    for (const r of allRoutes(centre.services)) {
      if (r.auth === 'public') continue;
      const url =
        centre.httpUrl + r.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      for (const authorization of [undefined, 'Bearer forged-token', `Bearer ${SAMPLE_PARAMS.id}:forged`]) {
        const res = await fetch(url, {
          method: r.method.toUpperCase(),
          headers: authorization ? { authorization } : {},
        });
        expect(res.status, `${r.method} ${r.path} with ${authorization ?? 'nothing'}`).toBe(401);
      }
    }
  });

  it('serves an OpenAPI document listing every route', async () => {
    const doc = (await (await fetch(`${centre.httpUrl}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of allRoutes(centre.services)) {
      const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(doc.paths[p]?.[r.method], `${r.method} ${p}`).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/broadcasts']?.post)).toContain('terminals');
  });
});
