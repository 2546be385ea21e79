import { writeFile } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { sendMediaFile } from './serve-range.ts';
import { tempDirs } from './test-support.ts';

const dirs = tempDirs();
const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const ETAG = 'a'.repeat(64);
let server: http.Server;
let base = '';

beforeAll(async () => {
  const dir = await dirs.make();
  await writeFile(path.join(dir, 'clip.mp3'), content);
  const app = express();
  app.all('/media/:name', async (req, res) => {
    await sendMediaFile(req, res, path.join(dir, req.params.name as string), {
      mime: 'audio/mpeg',
      etag: ETAG,
    });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isAppError(err)) res.status(err.status).json({ error: { code: err.code, message: err.message } });
    else res.status(500).end();
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await dirs.cleanup();
});

async function get(headers: Record<string, string> = {}, method = 'GET', name = 'clip.mp3') {
  const res = await fetch(`${base}/media/${name}`, { method, headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('sendMediaFile', () => {
  it('sends the whole file with type, length, ETag and Accept-Ranges', async () => {
    const { res, body } = await get();
    expect(res.status).toBe(200);
    expect(body.equals(content)).toBe(true);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe(`"${ETAG}"`);
    expect(res.headers.get('content-range')).toBeNull();
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-199', 100, 199],
    ['bytes=900-', 900, 999],
    ['bytes=-10', 990, 999],
    ['bytes=950-5000', 950, 999],
  ])('answers %s with 206 and exactly those bytes', async (range, start, end) => {
    const { res, body } = await get({ range });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(body.equals(content.subarray(start, end + 1))).toBe(true);
  });

  it('answers a range past the end with 416 and the size', async () => {
    const { res, body } = await get({ range: 'bytes=1000-' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */1000');
    expect(body.length).toBe(0);
  });

  it('answers several ranges with the whole file', async () => {
    const { res, body } = await get({ range: 'bytes=0-1,5-6' });
    expect(res.status).toBe(200);
    expect(body.length).toBe(1000);
  });

  it('answers HEAD with the headers only', async () => {
    const full = await get({}, 'HEAD');
    expect(full.res.status).toBe(200);
    expect(full.res.headers.get('content-length')).toBe('1000');
    expect(full.body.length).toBe(0);
    const part = await get({ range: 'bytes=10-19' }, 'HEAD');
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(part.body.length).toBe(0);
  });

  it('answers If-None-Match with 304 (also weak, listed or *)', async () => {
    for (const inm of [`"${ETAG}"`, `W/"${ETAG}"`, `"other", "${ETAG}"`, '*']) {
      const { res, body } = await get({ 'if-none-match': inm, range: 'bytes=0-9' });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(`"${ETAG}"`);
      expect(body.length).toBe(0);
    }
    expect((await get({ 'if-none-match': '"other"' })).res.status).toBe(200);
  });

  it('resumes only the same file (If-Range)', async () => {
    expect((await get({ range: 'bytes=10-19', 'if-range': `"${ETAG}"` })).res.status).toBe(206);
    const changed = await get({ range: 'bytes=10-19', 'if-range': '"something-else"' });
    expect(changed.res.status).toBe(200);
    expect(changed.body.length).toBe(1000);
  });

  it('answers a missing file with 404, and other methods with 405', async () => {
    const missing = await get({}, 'GET', 'gone.mp3');
    expect(missing.res.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe('media_file_missing');
    const post = await get({}, 'POST');
    expect(post.res.status).toBe(405);
    expect(post.res.headers.get('allow')).toBe('GET, HEAD');
  });
});
