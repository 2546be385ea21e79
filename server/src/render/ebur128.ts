import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { inputArgs } from '../media/input-args.ts';
import { corruptAudio, emptyAudio, mediaTimeout } from '../media/media-errors.ts';
import { runFfmpegJob } from './ffmpeg-job.ts';
import { renderAborted } from './render-errors.ts';

/** What ffmpeg's EBU R128 meter (`ebur128=peak=true`) reports for a whole file. */
export interface Ebur128Loudness {
  /** Integrated loudness, LUFS (-70 for digital silence: the meter's absolute gate). */
  integrated: number;
  /** Maximum true peak, dBTP; -Infinity for digital silence. */
  truePeak: number;
  /** Loudness range, LU. */
  lra: number;
}

export interface Ebur128Result extends Ebur128Loudness {
  /** How much audio was decoded and measured. */
  durationMs: number;
}

export interface Ebur128Options {
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Progress in decoded ms, as the meter goes. */
  onProgressMs?: ((ms: number) => void) | undefined;
}

function value(summary: string, re: RegExp): number | null {
  const m = re.exec(summary)?.[1];
  if (m === undefined) return null;
  if (m === '-inf') return Number.NEGATIVE_INFINITY;
  if (m === 'inf') return Number.POSITIVE_INFINITY;
  const n = Number(m);
  return Number.isFinite(n) ? n : null;
}

const NUM = '(-?inf|-?\\d+(?:\\.\\d+)?)';

/** Reads the summary the meter prints when its graph closes; null when there is none (or it is cut). */
export function parseEbur128Summary(stderr: string): Ebur128Loudness | null {
  const at = stderr.lastIndexOf('Summary:');
  if (at < 0) return null;
  const s = stderr.slice(at);
  const integrated = value(s, new RegExp(`\\bI:\\s+${NUM} LUFS`));
  const lra = value(s, new RegExp(`\\bLRA:\\s+${NUM} LU\\b`));
  const truePeak = value(s, new RegExp(`True peak:\\s+Peak:\\s+${NUM} dBFS`));
  if (integrated === null || lra === null || truePeak === null) return null;
  return { integrated, truePeak, lra };
}

/**
 * Measures a file with ffmpeg's own EBU R128 meter: integrated loudness, true peak (4× oversampled) and
 * loudness range of its first audio stream, downmixed to mono as terminals play it. Also returns how much
 * audio it decoded, which for a rendered MP3 is the length terminals will play.
 */
export async function measureEbur128(
  file: string,
  tools: FfmpegTools,
  opts: Ebur128Options = {},
): Promise<Ebur128Result> {
  const r = await runFfmpegJob(
    tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-xerror', '-v', 'info', '-progress', 'pipe:1'],
      ...inputArgs(file),
      // framelog=verbose keeps the per-100 ms lines out of stderr at info level; the summary stays.
      ...['-map', '0:a:0', '-af', 'aformat=channel_layouts=mono,ebur128=peak=true:framelog=verbose'],
      ...['-f', 'null', '-'],
    ],
    {
      deadline: Date.now() + (opts.timeoutMs ?? 60_000),
      signal: opts.signal,
      onProgressMs: opts.onProgressMs,
    },
  );
  if (r.aborted) throw renderAborted();
  if (r.timedOut) throw mediaTimeout();
  if (r.code !== 0) throw corruptAudio('decode_failed');
  if (!r.outMs) throw emptyAudio();
  const loudness = parseEbur128Summary(r.stderr);
  if (!loudness) throw new Error(`ebur128 printed no summary: ${r.stderr.slice(-300)}`);
  return { ...loudness, durationMs: r.outMs };
}
