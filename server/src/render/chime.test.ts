import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, listFiles, sine, tempDirs, testTools } from '../media/test-support.ts';
import {
  CHIME_MAX_MS,
  countyChimes,
  DEFAULT_CHIME_MS,
  defaultChimePath,
  ensureDefaultChimes,
  validateChimeFile,
} from './chime.ts';
import { measureEbur128 } from './ebur128.ts';
import { bandLevelDb } from './render-test-support.ts';

const tools = testTools();
const dirs = tempDirs('dlb-render-');
let src = '';
const at = (n: string) => path.join(src, n);
const [C5, E5, G5] = [523.25, 659.25, 783.99];

beforeAll(async () => {
  src = await dirs.make();
  await Promise.all([
    ffmpeg(tools, [...sine(3, 880)], at('own.wav')),
    ffmpeg(tools, [...sine(3, 880), '-c:a', 'libmp3lame'], at('own.mp3')),
    ffmpeg(tools, [...sine(20, 880)], at('long.wav')),
    ffmpeg(tools, ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '2'], at('silent.wav')),
  ]);
  await writeFile(at('text.mp3'), 'this is a text file, not a chime\n');
  await writeFile(at('empty.wav'), '');
});
afterAll(() => dirs.cleanup());

describe('default chimes', () => {
  it('are generated once, whole, 2.6 s each, audible, and reused after', async () => {
    const dir = path.join(await dirs.make(), 'chimes');
    const c = await ensureDefaultChimes(dir, tools);
    expect(c).toEqual({ open: defaultChimePath(dir, 'open'), close: defaultChimePath(dir, 'close') });
    expect(await listFiles(dir)).toEqual(['chime-close-v1.wav', 'chime-open-v1.wav']);
    for (const f of [c.open, c.close]) {
      const m = await measureEbur128(f, tools);
      expect(m.durationMs).toBe(DEFAULT_CHIME_MS);
      expect(m.integrated).toBeGreaterThan(-24);
      expect(m.truePeak).toBeLessThan(-3);
    }
    const before = (await stat(c.open)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await ensureDefaultChimes(dir, tools);
    expect((await stat(c.open)).mtimeMs).toBe(before);
  });

  it('are the same bytes every time (deterministic), even when generated concurrently', async () => {
    const [a, b] = [await dirs.make(), await dirs.make()];
    const [ca] = await Promise.all([ensureDefaultChimes(a, tools), ensureDefaultChimes(a, tools)]);
    const cb = await ensureDefaultChimes(b, tools);
    expect(await readFile(ca.open)).toEqual(await readFile(cb.open));
    expect(await readFile(ca.close)).toEqual(await readFile(cb.close));
    expect(await listFiles(a)).toEqual(['chime-close-v1.wav', 'chime-open-v1.wav']);
  });

  it('rise C5-E5-G5 to open and fall G5-E5-C5 to close', async () => {
    const c = await ensureDefaultChimes(await dirs.make(), tools);
    // The first 0.4 s holds only the first note; by 1.0-1.4 s the last note dominates.
    const first = async (f: string, hz: number) => bandLevelDb(tools, f, hz, 0, 0.4);
    const late = async (f: string, hz: number) => bandLevelDb(tools, f, hz, 1.0, 1.4);
    expect(await first(c.open, C5)).toBeGreaterThan((await first(c.open, G5)) + 10);
    expect(await late(c.open, G5)).toBeGreaterThan((await late(c.open, C5)) + 6);
    expect(await first(c.close, G5)).toBeGreaterThan((await first(c.close, C5)) + 10);
    expect(await late(c.close, C5)).toBeGreaterThan((await late(c.close, G5)) + 6);
    expect(await first(c.open, E5)).toBeLessThan(await first(c.open, C5));
  });
});

describe('a county’s own chime', () => {
  it('is accepted when it is real audio of at most 15 s', async () => {
    expect(await validateChimeFile(at('own.wav'), tools)).toEqual({ durationMs: 3000 });
    expect((await validateChimeFile(at('own.mp3'), tools)).durationMs).toBeGreaterThanOrEqual(3000);
  });

  it.each([
    ['long.wav', 422, 'chime_too_long', `不能超过 ${CHIME_MAX_MS / 1000} 秒`],
    ['silent.wav', 422, 'silent_audio', '没有声音'],
    ['text.mp3', 415, 'not_audio', '不是可解码的音频'],
    ['empty.wav', 422, 'empty_audio', '音频为空'],
    ['missing.wav', 422, 'missing_audio', '不存在'],
  ])('refuses %s (%i %s) naming which chime', async (file, status, code, words) => {
    const err = await validateChimeFile(at(file), tools, { kind: 'close' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status, code });
    expect((err as Error).message).toMatch(/^结束提示音：/);
    expect((err as Error).message).toContain(words);
  });

  it('replaces the default where configured; the default fills in the other', async () => {
    const dir = await dirs.make();
    const c = await countyChimes({ open: at('own.mp3') }, dir, tools);
    expect(c).toEqual({ open: at('own.mp3'), close: defaultChimePath(dir, 'close') });
    await expect(countyChimes({ close: at('long.wav') }, dir, tools)).rejects.toMatchObject({
      code: 'chime_too_long',
    });
  });
});
