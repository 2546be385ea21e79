import type { LexiconHit } from './lexicon.ts';
import type { EngineName, VoiceInfo } from './voices.ts';

/**
 * One interface for every speech engine. The caller (the speech service) has already cleaned, normalised and
 * split the text and found the lexicon's terms; a provider only renders that for its engine and returns audio.
 */

export interface ProviderSentence {
  /** Normalised text of one sentence (numbers already in words), at most ~200 characters. */
  text: string;
  /** The lexicon's terms in `text`, in order, not overlapping; the provider renders them its own way. */
  hits: LexiconHit[];
}

export interface ProviderRequest {
  voice: VoiceInfo;
  /** Spoken in order, with `pauseMs` of silence between them. */
  sentences: ProviderSentence[];
  /** Speaking rate relative to the voice's own, in percent: -50..100 (0 = normal). */
  rate: number;
  /** Pitch relative to the voice's own, in percent: -50..50. */
  pitch: number;
  /** Pause between sentences. */
  pauseMs: number;
}

export interface ProviderOptions {
  /** The provider gives up (and releases everything it holds) after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ProviderResult {
  /** 16-bit mono PCM WAV, complete (never partial). */
  wav: Buffer;
  durationMs: number;
  /** What the operator should know (e.g. a lexicon term the engine could not honour), in Chinese. */
  notes: string[];
}

export interface SpeechProvider {
  readonly name: EngineName;
  /** Changes when the same input could give different audio: part of the cache key. */
  readonly version: string;
  /** Most characters of sentence text in one request (the service groups sentences up to this). */
  readonly maxRequestChars: number;
  synthesise(req: ProviderRequest, opts: ProviderOptions): Promise<ProviderResult>;
}

/** Keeps a number within [min, max]. */
export const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));
