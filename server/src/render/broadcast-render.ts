import { randomUUID } from 'node:crypto';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { inputArgs } from '../media/input-args.ts';
import { LOUDNESS, type LoudnessTarget } from '../media/loudnorm.ts';
import { mediaTimeout } from '../media/media-errors.ts';
import { type AnalysedInput, analyseInput, SAMPLE_RATE } from './analyse-input.ts';
import { assemble, assembledSamples, type Piece } from './assemble.ts';
import { type Ebur128Loudness, measureEbur128 } from './ebur128.ts';
import { runFfmpegJob } from './ffmpeg-job.ts';
import { gainFilter } from './gain.ts';
import { inputLabel, noParts, renderAborted } from './render-errors.ts';
import { progressReporter } from './render-progress.ts';

export interface BroadcastRenderRequest {
  /** Speech, in playing order (e.g. Mandarin then dialect): any audio ffmpeg reads from an upload. */
  parts: string[];
  /** Played intact before the first and after the last part (see chime.ts for the county's). None if absent. */
  chimes?: { open?: string | undefined; close?: string | undefined };
  /** Pause after the opening chime, between parts and before the closing chime. Default 800 ms. */
  gapMs?: number;
  target?: LoudnessTarget;
  /** 0..1 as the render goes (several ffmpeg passes); 1 once the file is ready. */
  onProgress?: (fraction: number) => void;
}

export interface BroadcastRenderDeps {
  tools: FfmpegTools;
  /** Where the result (and, while working, the intermediate WAVs) are written. */
  tempDir: string;
  /** For the whole render, every pass included. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Extra true-peak margin for the MP3 encoder, as in media/transcode.ts. LAME at 64 kbit/s puts the decoded
   * true peak 0.4-1 dB above what it was given (espeak speech, band-limited noise), more on dense noise:
   * default 1.0, and a miss is corrected by a further pass.
   */
  codecHeadroomDb?: number;
}

export interface BroadcastRender {
  /** The MP3 in the terminal format, in `tempDir`; the caller owns it (move it into the store or delete it). */
  path: string;
  /** What terminals will play, measured by decoding the MP3. */
  durationMs: number;
  /** Measured on the output by ffmpeg's ebur128 meter. */
  loudness: Ebur128Loudness;
  /** Leading and trailing silence cut from the speech parts, in total. */
  trimmedMs: number;
  /** Whether `loudness` is within ±1 LU of the target and under its true-peak limit. */
  withinTarget: boolean;
  /** How many encode passes it took (more than 1 when the first missed the target and was corrected). */
  passes: number;
}

export const DEFAULT_GAP_MS = 800;
export const DEFAULT_CODEC_HEADROOM_DB = 1;
/** Rendered items must measure within this of the integrated target. */
export const LOUDNESS_TOLERANCE_LU = 1;

/**
 * The terminal format of media/transcode.ts (renderForTerminals): mono 44.1 kHz CBR 64 kbit/s MP3, no tags,
 * bit-exact. Kept in step with it by a test that compares the two outputs' formats.
 */
