import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FfmpegTools, resolveFfmpegTools } from './ffmpeg-path.ts';
import { runTool } from './run-tool.ts';

/** Helpers for the media tests: fixtures are made with the real ffmpeg at test time. Not used by the server. */

export const testTools = (): FfmpegTools => resolveFfmpegTools();

/** Temp directories that one `cleanup()` (in afterAll) removes. */
export function tempDirs(prefix = 'dlb-media-') {
  const made: string[] = [];
  return {
    async make(): Promise<string> {
      const d = await mkdtemp(path.join(os.tmpdir(), prefix));
      made.push(d);
      return d;
    },
    async cleanup(): Promise<void> {
      await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Runs ffmpeg to make a fixture; `args` go between the global options and the output file. */
export async function ffmpeg(tools: FfmpegTools, args: string[], output: string): Promise<string> {
  const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', ...args, '-y', output], {
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`fixture ${path.basename(output)} failed: ${r.stderr}`);
  return output;
}

/** lavfi input of a sine tone; default amplitude is 1/8 full scale (about -21 LUFS). */
export const sine = (seconds: number, hz = 440) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=${hz}:duration=${seconds}`,
];

/** Speech-like enough for loudness work: pink noise whose level swells and fades every few seconds. */
export const swellingNoise = (seconds: number, amplitude = 0.2) => [
  ...['-f', 'lavfi', '-i', `anoisesrc=color=pink:duration=${seconds}:amplitude=${amplitude}:seed=7`],
  ...['-af', `volume='0.6+0.4*sin(2*PI*0.25*t)':eval=frame`],
];

/**
 * VBR MP3 without a Xing header and with a quiet start: ffprobe can only guess its length from the first
 * frames' bitrate (and guesses far too long).
 */
export const vbrWithoutXing = (seconds: number) => [
  ...swellingNoise(seconds),
  ...['-af', 'volume=enable=lt(t\\,2):volume=0', '-c:a', 'libmp3lame', '-q:a', '0', '-write_xing', '0'],
];

/** Integrated loudness (LUFS) and true peak (dBTP) as ffmpeg's own ebur128 meter sees them. */
export async function measureLoudness(tools: FfmpegTools, file: string): Promise<{ i: number; tp: number }> {
  const r = await runTool(
    tools.ffmpeg,
    ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { timeoutMs: 30_000 },
  );
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1];
  const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (r.code !== 0 || i === undefined || tp === undefined)
    throw new Error(`ebur128 failed: ${r.stderr.slice(-500)}`);
  return { i: Number(i), tp: tp === '-inf' ? Number.NEGATIVE_INFINITY : Number(tp) };
}

/** Everything below `dir`, as relative paths (empty when the directory does not exist). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const n of await readdir(d).catch(() => [] as string[])) {
      const p = path.join(d, n);
      if ((await stat(p)).isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}
