import type { FfmpegTools } from './ffmpeg-path.ts';
import { runTool } from './run-tool.ts';

/** What the pipeline needs from an ffmpeg build: a system ffmpeg on PATH wins over the npm one, so ask it. */
const NEEDS = { encoder: 'libmp3lame', filters: ['loudnorm', 'aresample', 'aformat'] } as const;

/**
 * Checks, once at start-up, that both tools run and that ffmpeg has the MP3 encoder and loudness filter.
 * Without this, a build lacking them would fail every upload with a message blaming the file. Resolves with
 * the problems found (empty when all is well) rather than throwing, so the caller decides how loud to be.
 */
export async function checkFfmpegTools(tools: FfmpegTools): Promise<string[]> {
  const problems: string[] = [];
  const run = (bin: string, args: string[]) =>
    runTool(bin, ['-hide_banner', ...args], { timeoutMs: 15_000 }).catch((e: Error) => ({
      code: -1,
      stdout: e.message,
    }));
  const probe = await run(tools.ffprobe, ['-version']);
  if (probe.code !== 0) problems.push(`ffprobe does not run: ${tools.ffprobe}`);
  const encoders = await run(tools.ffmpeg, ['-encoders']);
  if (encoders.code !== 0) return [...problems, `ffmpeg does not run: ${tools.ffmpeg}`];
  if (!new RegExp(`\\b${NEEDS.encoder}\\b`).test(encoders.stdout))
    problems.push(`ffmpeg lacks the ${NEEDS.encoder} encoder`);
  const filters = await run(tools.ffmpeg, ['-filters']);
  for (const f of NEEDS.filters) {
    if (!new RegExp(`^\\s*\\S+\\s+${f}\\s`, 'm').test(filters.stdout))
      problems.push(`ffmpeg lacks the ${f} filter`);
  }
  return problems;
}
