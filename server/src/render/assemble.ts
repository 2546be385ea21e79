import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { inputArgs } from '../media/input-args.ts';
import {
  LOUDNESS,
  type LoudnessMeasurement,
  type LoudnessTarget,
  measureFilter,
  parseMeasurement,
} from '../media/loudnorm.ts';
import { mediaTimeout } from '../media/media-errors.ts';
import { type AnalysedInput, SAMPLE_RATE, WORK_FORMAT } from './analyse-input.ts';
import { runFfmpegJob } from './ffmpeg-job.ts';
import { gainFilter } from './gain.ts';
import { renderAborted } from './render-errors.ts';

/** One piece of the programme: a decoded input (chime or speech) or a pause. */
export type Piece = { kind: 'audio'; input: AnalysedInput } | { kind: 'gap'; ms: number };

export interface AssembleDeps {
  tools: FfmpegTools;
  deadline: number;
  signal?: AbortSignal | undefined;
  onProgressMs?: ((ms: number) => void) | undefined;
}

/** Length of the assembled programme in samples, as the filter graph below cuts it. */
export function assembledSamples(pieces: Piece[]): number {
  return pieces.reduce(
    (n, p) => n + (p.kind === 'gap' ? gapSamples(p.ms) : Math.max(0, p.input.keepEnd - p.input.keepStart)),
    0,
  );
}

/**
 * A 4th-order low-pass at 14 kHz. LAME at 64 kbit/s mono codes little above that, and what it drops there is
 * what pushed its output up to 1.5 dB over our true-peak limiter on noisy material; band-limiting first lets the
 * final gain and limiter see (nearly) what terminals will play. Horn speakers reproduce far less than this.
 */
export const BAND_LIMIT = 'lowpass=f=14000:poles=2,lowpass=f=14000:poles=2';

const gapSamples = (ms: number) => Math.round((ms / 1000) * SAMPLE_RATE);

/**
 * The filter graph: every input cut to what is kept and brought to the target loudness on its own (the gain
 * its measurement calls for, limited only where that gain would break the peak limit), so a quiet dialect
 * recording is as loud as the Mandarin one and as the chimes; pauses are digital silence; all joined end to end.
 */
export function assembleGraph(pieces: Piece[], target: LoudnessTarget): string {
  const chains: string[] = [];
  const labels: string[] = [];
  let input = 0;
  pieces.forEach((p, i) => {
    const label = `[p${i}]`;
    labels.push(label);
    if (p.kind === 'gap') {
      chains.push(
        `aevalsrc=0:s=${SAMPLE_RATE}:c=mono,atrim=end_sample=${gapSamples(p.ms)},${WORK_FORMAT}${label}`,
      );
      return;
    }
    const { keepStart, keepEnd, totalSamples, measurement } = p.input;
    const bounds = [
      ...(keepStart > 0 ? [`start_sample=${keepStart}`] : []),
      ...(keepEnd < totalSamples ? [`end_sample=${keepEnd}`] : []),
    ];
    const cut = bounds.length > 0 ? `atrim=${bounds.join(':')},asetpts=PTS-STARTPTS,` : '';
    chains.push(
      `[${input++}:a:0]${cut}${gainFilter(measurement, target.integrated, target.truePeak)},${WORK_FORMAT}${label}`,
    );
  });
  return `${chains.join(';')};${labels.join('')}concat=n=${pieces.length}:v=0:a=1`;
}

/**
 * Renders the assembled programme to a mono float WAV (`wavOut`) and measures the whole in the same pass, for
 * the final normalisation.
 */
export async function assemble(
  pieces: Piece[],
  wavOut: string,
  target: LoudnessTarget,
  deps: AssembleDeps,
): Promise<{ measurement: LoudnessMeasurement; durationMs: number }> {
  const inputs = pieces.flatMap((p) => (p.kind === 'audio' ? inputArgs(p.input.wav) : []));
  const graph = `${assembleGraph(pieces, target)},${BAND_LIMIT},asplit=2[w][m];[m]${measureFilter(LOUDNESS)}[n]`;
  const r = await runFfmpegJob(
    deps.tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-xerror', '-v', 'info', '-progress', 'pipe:1'],
      ...inputs,
      ...['-filter_complex', graph],
      ...['-map', '[w]', '-c:a', 'pcm_f32le', '-f', 'wav', '-y', wavOut],
      ...['-map', '[n]', '-f', 'null', '-'],
    ],
    { deadline: deps.deadline, signal: deps.signal, onProgressMs: deps.onProgressMs },
  );
  if (r.aborted) throw renderAborted();
  if (r.timedOut) throw mediaTimeout();
  // Every input decoded cleanly in its own pass already: a failure here is ours, not the operator's.
  if (r.code !== 0)
    throw new Error(`ffmpeg could not assemble the programme (${r.code}): ${r.stderr.slice(-500)}`);
  const measurement = parseMeasurement(r.stderr);
  if (!measurement || r.outMs === null)
    throw new Error('ffmpeg assembled the programme without measuring it');
  return { measurement, durationMs: r.outMs };
}
