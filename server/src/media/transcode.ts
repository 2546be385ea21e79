import { rename, rm } from 'node:fs/promises';
import type { FfmpegTools } from './ffmpeg-path.ts';
import { inputArgs } from './input-args.ts';
import {
  applyFilter,
  isSilent,
  LOUDNESS,
  type LoudnessMeasurement,
  type LoudnessTarget,
  measureFilter,
  parseMeasurement,
} from './loudnorm.ts';
import { corruptAudio, emptyAudio, mediaTimeout, silentAudio } from './media-errors.ts';
import { runTool } from './run-tool.ts';

export { LOUDNESS } from './loudnorm.ts';

export interface RenderOptions {
  loudness?: LoudnessTarget;
  /**
   * Extra true-peak margin for the MP3 encoder: at 64 kbit/s LAME overshoots the limiter's peaks by up to about
   * 0.5 dB on dense material, so the limiter aims lower for the encoded file to stay within `loudness.truePeak`.
   */
  codecHeadroomDb?: number;
  /** MP3 CBR bitrate; 64 kbit/s mono is plenty for horn speakers. */
  bitrateKbps?: number;
  sampleRate?: number;
  /** Decode at most this much of the input, so a file whose length was misreported cannot run for hours. */
  maxDecodeMs?: number;
  /** Per ffmpeg pass. */
  timeoutMs?: number;
}

export interface RenderResult {
  /** How much audio the measuring pass actually decoded. */
  decodedMs: number;
  measurement: LoudnessMeasurement;
}

const COMMON = ['-hide_banner', '-nostdin', '-nostats', '-xerror'];

/** Downmix first, so loudness is measured and corrected on exactly what the terminals will play. */
const MONO = 'aformat=channel_layouts=mono';

/** The final `-progress` block ends with out_time_us (or only out_time, in older builds). */
export function parseProgressMs(progress: string): number | null {
  const us = [...progress.matchAll(/^out_time_us=(\d+)$/gm)].pop();
  if (us) return Math.round(Number(us[1]) / 1000);
  const t = [...progress.matchAll(/^out_time=(\d+):(\d\d):(\d\d(?:\.\d+)?)$/gm)].pop();
  if (!t) return null;
  return Math.round((Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3])) * 1000);
}

async function measure(input: string, tools: FfmpegTools, limit: string[], o: Required<RenderOptions>) {
  // `-v info` because loudnorm prints its measurement at info level; -xerror still stops on the first decode error.
  const r = await runTool(
    tools.ffmpeg,
    [
      ...COMMON,
      ...['-v', 'info', '-progress', 'pipe:1'],
      ...limit,
      ...inputArgs(input),
      ...['-map', '0:a:0', '-af', `${MONO},${measureFilter(o.loudness)}`, '-f', 'null', '-'],
    ],
    { timeoutMs: o.timeoutMs },
  );
  if (r.timedOut) throw mediaTimeout();
  if (r.code !== 0) throw corruptAudio('decode_failed');
  const decodedMs = parseProgressMs(r.stdout);
  if (decodedMs === 0) throw emptyAudio();
  const measurement = parseMeasurement(r.stderr);
  if (decodedMs === null || !measurement) throw new Error('ffmpeg finished without a loudness measurement');
  if (isSilent(measurement)) throw silentAudio();
  return { decodedMs, measurement };
}

/**
 * Renders any decodable audio to what terminals play: EBU R128 loudness (two-pass loudnorm, -16 LUFS,
 * -1.5 dBTP, LRA 11), mono, 44.1 kHz, CBR MP3, no metadata. A decode error anywhere fails the job (422
 * corrupt_audio) instead of yielding a partial render. `output` appears only complete: the encoder writes a
 * sibling `.part` file that is renamed on success and removed on any failure.
 */
export async function renderForTerminals(
  input: string,
  output: string,
  tools: FfmpegTools,
  opts: RenderOptions = {},
): Promise<RenderResult> {
  const wanted = opts.loudness ?? LOUDNESS;
  const headroom = opts.codecHeadroomDb ?? 0.5;
  const o: Required<RenderOptions> = {
    // What the limiter aims at; the encoded file then lands within `wanted`.
    loudness: { ...wanted, truePeak: wanted.truePeak - headroom },
    codecHeadroomDb: headroom,
    bitrateKbps: opts.bitrateKbps ?? 64,
    sampleRate: opts.sampleRate ?? 44_100,
    maxDecodeMs: opts.maxDecodeMs ?? 0,
    timeoutMs: opts.timeoutMs ?? 10 * 60_000,
  };
  // Both passes see the same (possibly cut) input, so the measurement matches what is encoded.
  const limit = o.maxDecodeMs > 0 ? ['-t', (o.maxDecodeMs / 1000).toFixed(3)] : [];
  const { decodedMs, measurement } = await measure(input, tools, limit, o);
  const part = `${output}.part`;
  try {
    const r = await runTool(
      tools.ffmpeg,
      [
        ...COMMON,
        ...['-v', 'error'],
        ...limit,
        ...inputArgs(input),
        ...['-map', '0:a:0', '-map_metadata', '-1', '-map_chapters', '-1'],
        ...['-af', `${MONO},${applyFilter(o.loudness, measurement)},aresample=${o.sampleRate}`],
        ...['-ac', '1', '-ar', String(o.sampleRate), '-c:a', 'libmp3lame', '-b:a', `${o.bitrateKbps}k`],
        // No ID3 tags at all, and no encoder version in the LAME header: the same input renders to the same bytes.
        ...['-id3v2_version', '0', '-write_id3v1', '0', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
        ...['-f', 'mp3', '-y', part],
      ],
      { timeoutMs: o.timeoutMs },
    );
    if (r.timedOut) throw mediaTimeout();
    // The measuring pass already decoded all of the input, so a failure here is ours (e.g. an ffmpeg without
    // libmp3lame), not the uploader's: an internal error, with the tail of stderr for the log only.
    if (r.code !== 0) throw new Error(`ffmpeg encode failed (${r.code}): ${r.stderr.slice(-500)}`);
    await rename(part, output);
    return { decodedMs, measurement };
  } finally {
    await rm(part, { force: true });
  }
}
