/** What the benchmarks share: `--name value` arguments and percentile lines. */

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

export const BENCH_PASSWORD = 'bench-admin-password-1';
