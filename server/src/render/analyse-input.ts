import { stat } from 'node:fs/promises';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { inputArgs } from '../media/input-args.ts';
import {
  isSilent,
  LOUDNESS,
  type LoudnessMeasurement,
  measureFilter,
  parseMeasurement,
} from '../media/loudnorm.ts';
import { corruptAudio, emptyAudio, mediaTimeout, silentAudio } from '../media/media-errors.ts';
import { probeAudio } from '../media/probe.ts';
import { runFfmpegJob } from './ffmpeg-job.ts';
import { aboutInput, missingAudio, renderAborted } from './render-errors.ts';

/** Everything after decoding works on mono 32-bit float at the terminals' rate: no clipping, no requantising. */
export const SAMPLE_RATE = 44_100;
export const WORK_FORMAT = `aformat=sample_fmts=flt:sample_rates=${SAMPLE_RATE}:channel_layouts=mono`;

/** Quieter than this counts as silence when trimming the ends of speech (-50 dBFS sample peak). */
export const SILENCE_DB = -50;
/** Shorter quiet stretches at an end are not worth trimming. */
const MIN_SILENCE_S = 0.1;

export interface AnalysedInput {
  /** The decoded input: mono float WAV, 44.1 kHz, untrimmed. */
  wav: string;
  /** Decoded length, ms. */
  durationMs: number;
  /** Samples to keep, [start, end): the input without its leading and trailing silence. */
  keepStart: number;
  keepEnd: number;
  /** Decoded length in samples (from ffmpeg's progress: exact for the WAV it writes). */
  totalSamples: number;
  /** Loudness of the input as loudnorm measures it (gating ignores the silence that is trimmed). */
  measurement: LoudnessMeasurement;
}

export interface AnalyseDeps {
  tools: FfmpegTools;
  deadline: number;
  signal?: AbortSignal | undefined;
  /** 0..1 of this input, by its length as ffprobe states it (nothing when it states none). */
  onProgress?: ((fraction: number) => void) | undefined;
}

interface Interval {
  start: number;
  end: number | null;
}

/** Follows silencedetect's lines, keeping only the first and the last quiet stretch (speech may have many). */
export function silenceTracker() {
  let first: Interval | null = null;
  let last: Interval | null = null;
  return {
    line(l: string) {
      const s = /silence_start: (-?\d+(?:\.\d+)?(?:e-?\d+)?)/.exec(l);
      if (s) {
        last = { start: Math.max(0, Number(s[1])), end: null };
        first ??= last;
        return;
      }
      const e = /silence_end: (\d+(?:\.\d+)?)/.exec(l);
      if (e && last && last.end === null) last.end = Number(e[1]);
    },
    /** Samples to keep of `totalSamples`, given the quiet stretches seen. */
    keep(totalSamples: number, rate: number): { start: number; end: number } {
      const total = totalSamples / rate;
      let start = 0;
      let end = totalSamples;
      const f = first as Interval | null;
      const z = last as Interval | null;
      if (f && f.start <= 0.01) start = f.end === null ? totalSamples : Math.round(f.end * rate);
      // silencedetect of ffmpeg 4.1 closes a stretch that reaches EOF at EOF; older builds leave it open.
      if (z && (z.end === null || z.end >= total - 0.03)) end = Math.round(z.start * rate);
      return { start: Math.min(start, totalSamples), end: Math.max(0, Math.min(end, totalSamples)) };
    },
  };
}

/**
 * Decodes one input to a mono float WAV and, in the same pass, measures its loudness and finds its leading
 * and trailing silence. Errors name the input (`label`). Rejects inputs that are missing, not audio, empty,
 * corrupt, silent, or (when `trim`) nothing but silence below -50 dBFS.
 */
export async function analyseInput(
  file: string,
  wavOut: string,
  opts: { label: string; trim: boolean },
  deps: AnalyseDeps,
): Promise<AnalysedInput> {
  try {
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw missingAudio(opts.label);
    if (st.size === 0) throw emptyAudio();
    const timeoutMs = Math.max(1, deps.deadline - Date.now());
    // ffprobe first: it tells "not audio at all" (415) from "audio but broken" (422, from the decode below).
    const probe = await probeAudio(file, deps.tools, { allowUnknownDuration: true, timeoutMs });
    const onProgressMs =
      deps.onProgress && probe.durationMs > 0
        ? (ms: number) => deps.onProgress?.(Math.min(1, ms / probe.durationMs))
        : undefined;
    const silence = silenceTracker();
    const graph =
      `[0:a:0]${WORK_FORMAT},asplit=2[w][m];` +
      `[m]silencedetect=n=${SILENCE_DB}dB:d=${MIN_SILENCE_S},${measureFilter(LOUDNESS)}[n]`;
    const r = await runFfmpegJob(
      deps.tools.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-xerror', '-v', 'info', '-progress', 'pipe:1'],
        ...inputArgs(file),
        ...['-filter_complex', graph],
        ...['-map', '[w]', '-c:a', 'pcm_f32le', '-f', 'wav', '-y', wavOut],
        ...['-map', '[n]', '-f', 'null', '-'],
      ],
      {
        deadline: deps.deadline,
        signal: deps.signal,
        onProgressMs,
        onStderrLine: silence.line,
      },
    );
    if (r.aborted) throw renderAborted();
    if (r.timedOut) throw mediaTimeout();
    if (r.code !== 0) throw corruptAudio('decode_failed');
    if (!r.outMs) throw emptyAudio();
    const measurement = parseMeasurement(r.stderr);
    if (!measurement)
      throw new Error(`ffmpeg finished without a loudness measurement: ${r.stderr.slice(-300)}`);
    if (isSilent(measurement)) throw silentAudio();
    const total = Math.round((r.outMs / 1000) * SAMPLE_RATE);
    const keep = opts.trim ? silence.keep(total, SAMPLE_RATE) : { start: 0, end: total };
    if (keep.end - keep.start < SAMPLE_RATE / 10) throw silentAudio();
    return {
      wav: wavOut,
      durationMs: r.outMs,
      keepStart: keep.start,
      keepEnd: keep.end,
      totalSamples: total,
      measurement,
    };
  } catch (e) {
    throw aboutInput(e, opts.label);
  }
}
