import { rm } from 'node:fs/promises';
import { unprocessable } from '../errors.ts';
import type { FfmpegTools } from './ffmpeg-path.ts';
import { runTool } from './run-tool.ts';

/** EBU R128 targets for outdoor horn speakers. */
export const LOUDNESS = { integrated: -16, truePeak: -1.5, range: 11 } as const;

interface LoudnormMeasure {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

const corrupt = (detail: string) => unprocessable('corrupt_audio', '音频文件已损坏或不完整', { detail: detail.slice(0, 300) });

/**
 * Two-pass loudnorm (measure, then apply linearly) to -16 LUFS / -1.5 dBTP, mono 44.1 kHz MP3.
 * Decoding errors fail the job (-xerror) rather than producing a partial file; no output is left on failure.
 */
export async function renderForTerminals(input: string, output: string, tools: FfmpegTools): Promise<void> {
  const target = `I=${LOUDNESS.integrated}:TP=${LOUDNESS.truePeak}:LRA=${LOUDNESS.range}`;
  const measure = await runTool(tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-xerror', '-i', input, '-vn', '-af', `loudnorm=${target}:print_format=json`, '-f', 'null', '-',
  ]);
  const json = measure.stderr.slice(measure.stderr.lastIndexOf('{'));
  if (measure.code !== 0) throw corrupt(measure.stderr);
  let m: LoudnormMeasure;
  try {
    m = JSON.parse(json) as LoudnormMeasure;
  } catch {
    throw corrupt(measure.stderr);
  }
  // Silence measures as -inf; apply plain encoding then (loudnorm cannot lift silence).
  const finite = [m.input_i, m.input_tp, m.input_lra, m.input_thresh].every((v) => Number.isFinite(Number(v)));
  const filter = finite
    ? `loudnorm=${target}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true,aresample=44100`
    : 'aresample=44100';
  const apply = await runTool(tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-y', '-i', input, '-vn', '-map_metadata', '-1',
    '-af', filter, '-ac', '1', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', output,
  ]);
  if (apply.code !== 0) {
    await rm(output, { force: true });
    throw corrupt(apply.stderr);
  }
}
