import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { runTool } from '../media/run-tool.ts';
import { tempDirs, testTools } from '../media/test-support.ts';
import { type FakeAzure, type FakeMode, refusedPort, startFakeAzure } from './azure/fake-azure.ts';
import { OfflineSpeechEngine } from './espeak-offline.ts';
import { EspeakProvider } from './espeak-provider.ts';
import { LexiconEntrySchema } from './lexicon.ts';
import type { SpeechProvider } from './provider.ts';
import { MAX_TEXT_CHARS, SpeechService, type SpeechServiceOptions } from './speech-service.ts';
import { readWav } from './wav-info.ts';

const tools = testTools();
const dirs = tempDirs('dlb-tts-service-');
const engine = new OfflineSpeechEngine();
const fakes: FakeAzure[] = [];
const services: SpeechService[] = [];
let scratch = '';

const ALERT =
  '灵川县气象台2025年7月20日16时发布暴雨橙色预警，预计未来6小时内降雨量将达50mm以上。请群众注意防范。';
const DAXU = LexiconEntrySchema.parse({ term: '大圩', pinyin: 'da4 xu1', respell: '大虚' });

/** The real espeak provider, counting its calls. */
function countingEspeak(): SpeechProvider & { calls: number } {
  const inner = new EspeakProvider(engine);
  const p = {
    name: inner.name,
    version: inner.version,
    maxRequestChars: inner.maxRequestChars,
    calls: 0,
    synthesise: (...args: Parameters<SpeechProvider['synthesise']>) => {
      p.calls++;
      return inner.synthesise(...args);
    },
  };
  return p;
}

async function service(extra: Partial<SpeechServiceOptions> = {}): Promise<SpeechService> {
  const s = new SpeechService({
    config: { fallback: true },
    cacheDir: await dirs.make(),
    offline: engine,
    ...extra,
  });
  services.push(s);
  return s;
}

async function fake(mode: FakeMode): Promise<FakeAzure> {
  const f = await startFakeAzure(mode);
  fakes.push(f);
  return f;
}

