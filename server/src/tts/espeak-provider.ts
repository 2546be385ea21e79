import { createRequire } from 'node:module';
import type { OfflineSpeechEngine } from './espeak-offline.ts';
import { respell } from './lexicon.ts';
import {
  clamp,
  type ProviderOptions,
  type ProviderRequest,
  type ProviderResult,
  type SpeechProvider,
} from './provider.ts';
import {
  DEFAULT_PITCH,
  DEFAULT_RATE,
  PITCH_RANGE,
  RATE_RANGE,
  type SpeechVoice,
  ttsErrors,
} from './speech-text.ts';

const ESPEAK_VERSION = (createRequire(import.meta.url)('espeak-ng/package.json') as { version: string })
  .version;

/** Sentence ends espeak pauses at; a sentence without one (a heading line) gets 。 so it is not run on. */
const ENDS = /[。！？；…!?;]$/;

/** The provider's rate (percent, 0 = normal) in espeak's words per minute. */
export const espeakRate = (rate: number): number =>
  clamp(Math.round(DEFAULT_RATE * (1 + rate / 100)), RATE_RANGE.min, RATE_RANGE.max);
/** The provider's pitch (percent, 0 = normal) on espeak's 0..99 scale. */
export const espeakPitch = (pitch: number): number =>
  clamp(Math.round(DEFAULT_PITCH + pitch), PITCH_RANGE.min, PITCH_RANGE.max);

/**
 * The offline engine (espeak-ng WASM, Mandarin and Cantonese) behind the provider interface. The lexicon is
 * applied as respellings. All sentences of a request go to the engine as one text (each job costs a fresh
 * WASM instance, ~150 ms), so between them espeak makes its own sentence pause; the service puts `pauseMs`
 * of silence between requests.
 */
export class EspeakProvider implements SpeechProvider {
  readonly name = 'espeak-ng' as const;
  readonly version = `espeak-ng-wasm@${ESPEAK_VERSION}`;
  readonly maxRequestChars = 1000;

  constructor(private readonly engine: Pick<OfflineSpeechEngine, 'synthesise'>) {}

  async synthesise(req: ProviderRequest, opts: ProviderOptions): Promise<ProviderResult> {
    if (req.voice.provider !== 'espeak-ng') throw ttsErrors.unknownVoice(req.voice.id);
    const notes = new Set<string>();
    const parts = req.sentences.map((s) => {
      const r = respell(s.text, s.hits);
      for (const n of r.notes) notes.add(n);
      return ENDS.test(r.text) ? r.text : `${r.text}。`;
    });
    const result = await this.engine.synthesise(
      {
        text: parts.join(''),
        voice: req.voice.engineVoice as SpeechVoice,
        rate: espeakRate(req.rate),
        pitch: espeakPitch(req.pitch),
      },
      { timeoutMs: opts.timeoutMs, ...(opts.signal && { signal: opts.signal }) },
    );
    for (const n of result.notes) notes.add(n);
    return { wav: result.wav, durationMs: result.durationMs, notes: [...notes] };
  }
}
