import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStatic } from '../../server/src/api/console-static.ts';
import { tempDir } from '../helpers/fleet.ts';

/** The centre's serving of the built console: caching, SPA fallback, and the page shown before a build. */
describe('console static serving', () => {
  const tmp = tempDir('dlb-console-static-');
  const built = path.join(tmp.dir, 'dist');
  const servers: Array<{ close: () => void }> = [];

  function serve(dir: string): Promise<string> {
    const app = express();
    app.get('/api/known', (_req, res) => void res.json({ ok: true }));
    app.use(
      '/api',
      (_req, res) => void res.status(404).json({ error: { code: 'not_found', message: '没有这个接口' } }),
    );
    app.use(consoleStatic(dir));
    return new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`),
      );
      servers.push(s);
    });
  }

  beforeAll(() => {
    mkdirSync(path.join(built, 'assets'), { recursive: true });
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>控制台</title>');
    writeFileSync(path.join(built, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await tmp.cleanup();
  });

  it('serves index.html uncached at / and at every console path, hashed assets for a year', async () => {
    const base = await serve(built);
    for (const p of ['/', '/overview', '/terminals/64503231010010301000100', '/content/new?mode=text']) {
      const r = await fetch(base + p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await r.text()).toContain('控制台');
    }
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect((await fetch(`${base}/assets/gone-123.js`)).status).toBe(404);
  });

  it('never answers the API, terminal or socket paths with the console', async () => {
    const base = await serve(built);
    expect(await (await fetch(`${base}/api/known`)).json()).toEqual({ ok: true });
    const unknown = await fetch(`${base}/api/unknown`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    for (const p of ['/t/nothing', '/socket.io/x', '/healthz']) {
      const r = await fetch(base + p);
      expect(r.status, p).toBe(404);
      expect(await r.text(), p).not.toContain('控制台');
    }
    expect((await fetch(`${base}/overview`, { method: 'POST' })).status).toBe(404);
  });

  it('explains in Chinese how to build the console when it has not been built', async () => {
    const base = await serve(path.join(tmp.dir, 'missing'));
    const r = await fetch(`${base}/overview`);
    expect(r.status).toBe(503);
    const html = await r.text();
    expect(html).toContain('控制台尚未构建');
    expect(html).toContain('npm run build:console');
  });
});
