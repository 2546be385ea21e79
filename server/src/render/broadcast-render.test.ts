import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio } from '../media/probe.ts';
import { listFiles, tempDirs, testTools } from '../media/test-support.ts';
import { renderForTerminals } from '../media/transcode.ts';
import { OfflineSpeechEngine } from '../tts/espeak-offline.ts';
import {
  type BroadcastRender,
  type BroadcastRenderRequest,
  renderBroadcastReady,
} from './broadcast-render.ts';
import { type CountyChimes, DEFAULT_CHIME_MS, ensureDefaultChimes } from './chime.ts';
import { measureEbur128 } from './ebur128.ts';
import { bandLevelDb, processesMentioning } from './render-test-support.ts';
import { makeSpeechLike } from './speech-like.ts';

const tools = testTools();
const dirs = tempDirs('dlb-render-');
let src = '';
let chimes: CountyChimes;
const at = (n: string) => path.join(src, n);
const figures: string[] = [];

beforeAll(async () => {
  src = await dirs.make();
  chimes = await ensureDefaultChimes(path.join(src, 'chimes'), tools);
  const input = {
    // 5 s of quiet speech-like audio with 1 s of silence before and 1.5 s after.
    quiet: makeSpeechLike(tools, at('quiet.wav'), {
      seconds: 5,
      level: { lufs: -35 },
      leadSilenceMs: 1000,
      tailSilenceMs: 1500,
    }),
    // 4 s pushed to -9 LUFS: clipped at full scale, as a phone recording made too close.
    loud: makeSpeechLike(tools, at('loud.wav'), { seconds: 4, level: { lufs: -9 }, seed: 3 }),
    low: makeSpeechLike(tools, at('low-tone.wav'), { seconds: 3, level: { lufs: -24 }, toneHz: 300 }),
    high: makeSpeechLike(tools, at('high-tone.wav'), { seconds: 3, level: { lufs: -18 }, toneHz: 1000 }),
    dense: makeSpeechLike(tools, at('dense.wav'), { seconds: 10, level: { lufs: -23 } }),
    long: makeSpeechLike(tools, at('long.wav'), { seconds: 60, level: { lufs: -23 } }),
  };
  const quiet = await input.quiet;
  const loud = await input.loud;
  await Promise.all(Object.values(input));
  figures.push(
    `inputs: quiet ${quiet.integrated} LUFS, loud ${loud.integrated} LUFS / ${loud.truePeak} dBTP`,
  );
  await writeFile(at('text.wav'), 'RIFF but really just text\n'.repeat(40));
  await writeFile(at('empty.mp3'), '');
}, 120_000);
afterAll(async () => {
  console.log(figures.join('\n'));
  await dirs.cleanup();
});

async function render(req: BroadcastRenderRequest) {
  const tempDir = await dirs.make();
  const started = performance.now();
  const r = await renderBroadcastReady(req, { tools, tempDir, timeoutMs: 60_000 });
  return { r, tempDir, ms: Math.round(performance.now() - started) };
}

/** The output is checked by an independent ebur128 run, not by what the render says about itself. */
async function expectOnTarget(r: BroadcastRender, label: string) {
  const m = await measureEbur128(r.path, tools);
  figures.push(
    `${label}: ${m.integrated} LUFS, ${m.truePeak} dBTP, LRA ${m.lra}, ${m.durationMs} ms, ${r.passes} pass(es)`,
  );
  expect(Math.abs(m.integrated - -16)).toBeLessThanOrEqual(1);
  expect(m.truePeak).toBeLessThanOrEqual(-1.5);
  expect(r.loudness).toEqual({ integrated: m.integrated, truePeak: m.truePeak, lra: m.lra });
  expect(r.withinTarget).toBe(true);
  return m;
}

const GAP = 800;

