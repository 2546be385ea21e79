/** BENCH_CPU_PROF=<dir>: V8 CPU profiles of a benchmark process over the measured rounds only. */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

export interface ProcessProfile {
  start(): Promise<void>;
  /** Writes `<dir>/<name>-<pid>-<time>.cpuprofile`. */
  stop(): Promise<void>;
}

export function processProfile(name: string, dir = process.env.BENCH_CPU_PROF): ProcessProfile {
  if (!dir) return { start: async () => {}, stop: async () => {} };
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  return {
    start: async () => {
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(
        path.join(dir, `${name}-${process.pid}-${Date.now()}.cpuprofile`),
        JSON.stringify(profile),
      );
    },
  };
}

/** CPU time (user + system, ms) a process has used so far, from /proc; null where it cannot be read. */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
