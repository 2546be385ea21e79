import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { runTool } from '../media/run-tool.ts';
import { tempDirs, testTools } from '../media/test-support.ts';
import { OfflineSpeechEngine, type SpeechRequest } from './espeak-offline.ts';

const tools = testTools();
const dirs = tempDirs('dlb-tts-');
const engine = new OfflineSpeechEngine();
let dir = '';

const ALERT = '灵川县气象台发布暴雨红色预警，请群众注意防范。';
const charsOf = (t: string) => [...t].length;

/** ffmpeg's volumedetect mean volume (dB) of a WAV buffer: speech from espeak sits around -19 dB. */
async function meanVolume(wav: Buffer, name: string): Promise<number> {
  const file = path.join(dir, name);
  await writeFile(file, wav);
  const r = await runTool(
    tools.ffmpeg,
    ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-af', 'volumedetect', '-f', 'null', '-'],
    { timeoutMs: 30_000 },
  );
  const m = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(r.stderr);
  if (r.code !== 0 || !m) throw new Error(`volumedetect failed: ${r.stderr.slice(-300)}`);
  return m[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(m[1]);
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

beforeAll(async () => {
  dir = await dirs.make();
});

afterAll(async () => {
  await engine.close();
  await dirs.cleanup();
});

describe('OfflineSpeechEngine', () => {
  // Measured at the default rate (150): Mandarin ~0.35 s a character, Cantonese ~0.28 s.
  it.each([
    ['cmn', ALERT],
    ['yue', ALERT],
    ['yue', '各位街坊请注意，今晚有大风，请收好晾晒嘅衫。'],
  ] as const)('speaks %s Chinese text as audible speech of a plausible length: %s', async (voice, text) => {
    const t0 = performance.now();
    const r = await engine.synthesise({ text, voice });
    const ms = performance.now() - t0;
    const perChar = r.durationMs / charsOf(text);
    console.log(
      `${voice} ${charsOf(text)} chars: ${Math.round(ms)} ms, ${r.durationMs} ms audio, ${perChar.toFixed(0)} ms/char`,
    );
    expect(r.engine).toBe('espeak-ng');
    expect(r.notes).toEqual([]);
    expect(r.wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(perChar).toBeGreaterThan(150);
    expect(perChar).toBeLessThan(600);
    expect(await meanVolume(r.wav, `${voice}.wav`)).toBeGreaterThan(-40);
  });

  it('gives longer audio for longer text, about in proportion, and ~300 characters in a few seconds', async () => {
    const short = await engine.synthesise({ text: ALERT, voice: 'cmn' });
    const longText = ALERT.repeat(13);
    const t0 = performance.now();
    const long = await engine.synthesise({ text: longText, voice: 'cmn' });
    const ms = performance.now() - t0;
    console.log(`cmn ${charsOf(longText)} chars: ${Math.round(ms)} ms, ${long.durationMs} ms audio`);
    expect(long.durationMs / short.durationMs).toBeGreaterThan(10);
    expect(long.durationMs / short.durationMs).toBeLessThan(16);
    expect(ms).toBeLessThan(10_000);
  });

  it('speaks the longest allowed text (5,000 characters) within the default timeout', async () => {
    const text = [...ALERT.repeat(220)].slice(0, 5000).join('');
    const t0 = performance.now();
    const r = await engine.synthesise({ text, voice: 'cmn' });
    const ms = performance.now() - t0;
    console.log(
      `cmn 5000 chars: ${Math.round(ms)} ms, ${r.durationMs} ms audio, ${(r.wav.length / 1e6).toFixed(1)} MB WAV`,
    );
    // ~29 minutes: just inside the default 30-minute media limit at the default rate.
    expect(r.durationMs).toBeGreaterThan(20 * 60_000);
    expect(r.durationMs).toBeLessThan(30 * 60_000);
  });

  it('speaks slower at a lower rate', async () => {
    const slow = await engine.synthesise({ text: ALERT, voice: 'cmn', rate: 100 });
    const fast = await engine.synthesise({ text: ALERT, voice: 'cmn', rate: 300 });
    expect(slow.durationMs).toBeGreaterThan(fast.durationMs * 2);
  });

  it('strips emoji and control characters with a note and still speaks the rest', async () => {
    const r = await engine.synthesise({ text: '注意😀防范\u0007！', voice: 'cmn' });
    expect(r.notes.join()).toContain('😀');
    expect(r.durationMs).toBeGreaterThan(500);
  });

  it('reads text that looks like a command-line option as text', async () => {
    const r = await engine.synthesise({ text: '-w /etc/passwd 请注意', voice: 'cmn' });
    expect(r.durationMs).toBeGreaterThan(1000);
  });

  it.each([
    [{ text: '   ', voice: 'cmn' }, 'tts_empty_text'],
    [{ text: '警'.repeat(5001), voice: 'cmn' }, 'tts_text_too_long'],
    [{ text: '😀。。！', voice: 'cmn' }, 'tts_unspeakable'],
    // Digits espeak has no reading for: caught by the silence check on the output.
    [{ text: '①②③', voice: 'yue' }, 'tts_unspeakable'],
    [{ text: 'hello', voice: 'en' }, 'tts_unknown_voice'],
    [{ text: '你好', voice: 'cmn', rate: 1000 }, 'tts_bad_rate'],
  ])('refuses %j with %s', async (req, code) => {
    const e = await refusal(engine.synthesise(req as SpeechRequest));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('stops a running synthesis at its timeout, leaves no worker behind, and recovers', async () => {
    await engine.synthesise({ text: '预热', voice: 'cmn' });
    const t0 = performance.now();
    const e = await refusal(engine.synthesise({ text: ALERT.repeat(130), voice: 'cmn' }, { timeoutMs: 300 }));
    expect(e.code).toBe('tts_timeout');
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(engine.stats()).toEqual({ queued: 0, running: false, workerAlive: false });
    const r = await engine.synthesise({ text: '恢复正常', voice: 'cmn' });
    expect(r.durationMs).toBeGreaterThan(500);
  });

  it('times out a call still waiting in the queue without disturbing the one running', async () => {
    const first = engine.synthesise({ text: ALERT.repeat(4), voice: 'cmn' });
    const queued = engine.synthesise({ text: ALERT, voice: 'cmn' }, { timeoutMs: 1 });
    expect((await refusal(queued)).code).toBe('tts_timeout');
    expect((await first).durationMs).toBeGreaterThan(20_000);
  });

  it('can be aborted', async () => {
    const ac = new AbortController();
    const p = engine.synthesise({ text: ALERT.repeat(100), voice: 'yue' }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await refusal(p)).code).toBe('tts_aborted');
    expect(
      (await refusal(engine.synthesise({ text: '你好', voice: 'cmn' }, { signal: ac.signal }))).code,
    ).toBe('tts_aborted');
  });

  it('keeps memory bounded over 20 calls (each gets a fresh WASM instance)', async () => {
    await engine.synthesise({ text: ALERT, voice: 'cmn' });
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await engine.synthesise({ text: ALERT, voice: i % 2 ? 'cmn' : 'yue' });
    const growthMb = (process.memoryUsage().rss - before) / 1e6;
    console.log(`20 calls: ${Math.round(performance.now() - t0)} ms, RSS growth ${growthMb.toFixed(0)} MB`);
    // One leaked instance would be 50 MB or more (32 MB WASM heap plus the voice data).
    expect(growthMb).toBeLessThan(200);
  });

  it('serves concurrent calls one at a time, all of them', async () => {
    const texts = ['一', '一二', '一二三', '一二三四'];
    const rs = await Promise.all(texts.map((text) => engine.synthesise({ text, voice: 'cmn' })));
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.durationMs).toBeGreaterThan(rs[i - 1]!.durationMs);
  });

  it('refuses calls after close', async () => {
    const e = new OfflineSpeechEngine();
    await e.close();
    expect((await refusal(e.synthesise({ text: '你好', voice: 'cmn' }))).code).toBe('tts_engine_closed');
  });
});
