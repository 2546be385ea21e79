/** What the benchmarks share: `--name value` arguments, percentile lines, a centre, a tone. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Centre } from '../server/src/centre.ts';
import type { ConfigInput } from '../server/src/config.ts';
import { ApiClient } from '../test/helpers/api-client.ts';
import { approvedContent } from '../test/helpers/content.ts';
import { ADMIN_PASSWORD } from '../test/helpers/fleet.ts';
import { startInProcessCentre } from '../test/helpers/in-process-centre.ts';

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  return args;
}

export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const fmt = (xs: readonly number[], digits = 0) =>
  `p50 ${pct(xs, 50).toFixed(digits)} ms  p99 ${pct(xs, 99).toFixed(digits)} ms  max ${Math.max(...xs).toFixed(digits)} ms`;

export const BENCH_PASSWORD = ADMIN_PASSWORD;

/** A whole centre in this process on free ports, its data under `dir` (the suites' own helper). */
export async function startBenchCentre(dir: string, overrides: ConfigInput = {}): Promise<Centre> {
  return (await startInProcessCentre(dir, overrides)).centre;
}

/**
 * Logs in as admin, uploads an ffmpeg sine tone and takes it through review (a bench reviewer approves);
 * returns the auth header and the stored media with its approved content id.
 */
export async function loginAndUploadTone(
  centre: Centre,
  dir: string,
  seconds: number,
): Promise<{
  auth: { authorization: string };
  media: { sha256: string; durationMs: number; contentId: string };
}> {
  const api = new ApiClient(centre.httpUrl);
  await api.login('admin', BENCH_PASSWORD);
  const require = createRequire(import.meta.url);
  const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const wav = path.join(dir, 'tone.wav');
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=duration=${seconds}`, wav]);
  const { media } = await api.upload(wav, 'tone.wav');
  const contentId = await approvedContent(api, media.sha256, { title: '基准测试音' });
  return { auth: { authorization: `Bearer ${api.token}` }, media: { ...media, contentId } };
}