/** ffmpeg's volumedetect mean volume (dB): speech from espeak sits around -20 dB, silence at -91 or -inf. */
async function meanVolume(wav: Buffer): Promise<number> {
  const file = path.join(scratch, `v-${Math.random().toString(36).slice(2)}.wav`);
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

/** Only complete cache entries: pairs of <sha256>.wav and <sha256>.json, nothing else. */
async function expectOnlyCompleteEntries(dir: string, entries: number): Promise<void> {
  const names = (await readdir(dir)).sort();
  expect(names).toHaveLength(entries * 2);
  for (const n of names) expect(n).toMatch(/^[0-9a-f]{64}\.(json|wav)$/);
}

beforeAll(async () => {
  scratch = await dirs.make();
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await engine.close();
  await dirs.cleanup();
});

describe('SpeechService with the offline engine', () => {
  it('speaks Mandarin: normalised, audible, of a plausible length', async () => {
    const s = await service();
    const r = await s.synthesise({ text: ALERT, voice: 'espeak:cmn' });
    expect(r).toMatchObject({
      engine: 'espeak-ng',
      voice: 'espeak:cmn',
      sentences: 2,
      cached: false,
      notes: [],
    });
    expect(r.fallbackFrom).toBeUndefined();
    expect(r.spokenText).toContain('二零二五年七月二十日十六时');
    expect(r.spokenText).toContain('五十毫米');
    const info = readWav(r.wav);
    expect(info).toMatchObject({ sampleRate: 22_050, channels: 1 });
    expect(Math.abs(info.durationMs - r.durationMs)).toBeLessThanOrEqual(1);
    // ~70 spoken characters at 0.2–0.6 s each.
    const chars = [...r.spokenText.replace(/\s/g, '')].length;
    expect(r.durationMs / chars).toBeGreaterThan(150);
    expect(r.durationMs / chars).toBeLessThan(600);
    expect(await meanVolume(r.wav)).toBeGreaterThan(-40);
  });

  it('speaks Cantonese', async () => {
    const s = await service();
    const r = await s.synthesise({
      text: '各位街坊请注意，今晚有8级大风，请收好晾晒嘅衫。',
      voice: 'espeak:yue',
    });
    expect(r).toMatchObject({ engine: 'espeak-ng', voice: 'espeak:yue' });
    expect(r.spokenText).toContain('八级');
    expect(r.durationMs).toBeGreaterThan(4000);
    expect(await meanVolume(r.wav)).toBeGreaterThan(-40);
  });

  it('gives audio about in proportion to the text, long texts in several pieces', async () => {
    const s = await service();
    const one = '请各村做好防汛准备，转移低洼地带群众。';
    const short = await s.synthesise({ text: one, voice: 'espeak:cmn', pauseMs: 300 });
    // 60 sentences, ~1,200 characters: more than one request to the engine.
    const long = await s.synthesise({ text: one.repeat(60), voice: 'espeak:cmn', pauseMs: 300 });
    expect(long.sentences).toBe(60);
    const ratio = long.durationMs / short.durationMs;
    expect(ratio).toBeGreaterThan(50);
    expect(ratio).toBeLessThan(70);
    expect(await meanVolume(long.wav)).toBeGreaterThan(-40);
  });

  it('synthesises the same sentence only once: the second call is served from the cache', async () => {
    const espeak = countingEspeak();
    const s = await service({ providers: { 'espeak-ng': espeak } });
    const first = await s.synthesise({ text: ALERT, voice: 'espeak:cmn' });
    const second = await s.synthesise({ text: ALERT, voice: 'espeak:cmn' });
    expect(espeak.calls).toBe(1);
    expect(second.cached).toBe(true);
    expect(second.wav.equals(first.wav)).toBe(true);
    expect(second.durationMs).toBe(first.durationMs);
    // Another rate is another recording.
    await s.synthesise({ text: ALERT, voice: 'espeak:cmn', rate: 20 });
    expect(espeak.calls).toBe(2);
  });

  it('applies the lexicon by respelling, and notes a term it cannot honour', async () => {
    const espeak = countingEspeak();
    const s = await service({ providers: { 'espeak-ng': espeak } });
    const lexicon = [DAXU, LexiconEntrySchema.parse({ term: '潭下', pinyin: 'tan2 xia4' })];
    const r = await s.synthesise({ text: '大圩镇、潭下镇注意。', voice: 'espeak:cmn', lexicon });
    expect(r.notes).toEqual([expect.stringContaining('潭下')]);
    // A changed lexicon is a changed recording; the same one is not.
    await s.synthesise({ text: '大圩镇、潭下镇注意。', voice: 'espeak:cmn', lexicon });
    await s.synthesise({ text: '大圩镇、潭下镇注意。', voice: 'espeak:cmn', lexicon: [DAXU] });
    expect(espeak.calls).toBe(2);
  });
});

describe('SpeechService with Azure', () => {
  it('speaks with Azure when it answers, joining several requests at its rate', async () => {
    const f = await fake('speak');
    const s = await service({ config: { fallback: true, azure: { key: 'k', endpoint: f.url } } });
    const text = '大圩镇防汛通知。'.repeat(150); // 1,200 characters: two requests
    const r = await s.synthesise({ text, voice: 'azure:zh-CN-XiaoxiaoNeural', lexicon: [DAXU] });
    expect(r).toMatchObject({ engine: 'azure', voice: 'azure:zh-CN-XiaoxiaoNeural', sentences: 150 });
    expect(f.ssml).toHaveLength(2);
    expect(f.ssml[0]).toContain('<phoneme alphabet="sapi" ph="da 4 xu 1">大圩</phoneme>');
    expect(readWav(r.wav).sampleRate).toBe(24_000);
  });

  it('falls back to the offline engine when Azure refuses the connection, and records it', async () => {
    const port = await refusedPort();
    const endpoint = `ws://127.0.0.1:${port}/cognitiveservices/websocket/v1`;
    const s = await service({ config: { fallback: true, azure: { key: 'k', endpoint } } });
    const r = await s.synthesise({ text: ALERT, voice: 'azure:zh-CN-sichuan-YunxiNeural' });
    expect(r).toMatchObject({
      engine: 'espeak-ng',
      voice: 'espeak:cmn',
      fallbackFrom: 'azure:zh-CN-sichuan-YunxiNeural',
    });
    expect(r.notes.join()).toContain('无法连接 Azure 语音服务');
    expect(r.notes.join()).toContain('已改用离线语音');
    expect(await meanVolume(r.wav)).toBeGreaterThan(-40);
  });

  it('falls back after its own timeout on a silent server, leaving no connection and no partial file', async () => {
    const f = await fake('silent-tcp');
    const cacheDir = await dirs.make();
    const s = await service({
      cacheDir,
      config: { fallback: true, azure: { key: 'k', endpoint: f.url, timeoutMs: 1500 } },
    });
    const t0 = performance.now();
    const r = await s.synthesise({
      text: '今晚有大风，请收好晾晒嘅衫。',
      voice: 'azure:zh-HK-HiuMaanNeural',
    });
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(r).toMatchObject({
      engine: 'espeak-ng',
      voice: 'espeak:yue',
      fallbackFrom: 'azure:zh-HK-HiuMaanNeural',
    });
    expect(r.notes.join()).toContain('超时');
    await f.allClosed();
    // Only the offline recording is cached; nothing of the Azure attempt.
    await expectOnlyCompleteEntries(cacheDir, 1);
  });

  it('without fallback, reports the Azure failure and writes nothing', async () => {
    const f = await fake({ status: 401 });
    const cacheDir = await dirs.make();
    const s = await service({ cacheDir, config: { fallback: false, azure: { key: 'k', endpoint: f.url } } });
    const e = await refusal(s.synthesise({ text: ALERT, voice: 'azure:zh-CN-XiaoxiaoNeural' }));
    expect(e.code).toBe('tts_azure_bad_key');
    expect(e.message).toContain('密钥无效');
    await expectOnlyCompleteEntries(cacheDir, 0);
  });

  it('uses the offline engine when Azure is not configured, or refuses when fallback is off', async () => {
    const on = await service({ config: { fallback: true } });
    const r = await on.synthesise({ text: '请注意。', voice: 'azure:wuu-CN-XiaotongNeural' });
    expect(r).toMatchObject({
      engine: 'espeak-ng',
      voice: 'espeak:cmn',
      fallbackFrom: 'azure:wuu-CN-XiaotongNeural',
    });
    expect(r.notes).toContain('未配置 Azure 语音服务，已改用离线语音（离线普通话）');
    expect(on.voices().find((v) => v.id === 'azure:wuu-CN-XiaotongNeural')?.available).toBe(false);
    const off = await service({ config: { fallback: false } });
    expect((await refusal(off.synthesise({ text: '请注意。', voice: 'azure:zh-CN-YunxiNeural' }))).code).toBe(
      'tts_azure_not_configured',
    );
  });

  it('after a lasting failure, speaks Azure voices offline for a while without trying Azure', async () => {
    const f = await fake('silent-tcp');
    let now = Date.parse('2025-07-20T08:00:00Z');
    const s = await service({
      config: { fallback: true, azure: { key: 'k', endpoint: f.url, timeoutMs: 500 } },
      azureCooldownMs: 60_000,
      now: () => now,
    });
    const voice = 'azure:zh-CN-YunyangNeural';
    const first = await s.synthesise({ text: '第一条通知。', voice });
    expect(first.notes.join()).toContain('超时');
    expect(f.accepted()).toBe(1);
    // Azure is not contacted at all (the fake counts connections).
    const second = await s.synthesise({ text: '第二条通知。', voice });
    expect(second).toMatchObject({ engine: 'espeak-ng', fallbackFrom: voice });
    expect(second.notes.join()).toContain('Azure 语音服务暂不可用');
    expect(f.accepted()).toBe(1);
    now += 61_000;
    await s.synthesise({ text: '第三条通知。', voice });
    expect(f.accepted()).toBe(2);
  });

  it('still serves cached Azure recordings while Azure is down', async () => {
    const f = await fake('speak');
    const s = await service({ config: { fallback: true, azure: { key: 'k', endpoint: f.url } } });
    const voice = 'azure:zh-CN-XiaoxiaoNeural';
    const made = await s.synthesise({ text: '明天停电。', voice });
    expect(made).toMatchObject({ engine: 'azure', cached: false });
    await f.close(); // the endpoint now refuses connections
    const other = await s.synthesise({ text: '后天停水。', voice });
    expect(other).toMatchObject({ engine: 'espeak-ng', fallbackFrom: voice });
    const again = await s.synthesise({ text: '明天停电。', voice });
    expect(again).toMatchObject({ engine: 'azure', voice, cached: true });
    expect(again.wav.equals(made.wav)).toBe(true);
  });

  it('does not fall back when the caller aborts', async () => {
    const f = await fake('silent-tcp');
    const s = await service({ config: { fallback: true, azure: { key: 'k', endpoint: f.url } } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const e = await refusal(
      s.synthesise({ text: '请注意。', voice: 'azure:zh-CN-YunxiNeural', signal: ac.signal }),
    );
    expect(e.code).toBe('tts_aborted');
    await f.allClosed();
  });
});

describe('SpeechService refuses bad input', () => {
  it.each([
    ['', 'tts_empty_text', '请输入'],
    ['  \n\t ', 'tts_empty_text', '请输入'],
    ['😀👍🏽\u200b', 'tts_unspeakable', '没有可以朗读'],
    ['。。。！！', 'tts_unspeakable', '没有可以朗读'],
  ])('refuses %j with %s', async (text, code, words) => {
    const s = await service();
    const e = await refusal(s.synthesise({ text, voice: 'espeak:cmn' }));
    expect(e.code).toBe(code);
    expect(e.message).toContain(words);
  });

  it('refuses a text of 100,000 characters at once, with a clear message', async () => {
    const espeak = countingEspeak();
    const s = await service({ providers: { 'espeak-ng': espeak } });
    const t0 = performance.now();
    const e = await refusal(s.synthesise({ text: '预'.repeat(100_000), voice: 'espeak:cmn' }));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(e.code).toBe('tts_text_too_long');
    expect(e.status).toBe(400);
    expect(e.message).toBe(`文字过长（100000 字），一次最多合成 ${MAX_TEXT_CHARS} 字，请分成几条播报`);
    expect(espeak.calls).toBe(0);
  });

  it('refuses an unknown voice and bad options, in Chinese', async () => {
    const s = await service();
    for (const voice of ['cmn', 'azure:zh-CN-Nobody', 'espeak:fr'])
      expect((await refusal(s.synthesise({ text: '你好', voice }))).code).toBe('tts_unknown_voice');
    const rate = await refusal(s.synthesise({ text: '你好', voice: 'espeak:cmn', rate: 500 }));
    expect(rate).toMatchObject({
      code: 'tts_bad_options',
      message: '语速须在 -50 到 100 之间（百分比，0 为正常）',
    });
    const lexicon = [{ term: '大圩', pinyin: 'daxu' }] as never;
    const bad = await refusal(s.synthesise({ text: '你好', voice: 'espeak:cmn', lexicon }));
    expect(bad.message).toContain('拼音须为带数字声调的音节');
  });

  it('strips characters no voice can say, with a note, and speaks the rest', async () => {
    const s = await service();
    const r = await s.synthesise({ text: '注意😀防范\u0007！', voice: 'espeak:cmn' });
    expect(r.spokenText).toBe('注意防范！');
    expect(r.notes).toEqual([expect.stringContaining('😀')]);
  });
});
