import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAudio } from './ingest.ts';
import { hashFile, MediaStore } from './store.ts';
import { ffmpeg, listFiles, sine, tempDirs, testTools, vbrWithoutXing } from './test-support.ts';

const tools = testTools();
const dirs = tempDirs();
let src = '';
let root = '';
let store: MediaStore;
const at = (name: string) => path.join(src, name);
const deps = (maxDurationMs = 60_000) => ({ tools, store, maxDurationMs });

/** Ingest consumes its input, so each call gets its own copy in the store's temp dir, as an upload would. */
async function upload(name: string): Promise<string> {
  const p = store.tempPath('.part');
  await copyFile(at(name), p);
  return p;
}

/** Deterministic garbage, enough to wreck a few frames. */
function garbage(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

beforeAll(async () => {
  [src, root] = [await dirs.make(), await dirs.make()];
  store = new MediaStore(root);
  await Promise.all([
    ffmpeg(tools, [...sine(2), '-ac', '2'], at('tone.wav')),
    ffmpeg(tools, [...sine(2, 500), '-c:a', 'libmp3lame'], at('tone.mp3')),
    ffmpeg(tools, [...sine(2, 600), '-c:a', 'libvorbis'], at('tone.ogg')),
    ffmpeg(tools, [...sine(2, 650), '-c:a', 'aac'], at('tone.m4a')),
    ffmpeg(tools, [...sine(1, 700), '-c:a', 'libopus', '-f', 'webm', '-live', '1'], at('live.webm')),
    ffmpeg(tools, [...sine(8), '-c:a', 'libmp3lame', '-b:a', '32k'], at('long.mp3')),
    ffmpeg(tools, [...sine(70), '-c:a', 'libmp3lame', '-b:a', '8k'], at('seventy-seconds.mp3')),
    ffmpeg(tools, ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '2'], at('silent.wav')),
    ffmpeg(tools, vbrWithoutXing(6), at('vbr-noxing.mp3')),
  ]);
  const wav = await readFile(at('tone.wav'));
  await writeFile(at('half.wav'), wav.subarray(0, wav.length / 2)); // on a sample boundary: decodes cleanly
  const header = Buffer.from(wav.subarray(0, wav.indexOf('data') + 8));
  await writeFile(at('header-only.wav'), header); // cut off right after the header: its RIFF size says more
  header.writeUInt32LE(header.length - 8, 4);
  header.writeUInt32LE(0, header.length - 4);
  await writeFile(at('no-samples.wav'), header); // a consistent WAV of zero samples
  const mp3 = await readFile(at('long.mp3'));
  await writeFile(at('cut.mp3'), mp3.subarray(0, Math.floor(mp3.length / 3)));
  const damaged = Buffer.from(mp3);
  garbage(600).copy(damaged, Math.floor(damaged.length / 2));
  await writeFile(at('damaged.mp3'), damaged);
  await writeFile(at('text.mp3'), '<html>这不是音频</html>\n'.repeat(50));
  await writeFile(at('zero.mp3'), '');
});
afterAll(() => dirs.cleanup());

describe('ingestAudio', () => {
  it.each([
    ['tone.wav', 'pcm_s16le'],
    ['tone.mp3', 'mp3'],
    ['tone.ogg', 'vorbis'],
    ['tone.m4a', 'aac'],
  ])('renders and stores %s', async (name, codec) => {
    const input = await upload(name);
    const r = await ingestAudio(input, deps());
    expect(r.mime).toBe('audio/mpeg');
    expect(r.sourceProbe.codec).toBe(codec);
    expect(Math.abs(r.durationMs - 2000)).toBeLessThanOrEqual(100);
    expect(await hashFile(store.pathOf(r.sha256))).toEqual({ sha256: r.sha256, bytes: r.bytes });
    await expect(stat(input)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.tempFiles()).toEqual([]);
  });

  it('stores the same upload once', async () => {
    const a = await ingestAudio(await upload('tone.wav'), deps());
    const before = await listFiles(root);
    const b = await ingestAudio(await upload('tone.wav'), deps());
    expect(b.sha256).toBe(a.sha256);
    expect(await listFiles(root)).toEqual(before);
    expect(before.filter((f) => f.includes(a.sha256))).toHaveLength(1);
  });

  it('accepts a browser recording whose container states no length', async () => {
    const r = await ingestAudio(await upload('live.webm'), deps());
    expect(r.sourceProbe.durationSource).toBe('unknown');
    expect(Math.abs(r.durationMs - 1000)).toBeLessThanOrEqual(100);
  });

  it('judges a VBR MP3 without Xing header by what decodes, not by the wrong estimate', async () => {
    const r = await ingestAudio(await upload('vbr-noxing.mp3'), deps(10_000));
    expect(r.sourceProbe.durationSource).toBe('estimated');
    expect(r.sourceProbe.durationMs).toBeGreaterThan(10_000); // the estimate alone would have refused it
    expect(Math.abs(r.durationMs - 6000)).toBeLessThanOrEqual(100);
  });

  describe('refuses, leaving nothing behind', () => {
    it.each([
      ['text.mp3', 415, 'not_audio', 60_000],
      ['zero.mp3', 415, 'not_audio', 60_000],
      ['no-samples.wav', 422, 'empty_audio', 60_000],
      ['header-only.wav', 422, 'truncated_audio', 60_000],
      ['half.wav', 422, 'truncated_audio', 60_000],
      ['cut.mp3', 422, 'truncated_audio', 60_000],
      ['damaged.mp3', 422, 'corrupt_audio', 60_000],
      ['silent.wav', 422, 'silent_audio', 60_000],
      ['seventy-seconds.mp3', 422, 'too_long', 60_000],
      ['vbr-noxing.mp3', 422, 'too_long', 3_000],
    ])('%s → %i %s', async (name, status, code, maxDurationMs) => {
      const before = await listFiles(root);
      const input = await upload(name);
      const err = await ingestAudio(input, deps(maxDurationMs)).catch((e: unknown) => e);
      expect(err).toMatchObject({ status, code });
      expect((err as Error).message).toMatch(/[\u4e00-\u9fa5]/);
      expect((err as Error).message).not.toContain(root);
      await expect(stat(input)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await listFiles(root)).toEqual(before.filter((f) => !f.startsWith('tmp')));
    });

    it('says the limit in minutes', async () => {
      await expect(ingestAudio(await upload('seventy-seconds.mp3'), deps(60_000))).rejects.toThrow(
        '音频时长超过上限 1 分钟',
      );
    });
  });
});
