import { createHash } from 'node:crypto';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaStore } from './store.ts';
import { listFiles, tempDirs } from './test-support.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function freshStore() {
  const root = await dirs.make();
  const store = new MediaStore(root);
  const temp = async (content: string) => {
    const p = store.tempPath('.mp3');
    await writeFile(p, content);
    return p;
  };
  return { root, store, temp };
}

describe('MediaStore', () => {
  it('moves a temp file in under its sha256, sharded by the first two hex digits', async () => {
    const { root, store, temp } = await freshStore();
    const t = await temp('hello audio');
    const r = await store.put(t);
    expect(r).toEqual({ sha256: sha('hello audio'), bytes: 11 });
    expect(store.pathOf(r.sha256)).toBe(path.join(root, r.sha256.slice(0, 2), `${r.sha256}.mp3`));
    expect(await readFile(store.pathOf(r.sha256), 'utf8')).toBe('hello audio');
    expect(await store.has(r.sha256)).toBe(true);
    expect(await store.tempFiles()).toEqual([]);
  });

  it('keeps one copy of the same content and drops the second temp file', async () => {
    const { root, store, temp } = await freshStore();
    const a = await store.put(await temp('same'));
    const b = await store.put(await temp('same'));
    expect(b).toEqual(a);
    expect(await listFiles(root)).toEqual([path.join(a.sha256.slice(0, 2), `${a.sha256}.mp3`)]);
  });

  it('replaces a damaged copy (same name, wrong size)', async () => {
    const { store, temp } = await freshStore();
    const { sha256 } = await store.put(await temp('the real content'));
    await writeFile(store.pathOf(sha256), 'short');
    await store.put(await temp('the real content'));
    expect(await readFile(store.pathOf(sha256), 'utf8')).toBe('the real content');
  });

  it('keeps the temp directory inside the root, so moving in is a rename on one filesystem', async () => {
    const { root, store } = await freshStore();
    expect(path.dirname(store.tmpDir())).toBe(root);
    expect((await stat(store.tmpDir())).dev).toBe((await stat(root)).dev);
    expect(path.dirname(store.tempPath('.x'))).toBe(store.tmpDir());
    expect(store.tempPath()).not.toBe(store.tempPath());
  });

  it('refuses anything but a sha256 as a name', async () => {
    const { store } = await freshStore();
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(64)}/..`, '']) {
      expect(() => store.pathOf(bad)).toThrow(expect.objectContaining({ status: 400, code: 'bad_sha256' }));
      expect(await store.has(bad)).toBe(false);
    }
    expect(await store.has('b'.repeat(64))).toBe(false);
  });

  it('removes a stored file', async () => {
    const { store, temp } = await freshStore();
    const { sha256 } = await store.put(await temp('to delete'));
    expect(await store.remove(sha256)).toBe(true);
    expect(await store.has(sha256)).toBe(false);
    expect(await store.remove(sha256)).toBe(false);
  });

  it('fails cleanly for a temp file that does not exist', async () => {
    const { store } = await freshStore();
    await expect(store.put(store.tempPath('.mp3'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sweeps temp leftovers: everything at start-up, only old ones when given an age', async () => {
    const { store, temp } = await freshStore();
    const old = await temp('crashed render');
    const fresh = await temp('upload in progress');
    const past = new Date(Date.now() - 3_600_000);
    await utimes(old, past, past);
    expect(await store.sweepTemp({ olderThanMs: 600_000 })).toBe(1);
    expect(await store.tempFiles()).toEqual([path.basename(fresh)]);
    expect(await store.sweepTemp()).toBe(1);
    expect(await store.tempFiles()).toEqual([]);
  });
});