describe('renderBroadcastReady', () => {
  it('opens and closes with the chimes, trims the speech, normalises quiet and loud parts to -16 LUFS', async () => {
    const progress: number[] = [];
    const { r, tempDir, ms } = await render({
      parts: [at('quiet.wav'), at('loud.wav')],
      chimes,
      onProgress: (f) => progress.push(f),
    });
    const m = await expectOnTarget(r, 'quiet + loud with chimes');
    // chime + gap + 5 s (7.5 s less its silence) + gap + 4 s + gap + chime
    const expected = 2 * DEFAULT_CHIME_MS + 3 * GAP + 5000 + 4000;
    figures.push(`  ${m.durationMs} ms (expected ${expected}) rendered in ${ms} ms`);
    expect(Math.abs(r.durationMs - expected)).toBeLessThanOrEqual(100);
    expect(Math.abs(m.durationMs - expected)).toBeLessThanOrEqual(100);
    expect(Math.abs(r.trimmedMs - 2500)).toBeLessThanOrEqual(50);
    // It starts with the opening chime: its first note (C5) dominates the first 0.4 s, and it is not quiet.
    const c5 = await bandLevelDb(tools, r.path, 523.25, 0, 0.4);
    expect(c5).toBeGreaterThan(-30);
    expect(c5).toBeGreaterThan((await bandLevelDb(tools, r.path, 783.99, 0, 0.4)) + 10);
    // and ends with the closing one, whose last note is C5 too.
    const end = r.durationMs / 1000;
    expect(await bandLevelDb(tools, r.path, 523.25, end - 1.2, end - 0.8)).toBeGreaterThan(-40);
    // The gap after the opening chime is silence; the quiet part, now loud, follows.
    expect(await bandLevelDb(tools, r.path, 1000, 2.65, 3.35)).toBeLessThan(-60);
    // Progress went up only, and ended at 1.
    expect(progress.length).toBeGreaterThan(4);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    // The caller's file is the only thing left in tempDir.
    expect(await listFiles(tempDir)).toEqual([path.basename(r.path)]);
  });

  it('renders in the terminal format of media/transcode.ts', async () => {
    const { r } = await render({ parts: [at('low-tone.wav')] });
    const dest = path.join(await dirs.make(), 'ref.mp3');
    await renderForTerminals(at('low-tone.wav'), dest, tools);
    const [ours, ref] = [await probeAudio(r.path, tools), await probeAudio(dest, tools)];
    expect(ours).toEqual({ ...ref, durationMs: ours.durationMs });
    expect(ours).toMatchObject({ codec: 'mp3', channels: 1, sampleRate: 44100, formatName: 'mp3' });
  });

  it('brings a quiet part alone up to target and trims its silence', async () => {
    const { r } = await render({ parts: [at('quiet.wav')] });
    await expectOnTarget(r, 'quiet alone');
    expect(Math.abs(r.durationMs - 5000)).toBeLessThanOrEqual(100);
  });

  it('brings a clipped, loud part alone down to target under the true-peak limit', async () => {
    const { r } = await render({ parts: [at('loud.wav')] });
    await expectOnTarget(r, 'loud alone');
    expect(Math.abs(r.durationMs - 4000)).toBeLessThanOrEqual(100);
    expect(r.trimmedMs).toBeLessThanOrEqual(20);
  });

  it('keeps parts in order, each at the target level, with the pause between', async () => {
    const { r } = await render({ parts: [at('low-tone.wav'), at('high-tone.wav')], gapMs: 500 });
    await expectOnTarget(r, 'two tones');
    expect(Math.abs(r.durationMs - 6500)).toBeLessThanOrEqual(100);
    const lowFirst = await bandLevelDb(tools, r.path, 300, 0.5, 2.5);
    const highFirst = await bandLevelDb(tools, r.path, 1000, 0.5, 2.5);
    const lowLast = await bandLevelDb(tools, r.path, 300, 4, 6);
    const highLast = await bandLevelDb(tools, r.path, 1000, 4, 6);
    expect(lowFirst).toBeGreaterThan(highFirst + 20);
    expect(highLast).toBeGreaterThan(lowLast + 20);
    // Recorded 6 dB apart, they now play at the same level (each part is normalised on its own).
    expect(Math.abs(lowFirst - highLast)).toBeLessThanOrEqual(1.5);
  });

  it('corrects a first encode that LAME pushes over the true-peak limit', async () => {
    // Without its 1 dB encoder headroom the first encode of dense speech-like noise comes out of LAME over
    // -1.5 dBTP; a further one, with the limit lowered by the overshoot, hits.
    const tempDir = await dirs.make();
    const r = await renderBroadcastReady(
      { parts: [at('dense.wav')] },
      { tools, tempDir, timeoutMs: 60_000, codecHeadroomDb: 0 },
    );
    await expectOnTarget(r, 'dense speech-like, no encoder headroom (corrected)');
    expect(r.passes).toBeGreaterThan(1);
  });

  it('renders real (espeak) Mandarin speech in two versions', async () => {
    const engine = new OfflineSpeechEngine();
    try {
      const texts = [
        '各位村民请注意，明天上午八点到十二点停水，请提前做好储水准备。',
        '各位乡亲，明天上午停水，记得提前接水。',
      ];
      for (const [i, text] of texts.entries()) {
        await writeFile(at(`speech-${i}.wav`), (await engine.synthesise({ text, voice: 'cmn' })).wav);
      }
    } finally {
      await engine.close();
    }
    const { r, ms } = await render({ parts: [at('speech-0.wav'), at('speech-1.wav')], chimes });
    const m = await expectOnTarget(r, 'espeak speech with chimes');
    figures.push(`  ${m.durationMs} ms rendered in ${ms} ms`);
    expect(r.trimmedMs).toBeGreaterThan(0);
  });
});

