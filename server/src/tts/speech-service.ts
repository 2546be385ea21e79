import { z } from 'zod';
import { badRequest, isAppError } from '../errors.ts';
import { azureErrors } from './azure/azure-errors.ts';
import { type AzureConfigInput, AzureSpeechProvider } from './azure/azure-provider.ts';
import { OfflineSpeechEngine } from './espeak-offline.ts';
import { EspeakProvider } from './espeak-provider.ts';
import { findLexiconHits, type LexiconEntry, LexiconEntrySchema } from './lexicon.ts';
import { normaliseForSpeech, splitSentences } from './normalise/normalise.ts';
import type { ProviderSentence, SpeechProvider } from './provider.ts';
import { cacheKey, SpeechCache } from './speech-cache.ts';
import { hasSpeakable, stripUnspeakable, ttsErrors } from './speech-text.ts';
import { type EngineName, findVoice, VOICES, type VoiceInfo } from './voices.ts';
import { joinToWav, pcmOf } from './wav-pcm.ts';

/** Most characters (code points) one call takes; the text is split into sentences and spoken piece by piece. */
export const MAX_TEXT_CHARS = 20_000;
/** Bump when the way audio is put together changes: old cache entries are then never matched. */
const CACHE_FORMAT = 1;
/** Azure failures that will not clear up within seconds: after one, Azure is not tried for a while. */
const LASTING_FAILURES = new Set([
  'tts_azure_network',
  'tts_azure_timeout',
  'tts_azure_bad_key',
  'tts_azure_forbidden',
  'tts_azure_quota',
  'tts_azure_service',
]);

export interface SpeechServiceConfig {
  /** Absent: Azure voices are not available (they fall back to the offline engine if `fallback`). */
  azure?: AzureConfigInput;
  /** Use the offline engine, in the same language, when Azure is not configured or fails. */
  fallback: boolean;
}

export interface SpeechServiceOptions {
  config: SpeechServiceConfig;
  /** Where synthesised speech is cached. */
  cacheDir: string;
  cacheMaxBytes?: number;
  /** For each request to an engine (one group of sentences). Default 60 s. */
  timeoutMs?: number;
  /** The offline engine; default: a new one, closed by close(). */
  offline?: Pick<OfflineSpeechEngine, 'synthesise' | 'close'>;
  /** Replaces the engines built from the configuration (tests). */
  providers?: Partial<Record<EngineName, SpeechProvider>>;
  /**
   * With fallback on, after a lasting Azure failure (network, timeout, key, quota) Azure voices are spoken
   * offline for this long without trying Azure (each try could cost its whole timeout); recordings already
   * cached are still used. Default 60 s.
   */
  azureCooldownMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

export interface SynthesiseRequest {
  text: string;
  /** A voice id from the catalogue, e.g. `espeak:cmn`, `azure:zh-CN-XiaoxiaoNeural`. */
  voice: string;
  /** Relative speaking rate in percent, -50..100; default 0. */
  rate?: number;
  /** Relative pitch in percent, -50..50; default 0. */
  pitch?: number;
  /** Pause between sentences, 0..3000 ms; default 400. */
  pauseMs?: number;
  /** The county pronunciation lexicon; applied by every engine. */
  lexicon?: ReadonlyArray<LexiconEntry>;
  signal?: AbortSignal;
}

export interface SynthesiseResult {
  /** 16-bit mono PCM WAV: 22,050 Hz from espeak-ng, 24,000 (or 16,000) Hz from Azure. */
  wav: Buffer;
  durationMs: number;
  /** The engine that made the audio. */
  engine: EngineName;
  /** The voice actually used; differs from the request's when it fell back. */
  voice: string;
  /** The voice asked for, when another one had to speak instead. */
  fallbackFrom?: string;
  /** For the operator, in Chinese: stripped characters, lexicon terms not honoured, a fallback and why. */
  notes: string[];
  /** How many sentences the text was spoken as. */
  sentences: number;
  /** The text as spoken (numbers in words), sentences joined by line breaks. */
  spokenText: string;
  /** True when the audio came from the cache. */
  cached: boolean;
}

const OptionsSchema = z.object({
  rate: z
    .number({ error: '语速须为数字' })
    .int({ error: '语速须为整数' })
    .min(-50, { error: '语速须在 -50 到 100 之间（百分比，0 为正常）' })
    .max(100, { error: '语速须在 -50 到 100 之间（百分比，0 为正常）' })
    .default(0),
  pitch: z
    .number({ error: '音调须为数字' })
    .int({ error: '音调须为整数' })
    .min(-50, { error: '音调须在 -50 到 50 之间（百分比，0 为正常）' })
    .max(50, { error: '音调须在 -50 到 50 之间（百分比，0 为正常）' })
    .default(0),
  pauseMs: z
    .number({ error: '停顿须为数字' })
    .int({ error: '停顿须为整数毫秒' })
    .min(0, { error: '句间停顿须在 0 到 3000 毫秒之间' })
    .max(3000, { error: '句间停顿须在 0 到 3000 毫秒之间' })
    .default(400),
  lexicon: z.array(LexiconEntrySchema).max(5000, { error: '读音词典最多 5000 条' }).default([]),
});
type Options = z.output<typeof OptionsSchema>;

export const speechErrors = {
  tooLong: (chars: number) =>
    badRequest(
      'tts_text_too_long',
      `文字过长（${chars} 字），一次最多合成 ${MAX_TEXT_CHARS} 字，请分成几条播报`,
      { chars, max: MAX_TEXT_CHARS },
    ),
  unknownVoice: (voice: unknown) =>
    badRequest('tts_unknown_voice', `不支持的语音：${String(voice).slice(0, 60)}，请从语音列表中选择`),
  badOptions: (message: string) => badRequest('tts_bad_options', message),
};

/** Code points, without building an array for a huge string. */
function charCount(text: string, stopAfter: number): number {
  let n = 0;
  for (const _ of text) if (++n > stopAfter) break;
  return n;
}

interface Prepared {
  sentences: ProviderSentence[];
}

/**
 * The speech facade: validates, cleans, normalises for listening, applies the lexicon, splits into sentences,
 * synthesises piece by piece with the voice's engine (falling back to the offline engine in the same language
 * when allowed), joins the pieces with pauses, and caches the result by everything that decides the audio.
 */
export class SpeechService {
  private readonly providers = new Map<EngineName, SpeechProvider>();
  private readonly cache: SpeechCache;
  private readonly ownOffline: Pick<OfflineSpeechEngine, 'close'> | null = null;
  private readonly now: () => number;
  private azureDown: { until: number; reason: string } | null = null;

