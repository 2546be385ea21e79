import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { findLexiconHits, LexiconEntrySchema } from '../lexicon.ts';
import type { ProviderRequest } from '../provider.ts';
import { findVoice } from '../voices.ts';
import { readWav } from '../wav-info.ts';
import { cleanReason, mapCancellation, SdkErrorCode } from './azure-errors.ts';
import { AzureSpeechProvider } from './azure-provider.ts';
import { type FakeAzure, type FakeMode, refusedPort, startFakeAzure } from './fake-azure.ts';
import { buildSsml } from './ssml.ts';

/** The real SDK all the way to the network; the far end is a local stand-in (fake-azure.ts). */

const KEY = 'test-key-0123456789abcdef';
const DAXU = LexiconEntrySchema.parse({ term: '大圩', pinyin: 'da4 xu1', respell: '大虚' });
const fakes: FakeAzure[] = [];

async function fake(mode: FakeMode): Promise<FakeAzure> {
  const f = await startFakeAzure(mode);
  fakes.push(f);
  return f;
}

function request(texts: string[], voiceId = 'azure:zh-CN-XiaoxiaoNeural'): ProviderRequest {
  return {
    voice: findVoice(voiceId)!,
    sentences: texts.map((text) => ({ text, hits: findLexiconHits(text, [DAXU]) })),
    rate: 10,
    pitch: 0,
    pauseMs: 500,
  };
}

async function failure(p: Promise<unknown>): Promise<{ error: AppError; ms: number }> {
  const t0 = performance.now();
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return { error: e as AppError, ms: performance.now() - t0 };
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

describe('AzureSpeechProvider against local endpoints', () => {
  it('speaks through the real SDK: the SSML sent is the one built, the WAV is whole 24 kHz mono', async () => {
    const f = await fake('speak');
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, timeoutMs: 10_000 });
    const req = request(['大圩镇防汛通知。', '请群众注意防范。']);
    const r = await provider.synthesise(req, { timeoutMs: 10_000 });
    expect(f.ssml).toEqual([buildSsml(req).ssml]);
    expect(f.ssml[0]).toContain('<phoneme alphabet="sapi" ph="da 4 xu 1">大圩</phoneme>');
    expect(f.ssml[0]).toContain('<prosody rate="+10%">');
    const info = readWav(r.wav);
    expect(info).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    // The fake speaks 120 ms a character of text plus the 500 ms break: 16 characters → 2,420 ms.
    expect(r.durationMs).toBe(2420);
    expect(info.dataBytes).toBe(24_000 * 2 * 2.42);
    await f.allClosed();
  });

  it('asks for 16 kHz when configured so', async () => {
    const f = await fake('speak');
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, sampleRate: 16_000 });
    const r = await provider.synthesise(request(['你好。']), { timeoutMs: 10_000 });
    expect(readWav(r.wav).sampleRate).toBe(16_000);
  });

  it('reports a refused connection as a network error, at once', async () => {
    const port = await refusedPort();
    const provider = new AzureSpeechProvider({
      key: KEY,
      endpoint: `ws://127.0.0.1:${port}/cognitiveservices/websocket/v1`,
      timeoutMs: 10_000,
    });
    const { error, ms } = await failure(provider.synthesise(request(['你好。']), { timeoutMs: 10_000 }));
    expect(error.code).toBe('tts_azure_network');
    expect(error.message).toContain('无法连接 Azure 语音服务');
    expect(JSON.stringify(error.details)).toContain('ECONNREFUSED');
    expect(ms).toBeLessThan(2000);
  });

  it('times out on a server that accepts the connection and never answers, and closes the connection', async () => {
    const f = await fake('silent-tcp');
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, timeoutMs: 1500 });
    const { error, ms } = await failure(provider.synthesise(request(['你好。']), { timeoutMs: 60_000 }));
    expect(error.code).toBe('tts_azure_timeout');
    expect(error.message).toContain('1.5 秒');
    expect(ms).toBeGreaterThanOrEqual(1450);
    expect(ms).toBeLessThan(3000);
    expect(f.accepted()).toBe(1);
    // The synthesizer's connection is cut: the server sees it close right away.
    const t0 = performance.now();
    await f.allClosed();
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('times out when the handshake succeeds but no audio ever comes, and closes the connection', async () => {
    const f = await fake('silent-ws');
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, timeoutMs: 1500 });
    const { error, ms } = await failure(provider.synthesise(request(['你好。']), { timeoutMs: 60_000 }));
    expect(error.code).toBe('tts_azure_timeout');
    expect(ms).toBeLessThan(3000);
    expect(f.ssml).toHaveLength(1);
    const t0 = performance.now();
    await f.allClosed();
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("uses the shorter of its own and the caller's timeout, and stops on abort", async () => {
    const f = await fake('silent-tcp');
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, timeoutMs: 30_000 });
    const short = await failure(provider.synthesise(request(['你好。']), { timeoutMs: 300 }));
    expect(short.error.code).toBe('tts_azure_timeout');
    expect(short.ms).toBeLessThan(1500);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const aborted = await failure(
      provider.synthesise(request(['你好。']), { timeoutMs: 30_000, signal: ac.signal }),
    );
    expect(aborted.error.code).toBe('tts_aborted');
    await f.allClosed();
  });

  it.each([
    [401, 'tts_azure_bad_key', '密钥无效'],
    [429, 'tts_azure_quota', '额度已用完'],
    [403, 'tts_azure_forbidden', '拒绝访问'],
  ])('maps an HTTP %i refusal of the WebSocket upgrade to %s', async (status, code, words) => {
    const f = await fake({ status });
    const provider = new AzureSpeechProvider({ key: KEY, endpoint: f.url, timeoutMs: 10_000 });
    const { error, ms } = await failure(provider.synthesise(request(['你好。']), { timeoutMs: 10_000 }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
    expect(ms).toBeLessThan(3000);
    expect(JSON.stringify(error.details)).not.toContain(KEY);
  });
});