describe('renderBroadcastReady cancellation', () => {
  it('on timeout kills ffmpeg at once and leaves nothing behind', async () => {
    const tempDir = await dirs.make();
    const started = performance.now();
    const err = await renderBroadcastReady(
      { parts: [at('long.wav')], chimes },
      { tools, tempDir, timeoutMs: 500 },
    ).catch((e: unknown) => e);
    const took = performance.now() - started;
    figures.push(`timeout 500 ms: refused after ${Math.round(took)} ms`);
    expect(err).toMatchObject({ status: 503, code: 'media_timeout' });
    expect(took).toBeLessThan(2000);
    expect(await processesMentioning(tempDir)).toEqual([]);
    expect(await listFiles(tempDir)).toEqual([]);
  });

  it('on abort (here mid-assembly) kills ffmpeg and leaves nothing behind', async () => {
    const tempDir = await dirs.make();
    const ctl = new AbortController();
    let at35 = 0;
    const err = await renderBroadcastReady(
      {
        parts: [at('long.wav')],
        onProgress: (f) => {
          if (f >= 0.35 && !at35) {
            at35 = f;
            ctl.abort();
          }
        },
      },
      { tools, tempDir, timeoutMs: 60_000, signal: ctl.signal },
    ).catch((e: unknown) => e);
    expect(at35).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'render_aborted' });
    expect(await processesMentioning(tempDir)).toEqual([]);
    expect(await listFiles(tempDir)).toEqual([]);
  });

  it('does not start when already aborted', async () => {
    const tempDir = await dirs.make();
    await expect(
      renderBroadcastReady(
        { parts: [at('quiet.wav')] },
        { tools, tempDir, timeoutMs: 60_000, signal: AbortSignal.abort() },
      ),
    ).rejects.toMatchObject({ code: 'render_aborted' });
    expect(await listFiles(tempDir)).toEqual([]);
  });
});

describe('renderBroadcastReady refusals', () => {
  it.each([
    ['text.wav', 415, 'not_audio'],
    ['empty.mp3', 422, 'empty_audio'],
    ['missing.wav', 422, 'missing_audio'],
  ])(
    'refuses %s as the second part (%i %s), naming it, and leaves nothing behind',
    async (file, status, code) => {
      const tempDir = await dirs.make();
      const err = await renderBroadcastReady(
        { parts: [at('quiet.wav'), at(file)], chimes },
        { tools, tempDir, timeoutMs: 30_000 },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ status, code });
      expect((err as Error).message).toMatch(/^第2段音频：/);
      expect(await listFiles(tempDir)).toEqual([]);
    },
  );

  it('refuses no parts at all', async () => {
    await expect(render({ parts: [] })).rejects.toMatchObject({ code: 'no_parts' });
  });
});