  constructor(private readonly options: SpeechServiceOptions) {
    this.now = options.now ?? Date.now;
    let offline = options.offline;
    if (!offline && !options.providers?.['espeak-ng']) {
      const engine = new OfflineSpeechEngine();
      offline = engine;
      this.ownOffline = engine;
    }
    const espeak = options.providers?.['espeak-ng'] ?? new EspeakProvider(offline!);
    this.providers.set('espeak-ng', espeak);
    const azure =
      options.providers?.azure ??
      (options.config.azure ? new AzureSpeechProvider(options.config.azure) : null);
    if (azure) this.providers.set('azure', azure);
    this.cache = new SpeechCache({
      dir: options.cacheDir,
      ...(options.cacheMaxBytes !== undefined && { maxBytes: options.cacheMaxBytes }),
    });
  }

  /** The catalogue, with whether each voice can be used as configured (Azure voices need Azure). */
  voices(): Array<VoiceInfo & { available: boolean }> {
    return VOICES.map((v) => ({ ...v, available: this.providers.has(v.provider) }));
  }

  async synthesise(req: SynthesiseRequest): Promise<SynthesiseResult> {
    if (typeof req.text !== 'string' || req.text.trim() === '') throw ttsErrors.emptyText();
    const chars = charCount(req.text, MAX_TEXT_CHARS);
    if (chars > MAX_TEXT_CHARS) throw speechErrors.tooLong(charCount(req.text, Number.POSITIVE_INFINITY));
    const voice = findVoice(req.voice);
    if (!voice) throw speechErrors.unknownVoice(req.voice);
    const parsed = OptionsSchema.safeParse({
      rate: req.rate,
      pitch: req.pitch,
      pauseMs: req.pauseMs,
      lexicon: req.lexicon,
    });
    if (!parsed.success) throw speechErrors.badOptions(parsed.error.issues[0]?.message ?? '参数有误');
    const opts = parsed.data;
    const cleaned = stripUnspeakable(req.text);
    if (!hasSpeakable(cleaned.text)) throw ttsErrors.unspeakable();
    const prepare = (v: VoiceInfo) => this.prepare(cleaned.text, v, opts);

    const fallbackVoice = voice.fallback ? findVoice(voice.fallback) : undefined;
    const canFall = this.options.config.fallback && fallbackVoice !== undefined;
    const fallBack = async (why: string): Promise<SynthesiseResult> => {
      const v = fallbackVoice!;
      this.options.log?.(`语音合成：${voice.id} ${why}，改用 ${v.id}`);
      const r = await this.run(v, prepare(v), opts, req.signal);
      if (!r) throw ttsErrors.engineFailed('no result');
      return {
        ...r,
        fallbackFrom: voice.id,
        notes: [...cleaned.notes, `${why}，已改用离线语音（${v.name}）`, ...r.notes],
      };
    };

    if (!this.providers.has(voice.provider)) {
      if (!canFall) throw azureErrors.notConfigured();
      return fallBack('未配置 Azure 语音服务');
    }
    const down = voice.provider === 'azure' && canFall && this.azureDown && this.now() < this.azureDown.until;
    try {
      const r = await this.run(voice, prepare(voice), opts, req.signal, down ? 'cache-only' : 'synthesise');
      if (!r) return fallBack(`Azure 语音服务暂不可用（${this.azureDown?.reason ?? ''}）`);
      if (voice.provider === 'azure' && !r.cached) this.azureDown = null;
      return { ...r, notes: [...cleaned.notes, ...r.notes] };
    } catch (e) {
      const aborted = req.signal?.aborted || (isAppError(e) && e.code === 'tts_aborted');
      if (voice.provider === 'espeak-ng' || !canFall || aborted || !isAppError(e)) throw e;
      if (LASTING_FAILURES.has(e.code))
        this.azureDown = { until: this.now() + (this.options.azureCooldownMs ?? 60_000), reason: e.message };
      return fallBack(`Azure 语音合成失败：${e.message}`);
    }
  }