const TERMINAL_MP3 = [
  ...['-ac', '1', '-ar', String(SAMPLE_RATE), '-c:a', 'libmp3lame', '-b:a', '64k'],
  ...['-map_metadata', '-1', '-map_chapters', '-1'],
  ...['-id3v2_version', '0', '-write_id3v1', '0', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
  ...['-f', 'mp3'],
];

/** Each piece aims this much further under the peak limit, leaving the final gain some room. */
const PIECE_HEADROOM_DB = 1;
/** The first encode, then at most two corrections. */
const MAX_ENCODE_PASSES = 3;
/** A correcting pass aims this much further under the peak limit than the miss alone would say. */
const CORRECTION_MARGIN_DB = 0.5;

/** What the final gain stage aims at: integrated loudness, and the peak above which it limits. */
export interface FinalAim {
  integrated: number;
  peakDb: number;
}

/**
 * The next encode's aim after one that missed `wanted`: the peak limit lowered by the overshoot plus a margin;
 * the loudness aim shifted by what was missed only when that is more than half the tolerance (a small shift
 * up would cost peak headroom for nothing).
 */
export function correction(prev: FinalAim, measured: Ebur128Loudness, wanted: LoudnessTarget): FinalAim {
  const over = measured.truePeak - wanted.truePeak;
  const missed = wanted.integrated - measured.integrated;
  return {
    integrated: prev.integrated + (Math.abs(missed) > LOUDNESS_TOLERANCE_LU / 2 ? missed : 0),
    peakDb: over > 0 ? prev.peakDb - over - CORRECTION_MARGIN_DB : prev.peakDb,
  };
}

export function meetsTarget(l: Ebur128Loudness, t: LoudnessTarget): boolean {
  return Math.abs(l.integrated - t.integrated) <= LOUDNESS_TOLERANCE_LU && l.truePeak <= t.truePeak;
}

/**
 * Renders a broadcast-ready item: opening chime, the speech parts with their leading and trailing silence
 * trimmed, pauses between, closing chime; every piece brought to the target loudness, then the whole
 * normalised once more (two-pass, linear), encoded to the terminal format and measured with ebur128. If the
 * MP3 misses the target (the encoder's overshoot on dense material), it is encoded again with a
 * correction and a limiter, at most twice. Nothing is left behind on failure, timeout or abort.
 */
export async function renderBroadcastReady(
  req: BroadcastRenderRequest,
  deps: BroadcastRenderDeps,
): Promise<BroadcastRender> {
  if (req.parts.length === 0) throw noParts();
  const deadline = Date.now() + deps.timeoutMs;
  const wanted = req.target ?? LOUDNESS;
  // A negative headroom would aim above the limit on purpose.
  const headroom = Math.max(0, deps.codecHeadroomDb ?? DEFAULT_CODEC_HEADROOM_DB);
  const aim: LoudnessTarget = { ...wanted, truePeak: wanted.truePeak - headroom };
  // Each piece aims a little lower still: the limiter lets peaks through by a few tenths of a dB, and the
  // whole must stay under the limit when it gets its final gain.
  const pieceAim: LoudnessTarget = { ...aim, truePeak: aim.truePeak - PIECE_HEADROOM_DB };
  const gapMs = Math.max(0, req.gapMs ?? DEFAULT_GAP_MS);
  const inputs = [
    ...(req.chimes?.open ? [{ file: req.chimes.open, label: inputLabel('open'), trim: false }] : []),
    ...req.parts.map((file, i) => ({ file, label: inputLabel('part', i), trim: true })),
    ...(req.chimes?.close ? [{ file: req.chimes.close, label: inputLabel('close'), trim: false }] : []),
  ];
  // Decoding and measuring each input, assembling, encoding, verifying, correcting: shares of the work, roughly.
  const progress = progressReporter(req.onProgress, [
    ...inputs.map(() => 0.3 / inputs.length),
    ...[0.25, 0.25, 0.1, 0.1],
  ]);
  const stage = inputs.length;
  const work = await mkdtemp(path.join(deps.tempDir, 'render-'));
  const output = path.join(deps.tempDir, `broadcast-${randomUUID()}.mp3`);
  const part = `${output}.part`;
  const checkAbort = () => {
    if (deps.signal?.aborted) throw renderAborted();
    if (Date.now() >= deadline) throw mediaTimeout();
  };
  try {
    const analysed: AnalysedInput[] = [];
    for (const [i, input] of inputs.entries()) {
      checkAbort();
      const onInput = progress.stage(i, 1);
      analysed.push(
        await analyseInput(
          input.file,
          path.join(work, `input-${i}.wav`),
          { label: input.label, trim: input.trim },
          { tools: deps.tools, deadline, signal: deps.signal, onProgress: onInput },
        ),
      );
    }
    const pieces: Piece[] = [];
    analysed.forEach((a, i) => {
      if (i > 0 && gapMs > 0) pieces.push({ kind: 'gap', ms: gapMs });
      pieces.push({ kind: 'audio', input: a });
    });
    const expectedMs = (assembledSamples(pieces) / SAMPLE_RATE) * 1000;
    checkAbort();
    const whole = path.join(work, 'programme.wav');
    const assembled = await assemble(pieces, whole, pieceAim, {
      tools: deps.tools,
      deadline,
      signal: deps.signal,
      onProgressMs: progress.stage(stage, expectedMs),
    });
    let final: FinalAim = { integrated: aim.integrated, peakDb: aim.truePeak };
    for (let pass = 1; ; pass++) {
      checkAbort();
      // A correcting pass reports its progress in the last share, which a first pass that hits leaves out.
      const onEncode =
        pass === 1 ? progress.stage(stage + 1, expectedMs) : progress.stage(stage + 3, 2 * expectedMs);
      await encode(whole, part, gainFilter(assembled.measurement, final.integrated, final.peakDb), {
        ...deps,
        deadline,
        onProgressMs: onEncode,
      });
      checkAbort();
      const measured = await measureEbur128(part, deps.tools, {
        timeoutMs: Math.max(1, deadline - Date.now()),
        signal: deps.signal,
        onProgressMs: pass === 1 ? progress.stage(stage + 2, expectedMs) : (ms) => onEncode(expectedMs + ms),
      });
      const withinTarget = meetsTarget(measured, wanted);
      if (withinTarget || pass === MAX_ENCODE_PASSES) {
        await rename(part, output);
        progress.done();
        const trimmedMs = analysed.reduce(
          (ms, a) => ms + a.durationMs - ((a.keepEnd - a.keepStart) / SAMPLE_RATE) * 1000,
          0,
        );
        const { durationMs, ...loudness } = measured;
        return {
          path: output,
          durationMs,
          loudness,
          trimmedMs: Math.round(trimmedMs),
          withinTarget,
          passes: pass,
        };
      }
      final = correction(final, measured, wanted);
    }
  } catch (e) {
    await rm(output, { force: true });
    throw e;
  } finally {
    await rm(part, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}

async function encode(
  wav: string,
  out: string,
  filter: string,
  o: BroadcastRenderDeps & { deadline: number; onProgressMs: (ms: number) => void },
): Promise<void> {
  const r = await runFfmpegJob(
    o.tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-xerror', '-v', 'error', '-progress', 'pipe:1'],
      ...inputArgs(wav),
      ...['-map', '0:a:0', '-af', filter, ...TERMINAL_MP3, '-y', out],
    ],
    { deadline: o.deadline, signal: o.signal, onProgressMs: o.onProgressMs },
  );
  if (r.aborted) throw renderAborted();
  if (r.timedOut) throw mediaTimeout();
  if (r.code !== 0) throw new Error(`ffmpeg encode failed (${r.code}): ${r.stderr.slice(-500)}`);
}
