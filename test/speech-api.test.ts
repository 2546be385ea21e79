import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { resolveFfmpegTools } from '../server/src/media/ffmpeg-path.ts';
import { measureEbur128 } from '../server/src/render/ebur128.ts';
import { type ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { reviewerFor } from './helpers/content.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const DAXU = '450323101';
const tools = resolveFfmpegTools();

type Version = {
  language: string;
  source: string;
  engine: string | null;
  fallbackFrom: string | null;
  state: string;
};
type Item = { id: string; state: string; revision: number; mediaSha256: string | null };
type Render = {
  languages: string[];
  loudness: { integrated: number; truePeak: number };
  withinTarget: boolean;
};

async function refused(p: Promise<unknown>): Promise<{ status: number; code?: string; message?: string }> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof ApiError)) throw new Error(`expected an API error, got ${String(e)}`);
  return { status: e.status, code: e.body?.error?.code, message: e.body?.error?.message };
}

/** Speech for content end to end: the real offline engine, ffmpeg renders with the county chimes, SQLite. */
describe('spoken content: preview, items from text, versions, lexicon, version order', () => {
  const tmp = tempDir('dlb-speech-');
  let centre: Centre;
  let api: ApiClient;
  // A port that accepts connections and never answers: Azure "configured" but unreachable.
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    ({ centre, api } = await startInProcessCentre(tmp.dir, {
      tts: {
        azure: { key: 'test-key', endpoint: `ws://127.0.0.1:${port}/tts`, timeoutMs: 1500 },
        fallback: true,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await centre?.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    await tmp.cleanup();
  });

  const file = (sha: string) => centre.services.mediaStore.pathOf(sha);

  it('lists the voices and languages, and keeps a county lexicon with clear errors', async () => {
    const { voices, languages } = await api.call<{
      voices: Array<{ id: string; available: boolean }>;
      languages: Array<{ code: string; name: string }>;
    }>('GET', '/api/tts/voices');
    expect(voices.find((v) => v.id === 'espeak:cmn')?.available).toBe(true);
    expect(voices.some((v) => v.id === 'azure:zh-CN-guangxi-YunqiNeural')).toBe(true);
    expect(languages.map((l) => l.name)).toEqual(
      expect.arrayContaining(['普通话', '桂柳话', '壮语', '瑶语']),
    );

    const put = await api.call<{ entry: { term: string; pinyin: string } }>(
      'PUT',
      `/api/lexicon/${encodeURIComponent('大圩')}`,
      { pinyin: 'da4 xu1', respell: '大虚' },
    );
    expect(put.entry).toMatchObject({ term: '大圩', pinyin: 'da4 xu1' });
    const bad = await refused(
      api.call('PUT', `/api/lexicon/${encodeURIComponent('大圩')}`, { pinyin: 'daxu' }),
    );
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('拼音');
    const { entries } = await api.call<{ entries: Array<{ term: string }> }>('GET', '/api/lexicon');
    expect(entries.map((e) => e.term)).toContain('大圩');
  });

  it('previews text as it will sound: chimes, speech, -16 LUFS within 1 LU, true peak under -1.5 dBTP', async () => {
    const { preview } = await api.call<{
      preview: { media: { sha256: string; durationMs: number }; engine: string; withinTarget: boolean };
    }>('POST', '/api/tts/preview', {
      text: '大圩镇通知：2025年3月15日上午9时，在村委会办理医保缴费，咨询电话12345。',
      voice: 'espeak:cmn',
    });
    expect(preview.engine).toBe('espeak-ng');
    expect(preview.withinTarget).toBe(true);
    const m = await measureEbur128(file(preview.media.sha256), tools);
    expect(Math.abs(m.integrated - -16)).toBeLessThanOrEqual(1);
    expect(m.truePeak).toBeLessThanOrEqual(-1.5);
    // Two chimes of 2.6 s and the pauses around the speech, plus the speech itself.
    expect(preview.media.durationMs).toBeGreaterThan(2 * 2600 + 3000);
  });

  it('makes an item from text with a version per language, in the township order; versions follow review', async () => {
    await api.call('PUT', `/api/areas/${DAXU}/version-order`, { languages: ['cmn', 'guiliu', 'yue'] });
    const made = await api.call<{ item: Item; versions: Version[] }>('POST', '/api/content/from-text', {
      title: '春耕补贴通知',
      scopeCode: DAXU,
      text: '各位村民：春耕补贴每亩120元，3月31日前到村委会登记。',
      versions: [
        { language: 'cmn', voice: 'espeak:cmn' },
        { language: 'yue', voice: 'espeak:yue' },
      ],
    });
    expect(made.item.state).toBe('draft');
    expect(made.versions.map((v) => [v.language, v.engine, v.state])).toEqual([
      ['cmn', 'espeak-ng', 'draft'],
      ['yue', 'espeak-ng', 'draft'],
    ]);
    const first = await api.call<{ versions: Version[]; render: Render }>(
      'GET',
      `/api/content/${made.item.id}/versions`,
    );
    expect(first.render.languages).toEqual(['cmn', 'yue']);
    expect(first.render.withinTarget).toBe(true);

    // A dialect recording read by township staff becomes the 桂柳话 version, played between the two.
    const wav = path.join(tmp.dir, 'guiliu.wav');
    makeTone(wav, 4, 330);
    const { media } = await api.upload(wav, '桂柳话录音.wav');
    const withRecording = await api.call<{ item: Item; versions: Version[] }>(
      'POST',
      `/api/content/${made.item.id}/versions`,
      { language: 'guiliu', mediaSha256: media.sha256 },
    );
    expect(withRecording.item.mediaSha256).not.toBe(made.item.mediaSha256);
    const second = await api.call<{ render: Render }>('GET', `/api/content/${made.item.id}/versions`);
    expect(second.render.languages).toEqual(['cmn', 'guiliu', 'yue']);

    await api.call('POST', `/api/content/${made.item.id}/submit`);
    const reviewer = await reviewerFor(api);
    await reviewer.call('POST', `/api/content/${made.item.id}/approve`);
    const approved = await api.call<{ versions: Version[] }>('GET', `/api/content/${made.item.id}/versions`);
    expect(approved.versions.map((v) => v.state)).toEqual(['approved', 'approved', 'approved']);

    // Replacing a version after approval sends the item back through review.
    const again = await api.call<{ item: Item; versions: Version[] }>(
      'POST',
      `/api/content/${made.item.id}/versions`,
      {
        language: 'yue',
        voice: 'espeak:yue',
        text: '春耕补贴每亩一百二十元。',
      },
    );
    expect(again.item.state).toBe('draft');
    expect(again.versions.find((v) => v.language === 'yue')?.state).toBe('draft');
  }, 120_000);

  it('falls back to the offline engine when Azure does not answer, and the version records it', async () => {
    const made = await api.call<{ versions: Version[] }>('POST', '/api/content/from-text', {
      title: '桂柳话合成',
      scopeCode: DAXU,
      text: '今晚有大雨，请注意安全。',
      versions: [{ language: 'guiliu', voice: 'azure:zh-CN-guangxi-YunqiNeural' }],
    });
    expect(made.versions[0]).toMatchObject({
      language: 'guiliu',
      engine: 'espeak-ng',
      fallbackFrom: 'azure:zh-CN-guangxi-YunqiNeural',
    });
  }, 60_000);

  it('refuses bad input clearly and creates nothing', async () => {
    const count = async () =>
      (await api.call<{ items: unknown[] }>('GET', `/api/content?scopeCode=${DAXU}&limit=200`)).items.length;
    const before = await count();
    const base = { title: '坏输入', scopeCode: DAXU, versions: [{ language: 'cmn', voice: 'espeak:cmn' }] };
    const empty = await refused(api.call('POST', '/api/content/from-text', { ...base, text: '   ' }));
    expect(empty).toMatchObject({ status: 400, code: 'tts_empty_text' });
    const huge = await refused(
      api.call('POST', '/api/content/from-text', { ...base, text: '村'.repeat(100_000) }),
    );
    // 300 kB of JSON: refused at the door, before anything reads it.
    expect(huge.status).toBe(413);
    expect(huge.message).toMatch(/过大|太大/);
    const voice = await refused(
      api.call('POST', '/api/content/from-text', {
        ...base,
        text: '通知',
        versions: [{ language: 'cmn', voice: 'espeak:klingon' }],
      }),
    );
    expect(voice).toMatchObject({ status: 400, code: 'tts_unknown_voice' });
    const symbols = await refused(
      api.call('POST', '/api/tts/preview', { text: '☎☎☎ ■■', voice: 'espeak:cmn' }),
    );
    expect(symbols.status).toBe(400);
    const lang = await refused(
      api.call('POST', '/api/content/from-text', {
        ...base,
        text: '通知',
        versions: [{ language: 'xx', voice: 'espeak:cmn' }],
      }),
    );
    expect(lang.status).toBe(400);
    expect(await count()).toBe(before);

    // A "recording" that is not audio is refused at upload, and an unknown one cannot be attached.
    const txt = path.join(tmp.dir, 'not-audio.wav');
    await import('node:fs/promises').then((fs) => fs.writeFile(txt, '这不是音频'.repeat(100)));
    const upload = await refused(api.upload(txt, '录音.wav'));
    expect([415, 422]).toContain(upload.status);
    const { items } = await api.call<{ items: Item[] }>('GET', `/api/content?scopeCode=${DAXU}&limit=1`);
    const unknown = await refused(
      api.call('POST', `/api/content/${items[0]!.id}/versions`, {
        language: 'guiliu',
        mediaSha256: 'ab'.repeat(32),
      }),
    );
    expect(unknown).toMatchObject({ status: 404, code: 'media_not_found' });
  }, 60_000);
});
