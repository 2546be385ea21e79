import { rm } from 'node:fs/promises';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { runTool } from '../media/run-tool.ts';
import { measureEbur128 } from './ebur128.ts';

/**
 * Speech-like test and benchmark audio, made with ffmpeg: pink noise shaped into ~4 syllables a second, with
 * a short pause every few seconds, at an exact level, with exact silence before and after. Not used by the
 * server itself; shared by the render tests and the render benchmark.
 */
export interface SpeechLikeOptions {
  seconds: number;
  /** Integrated loudness of the result, LUFS; or, instead, its true peak in dBTP (e.g. -0.3: near clipping). */
  level: { lufs: number } | { peakDb: number };
  leadSilenceMs?: number;
  tailSilenceMs?: number;
  /** Sine pitch instead of noise, e.g. to tell parts apart. */
  toneHz?: number;
  seed?: number;
  timeoutMs?: number;
}

const RATE = 44_100;

/**
 * Syllables at 4 Hz, and the middle third of every 3.3 s left quiet (a pause between phrases), but never the
 * last half second: the file starts and ends in sound, so only the silence added around it is trimmed.
 */
const envelope = (seconds: number) =>
  `(0.55+0.45*sin(2*PI*4*t))*max(gt(cos(2*PI*0.3*t)\\,-0.5)\\,gt(t\\,${(seconds - 0.5).toFixed(2)}))`;

async function ff(tools: FfmpegTools, args: string[], timeoutMs: number): Promise<void> {
  const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`speech-like fixture failed: ${r.stderr.slice(-300)}`);
}

/** Writes a 16-bit mono 44.1 kHz WAV to `out` and returns its measured loudness. */
export async function makeSpeechLike(tools: FfmpegTools, out: string, o: SpeechLikeOptions) {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const source = o.toneHz
    ? `sine=frequency=${o.toneHz}:sample_rate=${RATE}:duration=${o.seconds}`
    : `anoisesrc=color=pink:sample_rate=${RATE}:duration=${o.seconds}:amplitude=0.25:seed=${o.seed ?? 7}`;
  const raw = `${out}.raw.wav`;
  try {
    await ff(
      tools,
      [
        ...['-f', 'lavfi', '-i', source, '-af', `volume='${envelope(o.seconds)}':eval=frame`],
        ...['-ac', '1', '-c:a', 'pcm_f32le', '-y', raw],
      ],
      timeoutMs,
    );
    const m = await measureEbur128(raw, tools, { timeoutMs });
    const gainDb = 'lufs' in o.level ? o.level.lufs - m.integrated : o.level.peakDb - m.truePeak;
    const lead = o.leadSilenceMs ?? 0;
    const tail = Math.round(((o.tailSilenceMs ?? 0) / 1000) * RATE);
    const pad = [
      `volume=${gainDb.toFixed(2)}dB`,
      ...(lead > 0 ? [`adelay=${lead}`] : []),
      ...(tail > 0 ? [`apad=pad_len=${tail}`] : []),
    ].join(',');
    await ff(tools, ['-i', raw, '-af', pad, '-c:a', 'pcm_s16le', '-y', out], timeoutMs);
  } finally {
    await rm(raw, { force: true });
  }
  return measureEbur128(out, tools, { timeoutMs });
}
