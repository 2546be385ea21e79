import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { inputArgs } from '../media/input-args.ts';
import { isSilent, LOUDNESS, measureFilter, parseMeasurement } from '../media/loudnorm.ts';
import { corruptAudio, emptyAudio, mediaTimeout, silentAudio } from '../media/media-errors.ts';
import { probeAudio } from '../media/probe.ts';
import { runTool } from '../media/run-tool.ts';
import { parseProgressMs } from '../media/transcode.ts';
import { aboutInput, chimeTooLong, inputLabel, missingAudio } from './render-errors.ts';

/** A county's own chime may be at most this long: it opens every broadcast. */
export const CHIME_MAX_MS = 15_000;

export interface CountyChimes {
  open: string;
  close: string;
}

export type ChimeKind = 'open' | 'close';

/** C5, E5, G5: a major triad, rising to open a broadcast and falling to close it. */
const NOTES_HZ = [523.25, 659.25, 783.99];
const NOTE_STEP_S = 0.45;
export const DEFAULT_CHIME_MS = 2600;
const FADE_OUT_S = 0.4;

/** Bump when the sound changes, so a directory holding an older version gets the new one. */
const VERSION = 1;

/**
 * The aevalsrc expression of one chime: each note a soft-attack bell (fundamental plus a quiet octave) decaying
 * over about a second, the notes 0.45 s apart. `max(t-T,0)` keeps each note silent before it starts (and
 * keeps exp() from overflowing there).
 */
export function chimeExpression(kind: ChimeKind): string {
  const notes = kind === 'open' ? NOTES_HZ : [...NOTES_HZ].reverse();
  return notes
    .map((hz, i) => {
      const tau = `max(t-${(i * NOTE_STEP_S).toFixed(2)},0)`;
      return (
        `0.3*(sin(2*PI*${hz}*${tau})+0.25*sin(4*PI*${hz}*${tau}))` + `*exp(-2.2*${tau})*(1-exp(-150*${tau}))`
      );
    })
    .join('+');
}

/** Where the default chime of `kind` lives in `dir`. */
export const defaultChimePath = (dir: string, kind: ChimeKind) =>
  path.join(dir, `chime-${kind}-v${VERSION}.wav`);

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Writes one default chime: 16-bit mono 44.1 kHz WAV, the same bytes every time, renamed into place whole. */
async function writeChime(
  file: string,
  kind: ChimeKind,
  tools: FfmpegTools,
  timeoutMs: number,
): Promise<void> {
  const part = `${file}.${randomBytes(6).toString('hex')}.part`;
  const seconds = DEFAULT_CHIME_MS / 1000;
  try {
    const r = await runTool(
      tools.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-v', 'error'],
        ...['-f', 'lavfi', '-i', `aevalsrc=exprs='${chimeExpression(kind)}':s=44100:c=mono:d=${seconds}`],
        ...['-af', `afade=t=out:st=${(seconds - FADE_OUT_S).toFixed(2)}:d=${FADE_OUT_S}`],
        ...['-c:a', 'pcm_s16le', '-ar', '44100', '-ac', '1', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
        ...['-f', 'wav', '-y', part],
      ],
      { timeoutMs },
    );
    if (r.timedOut) throw mediaTimeout();
    if (r.code !== 0) throw new Error(`ffmpeg could not generate the ${kind} chime: ${r.stderr.slice(-300)}`);
    await rename(part, file);
  } finally {
    await rm(part, { force: true });
  }
}

/**
 * The county's default opening and closing chimes in `dir`, generated with ffmpeg the first time and reused
 * after. Safe to call concurrently: each writer renames its own complete file into place, and all write the
 * same bytes.
 */
export async function ensureDefaultChimes(
  dir: string,
  tools: FfmpegTools,
  opts: { timeoutMs?: number } = {},
): Promise<CountyChimes> {
  await mkdir(dir, { recursive: true });
  const out = { open: defaultChimePath(dir, 'open'), close: defaultChimePath(dir, 'close') };
  for (const kind of ['open', 'close'] as const) {
    if (!(await exists(out[kind]))) await writeChime(out[kind], kind, tools, opts.timeoutMs ?? 30_000);
  }
  return out;
}

/**
 * Checks a county's own chime file: decodable audio, not silent, at most 15 s (by decoding it, not by trusting
 * its header). Returns its decoded length.
 */
export async function validateChimeFile(
  file: string,
  tools: FfmpegTools,
  opts: { timeoutMs?: number; kind?: ChimeKind } = {},
): Promise<{ durationMs: number }> {
  const label = inputLabel(opts.kind ?? 'open');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  try {
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw missingAudio(label);
    if (st.size === 0) throw emptyAudio();
    const probe = await probeAudio(file, tools, { allowUnknownDuration: true, timeoutMs });
    if (probe.durationSource === 'header' && probe.durationMs > CHIME_MAX_MS)
      throw chimeTooLong(CHIME_MAX_MS);
    const r = await runTool(
      tools.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-xerror', '-v', 'info', '-progress', 'pipe:1'],
        ...['-t', String(CHIME_MAX_MS / 1000 + 1)],
        ...inputArgs(file),
        ...[
          '-map',
          '0:a:0',
          '-af',
          `aformat=channel_layouts=mono,${measureFilter(LOUDNESS)}`,
          '-f',
          'null',
          '-',
        ],
      ],
      { timeoutMs },
    );
    if (r.timedOut) throw mediaTimeout();
    if (r.code !== 0) throw corruptAudio('decode_failed');
    const durationMs = parseProgressMs(r.stdout) ?? 0;
    if (durationMs === 0) throw emptyAudio();
    if (durationMs > CHIME_MAX_MS) throw chimeTooLong(CHIME_MAX_MS);
    const m = parseMeasurement(r.stderr);
    if (!m || isSilent(m)) throw silentAudio();
    return { durationMs };
  } catch (e) {
    throw aboutInput(e, label);
  }
}

/**
 * The chimes to use for a county: its configured files where given (validated), else the defaults in `dir`.
 */
export async function countyChimes(
  configured: { open?: string | undefined; close?: string | undefined } | undefined,
  dir: string,
  tools: FfmpegTools,
): Promise<CountyChimes> {
  const pick = async (kind: ChimeKind) => {
    const own = configured?.[kind];
    if (!own) return (await ensureDefaultChimes(dir, tools))[kind];
    await validateChimeFile(own, tools, { kind });
    return own;
  };
  return { open: await pick('open'), close: await pick('close') };
}
