import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaCache, MediaError } from './media-cache.ts';
import { tempDir } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('MediaCache', () => {
  let srv: TestMediaServer;
  const tmp = tempDir();
  let n = 0;
  const cache = (limitBytes = 10_000, retries = 0) =>
    new MediaCache({
      dir: join(tmp.dir, `c${n++}`),
      limitBytes,
      serverUrl: srv.url,
      authorization: 'Bearer 6450323101201030100010:tok',
      retries,
      retryDelayMs: 5,
    });

  beforeAll(async () => {
    srv = await startMediaServer();
  });
  afterAll(async () => {
    await srv.close();
    tmp.cleanup();
  });

  it('downloads with the terminal credentials and verifies sha256', async () => {
    const ref = srv.add('/media/ok.mp3', bytes(1000, 1));
    const c = cache();
    const path = await c.ensure(ref);
    expect(path.endsWith(`${ref.sha256}.mp3`)).toBe(true);
    expect(srv.auth.at(-1)).toBe('Bearer 6450323101201030100010:tok');
    expect(c.usage()).toEqual({ bytes: 1000, files: 1, limitBytes: 10_000 });
    await c.ensure(ref);
    expect(srv.hits.get('/media/ok.mp3')).toBe(1);
  });

  it('rejects a checksum mismatch after retrying and keeps no file', async () => {
    const ref = srv.add('/media/bad.mp3', bytes(500, 2));
    srv.replace('/media/bad.mp3', bytes(500, 3));
    const c = cache(10_000, 2);
    const err = await c.ensure(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).reason).toBe('checksum-mismatch');
    expect(srv.hits.get('/media/bad.mp3')).toBe(3);
    const dir = join(tmp.dir, `c${n - 1}`);
    expect(readdirSync(dir).filter((f) => f !== 'index.json')).toEqual([]);
    expect(c.has(ref.sha256)).toBe(false);
  });

  it('reports an HTTP error as download-failed', async () => {
    const c = cache();
    const ref = {
      sha256: 'f'.repeat(64),
      path: '/media/missing.mp3',
      bytes: 10,
      durationMs: 100,
      mime: 'audio/mpeg',
    };
    await expect(c.ensure(ref)).rejects.toMatchObject({ reason: 'download-failed' });
  });

  it('evicts least recently used files to stay under the limit, never a pinned one', async () => {
    const a = srv.add('/media/a.mp3', bytes(400, 10));
    const b = srv.add('/media/b.mp3', bytes(400, 11));
    const c3 = srv.add('/media/c.mp3', bytes(400, 12));
    const d = srv.add('/media/d.mp3', bytes(400, 13));
    let t = 0;
    const c = new MediaCache({
      dir: join(tmp.dir, 'lru'),
      limitBytes: 1000,
      serverUrl: srv.url,
      authorization: 'x',
      retries: 0,
      now: () => ++t,
    });
    await c.ensure(a);
    await c.ensure(b);
    c.pin(a.sha256); // a is queued: older, but in use
    await c.ensure(c3); // needs room: evicts b (a is pinned)
    expect(c.has(a.sha256)).toBe(true);
    expect(c.has(b.sha256)).toBe(false);
    expect(c.usage().bytes).toBeLessThanOrEqual(1000);
    c.pin(c3.sha256);
    // a and c are both in use: no room for d
    await expect(c.ensure(d)).rejects.toMatchObject({ reason: 'cache-full' });
    c.unpin(a.sha256);
    await c.ensure(d); // now a goes
    expect(c.has(a.sha256)).toBe(false);
    expect(c.has(c3.sha256)).toBe(true);
    expect(existsSync(c.pathOf(d.sha256)!)).toBe(true);
    // the index survives a reopen
    const again = new MediaCache({
      dir: join(tmp.dir, 'lru'),
      limitBytes: 1000,
      serverUrl: srv.url,
      authorization: 'x',
    });
    expect(again.usage()).toEqual({ bytes: 800, files: 2, limitBytes: 1000 });
  });

  it('shares one download among concurrent requests for the same file', async () => {
    const ref = srv.add('/media/shared.mp3', bytes(2000, 7));
    srv.delayMs = 50;
    const c = cache();
    const paths = await Promise.all([c.ensure(ref), c.ensure(ref), c.ensure(ref)]);
    srv.delayMs = 0;
    expect(new Set(paths).size).toBe(1);
    expect(srv.hits.get('/media/shared.mp3')).toBe(1);
  });
});