describe('AzureSpeechProvider configuration and error mapping', () => {
  it('refuses a configuration without key or place, with a Chinese message', () => {
    expect(() => new AzureSpeechProvider({ key: '', region: 'eastasia' })).toThrow(
      '请填写 Azure 语音服务密钥',
    );
    expect(() => new AzureSpeechProvider({ key: KEY })).toThrow('区域');
    expect(() => new AzureSpeechProvider({ key: KEY, endpoint: 'http://x' })).toThrow('ws://');
    expect(new AzureSpeechProvider({ key: KEY, region: 'eastasia' }).config.timeoutMs).toBe(30_000);
  });

  it('refuses a voice of another engine', async () => {
    const provider = new AzureSpeechProvider({ key: KEY, region: 'eastasia' });
    const { error } = await failure(
      provider.synthesise(request(['你好。'], 'espeak:cmn'), { timeoutMs: 1000 }),
    );
    expect(error.code).toBe('tts_unknown_voice');
  });

  it("mirrors the SDK's cancellation codes", () => {
    for (const [name, value] of Object.entries(SdkErrorCode))
      expect(sdk.CancellationErrorCode[name as keyof typeof sdk.CancellationErrorCode]).toBe(value);
  });

  it.each([
    [
      SdkErrorCode.AuthenticationFailure,
      'WebSocket upgrade failed: Authentication error (401)',
      'tts_azure_bad_key',
    ],
    [SdkErrorCode.TooManyRequests, 'Quota exceeded', 'tts_azure_quota'],
    [SdkErrorCode.ServiceTimeout, 'Timeout while synthesizing', 'tts_azure_timeout'],
    [SdkErrorCode.BadRequestParameters, 'Unsupported voice zh-CN-Nobody', 'tts_azure_bad_request'],
    [
      SdkErrorCode.ConnectionFailure,
      'getaddrinfo ENOTFOUND eastasia.tts.speech.microsoft.com',
      'tts_azure_network',
    ],
    [SdkErrorCode.ServiceError, 'Internal error', 'tts_azure_service'],
    [SdkErrorCode.ConnectionFailure, 'Unexpected server response: 503', 'tts_azure_service'],
  ])('maps cancellation %i "%s" to %s', (code, details, expected) => {
    expect(mapCancellation(code, details, KEY).code).toBe(expected);
  });

  it('never keeps the key in error details', () => {
    expect(cleanReason(`wss://x/v1?Ocp-Apim-Subscription-Key=${KEY}&X=1 failed ${KEY}`, KEY)).toBe(
      'wss://x/v1?Ocp-Apim-Subscription-Key=***&X=1 failed ***',
    );
  });
});
