import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { tempDirs } from './test-support.ts';
import { receiveUpload } from './upload.ts';

const MAX = 100 * 1024;
const dirs = tempDirs();
let tmpDir = '';
let server: http.Server;
let base = '';
let settledUploads = 0;

beforeAll(async () => {
  tmpDir = await dirs.make();
  const app = express();
  app.post('/upload', async (req, res) => {
    try {
      const u = await receiveUpload(req, { maxBytes: MAX, tmpDir });
      const content = await readFile(u.tempPath);
      await rm(u.tempPath);
      res.json({ ...u, sha256: createHash('sha256').update(content).digest('hex') });
    } finally {
      settledUploads += 1;
    }
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isAppError(err)) res.status(err.status).json({ error: { code: err.code, message: err.message } });
    else res.status(500).json({ error: { code: 'internal' } });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await dirs.cleanup();
});

const bytes = (n: number, seed = 1) => Buffer.alloc(n, seed);

async function post(form: FormData | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/upload`, { method: 'POST', body: form, headers });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

function formWith(
  files: Array<[field: string, content: Buffer, name: string]>,
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [field, content, name] of files) form.append(field, new Blob([content]), name);
  return form;
}

async function expectRefused(p: ReturnType<typeof post>, status: number, code: string) {
  const r = await p;
  expect(r.status).toBe(status);
  expect(r.body.error?.code).toBe(code);
  expect(r.body.error?.message).toMatch(/[\u4e00-\u9fa5]/);
  expect(await readdir(tmpDir)).toEqual([]);
  return r.body.error!.message;
}

describe('receiveUpload', () => {
  it('streams the file to a temp file and returns it with its name and the text fields', async () => {
    const content = bytes(MAX, 7); // exactly at the limit is fine
    const r = await post(
      formWith([['file', content, '大圩镇/防汛通知.wav']], { title: '防汛通知', note: '' }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      originalName: '防汛通知.wav',
      bytes: MAX,
      fields: { title: '防汛通知', note: '' },
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(dirOf(r.body.tempPath as string)).toBe(tmpDir);
  });

  it('refuses a file over the limit with 413 while streaming, leaving no temp file', async () => {
    const msg = await expectRefused(
      post(formWith([['file', bytes(MAX + 1), 'big.wav']])),
      413,
      'payload_too_large',
    );
    expect(msg).toBe('文件超过上限 0.1 MB');
  });

  it('refuses a declared size far over the limit before reading the body', async () => {
    await expectRefused(
      post(formWith([['file', bytes(4 * 1024 * 1024), 'huge.wav']])),
      413,
      'payload_too_large',
    );
  });

  it('refuses a body that is not multipart with 415', async () => {
    await expectRefused(post('abc', { 'content-type': 'text/plain' }), 415, 'unsupported_media');
    await expectRefused(post('{}', { 'content-type': 'application/json' }), 415, 'unsupported_media');
  });

  it('refuses a form without a file part, or with no file chosen', async () => {
    await expectRefused(post(formWith([], { title: '没有文件' })), 400, 'no_file');
    await expectRefused(post(formWith([['file', bytes(0), '']])), 400, 'no_file');
  });

  it('refuses an empty file with 422', async () => {
    await expectRefused(post(formWith([['file', bytes(0), 'empty.wav']])), 422, 'empty_file');
  });

  it('refuses more than one file, and a file in another field', async () => {
    const two = formWith([
      ['file', bytes(1000), 'a.wav'],
      ['file', bytes(1000), 'b.wav'],
    ]);
    await expectRefused(post(two), 400, 'too_many_files');
    await expectRefused(post(formWith([['audio', bytes(1000), 'a.wav']])), 400, 'unexpected_file_field');
  });

  it('limits the text fields too', async () => {
    await expectRefused(
      post(formWith([['file', bytes(10), 'a.wav']], { title: 'x'.repeat(9000) })),
      400,
      'field_too_large',
    );
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, 'v']));
    await expectRefused(post(formWith([['file', bytes(10), 'a.wav']], many)), 400, 'too_many_fields');
  });

  it('cleans up after a client that disconnects mid-upload', async () => {
    const before = settledUploads;
    const boundary = 'xxBOUNDARYxx';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
    const req = http.request(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '90000' },
    });
    req.on('error', () => {});
    req.write(head + 'R'.repeat(20_000));
    // Wait until the server has started writing the temp file, then vanish.
    for (let i = 0; i < 100 && (await readdir(tmpDir)).length === 0; i++) await sleep(10);
    expect(await readdir(tmpDir)).toHaveLength(1);
    req.destroy();
    for (let i = 0; i < 100 && settledUploads === before; i++) await sleep(20);
    expect(settledUploads).toBe(before + 1);
    expect(await readdir(tmpDir)).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'));
