import { readdir, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../media/test-support.ts';
import { cacheKey, SpeechCache } from './speech-cache.ts';

const dirs = tempDirs('dlb-tts-cache-');
afterAll(() => dirs.cleanup());

const META = { engine: 'espeak-ng' as const, voice: 'espeak:cmn', durationMs: 1000, notes: [], sentences: 1 };
const wavOf = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('cacheKey', () => {
  it('is the same for the same parts in any key order, different for any change', () => {
    const a = cacheKey({ voice: 'espeak:cmn', rate: 0, sentences: [['你好。', []]] });
    expect(cacheKey({ sentences: [['你好。', []]], rate: 0, voice: 'espeak:cmn' })).toBe(a);
    expect(cacheKey({ voice: 'espeak:cmn', rate: 1, sentences: [['你好。', []]] })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('SpeechCache', () => {
  it('stores and returns an entry, leaving only the entry files behind', async () => {
    const dir = await dirs.make();
    const cache = new SpeechCache({ dir });
    const key = cacheKey('a');
    expect(await cache.get(key)).toBeNull();
    await cache.put(key, wavOf(100), META);
    const hit = await cache.get(key);
    expect(hit?.wav).toEqual(wavOf(100));
    expect(hit?.meta).toMatchObject({ ...META, bytes: 100 });
    expect((await readdir(dir)).sort()).toEqual([`${key}.json`, `${key}.wav`]);
  });

  it('drops a damaged entry instead of returning it', async () => {
    const dir = await dirs.make();
    const cache = new SpeechCache({ dir });
    const key = cacheKey('b');
    await cache.put(key, wavOf(100), META);
    await truncate(path.join(dir, `${key}.wav`), 40);
    expect(await cache.get(key)).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps under its size by dropping the least recently used entries', async () => {
    const dir = await dirs.make();
    let now = Date.parse('2025-03-15T08:00:00Z');
    const cache = new SpeechCache({ dir, maxBytes: 4000, now: () => now });
    const keys = ['k1', 'k2', 'k3', 'k4'].map(cacheKey);
    for (const k of keys.slice(0, 3)) {
      now += 60_000;
      await cache.put(k, wavOf(1000), META);
    }
    now += 60_000;
    expect(await cache.get(keys[0]!)).not.toBeNull(); // k1 is now the most recently used
    now += 60_000;
    await cache.put(keys[3]!, wavOf(1000), META);
    expect(await cache.get(keys[1]!)).toBeNull(); // k2 was the least recently used
    for (const k of [keys[0]!, keys[2]!, keys[3]!]) expect(await cache.get(k)).not.toBeNull();
    expect(await cache.size()).toBeLessThanOrEqual(4000);
  });

  it('removes temp files and half-written entries left by a crash, once they are old', async () => {
    const dir = await dirs.make();
    const now = Date.now();
    const cache = new SpeechCache({ dir, now: () => now });
    const orphan = path.join(dir, `${cacheKey('orphan')}.wav`);
    const temp = path.join(dir, '.tmp-0123456789abcdef');
    const fresh = path.join(dir, '.tmp-fresh');
    for (const f of [orphan, temp, fresh]) await writeFile(f, 'x');
    const old = new Date(now - 3_600_000);
    for (const f of [orphan, temp]) await utimes(f, old, old);
    await cache.prune();
    expect(await readdir(dir)).toEqual(['.tmp-fresh']);
  });
});
