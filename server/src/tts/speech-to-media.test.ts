import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { probeAudio } from '../media/probe.ts';
import { MediaStore } from '../media/store.ts';
import { listFiles, measureLoudness, tempDirs, testTools } from '../media/test-support.ts';
import { LOUDNESS } from '../media/transcode.ts';
import type { MediaRecord } from '../media-library/media-records.ts';
import { OfflineSpeechEngine } from './espeak-offline.ts';
import { type SpeechToMediaDeps, speechFileName, synthesiseToMedia } from './speech-to-media.ts';

const tools = testTools();
const dirs = tempDirs('dlb-tts-media-');
const engine = new OfflineSpeechEngine();
const ALERT = '灵川县气象台发布暴雨红色预警，请群众注意防范。';
let root = '';
let store: MediaStore;
let rows: Array<{ record: MediaRecord; userId: number | null }>;
let logged: string[];

/** Stands in for MediaRecords (its SQLite schema is not this module's concern): keeps what was upserted. */
const records: SpeechToMediaDeps['records'] = {
  upsert(input, userId) {
    const record = { ...input, createdAt: Date.now() };
    rows.push({ record, userId });
    return record;
  },
};

const deps = (over: Partial<SpeechToMediaDeps> = {}): SpeechToMediaDeps => ({
  engine,
  tools,
  store,
  records,
  maxDurationMs: 30 * 60_000,
  log: (m) => logged.push(m),
  ...over,
});

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** Everything in the store except the temp directory (which must be empty anyway). */
const stored = async () => (await listFiles(root)).filter((f) => !f.startsWith('tmp'));

beforeAll(async () => {
  root = await dirs.make();
  store = new MediaStore(root);
  await store.init();
});

beforeEach(() => {
  rows = [];
  logged = [];
});

afterAll(async () => {
  await engine.close();
  await dirs.cleanup();
});

describe('synthesiseToMedia', () => {
  it('stores speech as a loudness-normalised MP3 with the right duration and records it', async () => {
    const direct = await engine.synthesise({ text: ALERT, voice: 'cmn' });
    const m = await synthesiseToMedia(deps(), { text: ALERT, voice: 'cmn', createdBy: 7 });
    expect(m).toMatchObject({
      mime: 'audio/mpeg',
      originalName: '语音合成-灵川县气象台发布暴雨红色预警，请群众注意.mp3',
    });
    expect(rows).toEqual([{ record: m, userId: 7 }]);
    const file = store.pathOf(m.sha256);
    expect((await stat(file)).size).toBe(m.bytes);
    const probe = await probeAudio(file, tools);
    expect(probe.codec).toBe('mp3');
    expect(Math.abs(probe.durationMs - direct.durationMs)).toBeLessThan(300);
    expect(Math.abs(m.durationMs - direct.durationMs)).toBeLessThan(300);
    const { i } = await measureLoudness(tools, file);
    expect(Math.abs(i - LOUDNESS.integrated)).toBeLessThan(2.5);
    expect(await store.tempFiles()).toEqual([]);
  });

  it('gives Cantonese its own recording, and the same text the same stored file', async () => {
    const a = await synthesiseToMedia(deps(), {
      text: '请注意',
      voice: 'yue',
      originalName: '通知\u0007.mp3',
    });
    const b = await synthesiseToMedia(deps(), { text: '请注意', voice: 'yue' });
    const c = await synthesiseToMedia(deps(), { text: '请注意', voice: 'cmn' });
    expect(a.originalName).toBe('通知.mp3');
    expect(b.sha256).toBe(a.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(rows.map((r) => r.userId)).toEqual([null, null, null]);
  });

  it('passes the notes on stripped characters to the log', async () => {
    await synthesiseToMedia(deps(), { text: '注意🚨防范', voice: 'cmn' });
    expect(logged.join()).toContain('🚨');
  });

  it('leaves nothing behind when the text is refused', async () => {
    const before = await stored();
    expect((await refusal(synthesiseToMedia(deps(), { text: '🚨', voice: 'cmn' }))).code).toBe(
      'tts_unspeakable',
    );
    expect(await stored()).toEqual(before);
    expect(await store.tempFiles()).toEqual([]);
    expect(rows).toEqual([]);
  });

  it('leaves nothing behind when the synthesis times out', async () => {
    const before = await stored();
    const e = await refusal(
      synthesiseToMedia(deps(), { text: ALERT.repeat(100), voice: 'cmn', timeoutMs: 200 }),
    );
    expect(e.code).toBe('tts_timeout');
    expect(await stored()).toEqual(before);
    expect(await store.tempFiles()).toEqual([]);
  });

  it('leaves nothing behind when the render refuses the audio (too long for the limit)', async () => {
    const before = await stored();
    const e = await refusal(synthesiseToMedia(deps({ maxDurationMs: 1000 }), { text: ALERT, voice: 'cmn' }));
    expect(e.code).toBe('too_long');
    expect(await stored()).toEqual(before);
    expect(await store.tempFiles()).toEqual([]);
  });

  it('leaves nothing behind when the temp file cannot be written', async () => {
    const before = await stored();
    const broken = {
      put: store.put.bind(store),
      tempPath: () => path.join(root, 'tmp', 'no-such-dir', 'x.wav'),
    };
    await expect(synthesiseToMedia(deps({ store: broken }), { text: ALERT, voice: 'cmn' })).rejects.toThrow(
      /ENOENT/,
    );
    expect(await stored()).toEqual(before);
    expect(await store.tempFiles()).toEqual([]);
  });

  it('leaves nothing behind when aborted before the render', async () => {
    const ac = new AbortController();
    const slowLimit: SpeechToMediaDeps['limit'] = async (task) => {
      ac.abort();
      return task();
    };
    const e = await refusal(
      synthesiseToMedia(deps({ limit: slowLimit }), { text: ALERT, voice: 'cmn', signal: ac.signal }),
    );
    expect(e.code).toBe('tts_aborted');
    expect(await store.tempFiles()).toEqual([]);
  });
});

describe('speechFileName', () => {
  it('takes the start of the text, without path separators or control characters', () => {
    expect(speechFileName('../../etc/passwd\u0000')).toBe('语音合成-....etcpasswd.mp3');
    expect(speechFileName('🚨')).toBe('语音合成-文字.mp3');
  });
});
