import { describe, expect, it } from 'vitest';
import { testTools } from '../media/test-support.ts';
import { runFfmpegJob } from './ffmpeg-job.ts';

const tools = testTools();
const GLOBAL = ['-hide_banner', '-nostdin', '-nostats', '-v', 'info', '-progress', 'pipe:1'];
// 10 minutes of generated audio through a slow filter: long enough to be still running when we stop it.
const SLOW_FILTER = 'aresample=192000,ebur128=peak=true';
const slow = [
  ...GLOBAL,
  '-f',
  'lavfi',
  '-i',
  'anoisesrc=duration=600',
  '-af',
  SLOW_FILTER,
  '-f',
  'null',
  '-',
];

describe('runFfmpegJob', () => {
  it('reports progress as it goes and stderr line by line, and the final position', async () => {
    const seen: number[] = [];
    const lines: string[] = [];
    const r = await runFfmpegJob(
      tools.ffmpeg,
      [...GLOBAL, '-f', 'lavfi', '-i', 'sine=duration=3', '-af', 'silencedetect=d=0.1', '-f', 'null', '-'],
      {
        deadline: Date.now() + 30_000,
        onProgressMs: (ms) => seen.push(ms),
        onStderrLine: (l) => lines.push(l),
      },
    );
    expect(r).toMatchObject({ code: 0, outMs: 3000, timedOut: false, aborted: false });
    expect(seen.at(-1)).toBe(3000);
    expect(lines.some((l) => l.startsWith('Input #0, lavfi'))).toBe(true);
  });

  it('kills ffmpeg at the deadline', async () => {
    const started = Date.now();
    const r = await runFfmpegJob(tools.ffmpeg, slow, { deadline: Date.now() + 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('kills ffmpeg on abort, and does not start it when already aborted', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const r = await runFfmpegJob(tools.ffmpeg, slow, { deadline: Date.now() + 30_000, signal: ctl.signal });
    expect(r).toMatchObject({ aborted: true, timedOut: false, code: null });
    const again = await runFfmpegJob(tools.ffmpeg, slow, {
      deadline: Date.now() + 30_000,
      signal: ctl.signal,
    });
    expect(again).toMatchObject({ aborted: true, outMs: null });
  });

  it('rejects when the binary does not exist', async () => {
    await expect(runFfmpegJob('/nonexistent/ffmpeg', [], { deadline: Date.now() + 1000 })).rejects.toThrow();
  });
});
