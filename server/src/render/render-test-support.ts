import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { runTool } from '../media/run-tool.ts';

/** Helpers for the render tests only. */

/** RMS level (dBFS) of `file` between `fromS` and `toS` through a narrow band-pass at `hz`. */
export async function bandLevelDb(
  tools: FfmpegTools,
  file: string,
  hz: number,
  fromS: number,
  toS: number,
): Promise<number> {
  const r = await runTool(
    tools.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-v', 'info', '-i', file],
      ...['-af', `atrim=start=${fromS}:end=${toS},bandpass=f=${hz}:width_type=q:w=8,astats=metadata=0`],
      ...['-f', 'null', '-'],
    ],
    { timeoutMs: 30_000 },
  );
  const m = /RMS level dB: (-?inf|-?[\d.]+)/.exec(r.stderr.slice(r.stderr.lastIndexOf('Overall')));
  if (r.code !== 0 || !m?.[1]) throw new Error(`astats failed: ${r.stderr.slice(-300)}`);
  return m[1].endsWith('inf') ? Number.NEGATIVE_INFINITY : Number(m[1]);
}

/** Processes whose command line mentions `needle` (e.g. a test's temp directory): none should outlive a render. */
export async function processesMentioning(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const found: number[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle)) found.push(Number(pid));
  }
  return found;
}