  /** Normalised sentences for this voice's language, with the lexicon's terms found. */
  private prepare(text: string, voice: VoiceInfo, opts: Options): Prepared {
    const spoken = normaliseForSpeech(text, { language: voice.family });
    const sentences = splitSentences(spoken).map((s) => ({
      text: s,
      hits: findLexiconHits(s, opts.lexicon),
    }));
    if (sentences.length === 0) throw ttsErrors.unspeakable();
    return { sentences };
  }

  private async run(
    voice: VoiceInfo,
    prepared: Prepared,
    opts: Options,
    signal: AbortSignal | undefined,
    mode: 'synthesise' | 'cache-only' = 'synthesise',
  ): Promise<Omit<SynthesiseResult, 'fallbackFrom'> | null> {
    const provider = this.providers.get(voice.provider);
    if (!provider) throw azureErrors.notConfigured();
    const { sentences } = prepared;
    const key = cacheKey({
      format: CACHE_FORMAT,
      engine: provider.version,
      voice: voice.id,
      rate: opts.rate,
      pitch: opts.pitch,
      pauseMs: opts.pauseMs,
      sentences: sentences.map((s) => [
        s.text,
        s.hits.map((h) => [h.start, h.end, h.entry.pinyin, h.entry.respell ?? '']),
      ]),
    });
    const spokenText = sentences.map((s) => s.text).join('\n');
    const hit = await this.cache.get(key);
    if (hit)
      return {
        wav: hit.wav,
        durationMs: hit.meta.durationMs,
        engine: hit.meta.engine,
        voice: hit.meta.voice,
        notes: hit.meta.notes,
        sentences: hit.meta.sentences,
        spokenText,
        cached: true,
      };
    if (mode === 'cache-only') return null;

    const notes = new Set<string>();
    const pieces = [];
    for (const group of groupSentences(sentences, provider.maxRequestChars)) {
      if (signal?.aborted) throw ttsErrors.aborted();
      const r = await provider.synthesise(
        { voice, sentences: group, rate: opts.rate, pitch: opts.pitch, pauseMs: opts.pauseMs },
        { timeoutMs: this.options.timeoutMs ?? 60_000, ...(signal && { signal }) },
      );
      for (const n of r.notes) notes.add(n);
      pieces.push(pcmOf(r.wav));
    }
    const { wav, durationMs } = joinToWav(pieces, opts.pauseMs);
    const result = {
      wav,
      durationMs,
      engine: provider.name,
      voice: voice.id,
      notes: [...notes],
      sentences: sentences.length,
      spokenText,
      cached: false,
    };
    await this.cache
      .put(key, wav, {
        engine: result.engine,
        voice: result.voice,
        durationMs: result.durationMs,
        notes: result.notes,
        sentences: result.sentences,
      })
      .catch((e: unknown) => this.options.log?.(`语音合成缓存写入失败：${(e as Error).message}`));
    return result;
  }

  /** Stops the offline engine this service started (one passed in is the caller's to close). */
  async close(): Promise<void> {
    await this.ownOffline?.close();
  }
}

/** Consecutive sentences in groups of at most `maxChars` characters (a longer sentence goes alone). */
export function groupSentences(sentences: ProviderSentence[], maxChars: number): ProviderSentence[][] {
  const groups: ProviderSentence[][] = [];
  let current: ProviderSentence[] = [];
  let size = 0;
  for (const s of sentences) {
    const n = [...s.text].length;
    if (current.length > 0 && size + n > maxChars) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
