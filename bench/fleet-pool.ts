/**
 * The benchmark's simulated fleet spread over several processes (bench/fleet-process.ts), so that the centre,
 * the broker and the terminals do not share one event loop: the parent splits the registered terminals into
 * one store per slice and asks each slice over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentConfigInput } from '@dlb/protocol';

export interface Tally {
  received: number;
  played: number;
  failed: number;
  cancelled: number;
}

export type FleetRequest =
  | {
      type: 'start';
      id: number;
      slice: number;
      count: number;
      server: string;
      username: string;
      password: string;
      dataDir: string;
      shareSignatureChecks: boolean;
      reportDelayMs: number;
      fetchLimit: number;
    }
  | { type: 'status'; id: number }
  | { type: 'attention'; id: number; alertId: string }
  | { type: 'profile'; id: number; on: boolean }
  | { type: 'stop'; id: number };

export type FleetReply =
  | { type: 'started'; id: number }
  | {
      type: 'status';
      id: number;
      connected: number;
      ready: number;
      attentionSha: string;
      /** Changes whenever a terminal takes a new target: the bench waits for it to settle between rounds. */
      targetActivity: number;
    }
  | { type: 'attention'; id: number; starts: Array<[string, number]>; tally: Tally }
  | { type: 'profiled'; id: number }
  | { type: 'stopped'; id: number }
  | { type: 'error'; id: number; message: string };

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;

class Slice {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: FleetReply) => void; reject: (e: Error) => void }
  >();

  constructor(readonly child: ChildProcess) {
    child.on('message', (r: FleetReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.type === 'error') w.reject(new Error(`fleet process: ${r.message}`));
      else w.resolve(r);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`fleet process exited (${code})`));
      this.waiting.clear();
    });
  }

  ask<T extends FleetReply['type']>(
    req: Distributive<FleetRequest>,
  ): Promise<Extract<FleetReply, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: FleetReply) => void, reject });
      this.child.send({ ...req, id });
    });
  }
}

export interface FleetPoolOptions {
  processes: number;
  configs: AgentConfigInput[];
  dir: string;
  server: string;
  username: string;
  password: string;
  shareSignatureChecks: boolean;
  reportDelayMs: number;
  fetchLimit: number;
  /** `agents`: the real agent code (fleet-process.ts); `thin`: terminals reduced to check + report. */
  fleet: 'agents' | 'thin';
}

export class FleetPool {
  private constructor(private readonly slices: Slice[]) {}

  static async start(o: FleetPoolOptions): Promise<FleetPool> {
    const entry = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      o.fleet === 'thin' ? 'thin-fleet-process.ts' : 'fleet-process.ts',
    );
    const k = Math.max(1, Math.min(o.processes, o.configs.length));
    const slices: Slice[] = [];
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < k; i++) {
      const mine = o.configs.filter((_, j) => j % k === i);
      const dataDir = path.join(o.dir, `fleet-${i}`);
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path.join(dataDir, 'sim-terminals.json'), JSON.stringify({ terminals: mine }));
      const child = fork(entry, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const slice = new Slice(child);
      slices.push(slice);
      starts.push(
        slice.ask({
          type: 'start',
          slice: i,
          count: mine.length,
          server: o.server,
          username: o.username,
          password: o.password,
          dataDir,
          shareSignatureChecks: o.shareSignatureChecks,
          reportDelayMs: o.reportDelayMs,
          fetchLimit: o.fetchLimit,
        }),
      );
    }
    const pool = new FleetPool(slices);
    try {
      await Promise.all(starts);
    } catch (e) {
      await pool.stop();
      throw e;
    }
    return pool;
  }

  get pids(): number[] {
    return this.slices.map((s) => s.child.pid ?? 0);
  }

  async status(): Promise<{
    connected: number;
    ready: number;
    attentionSha: string;
    targetActivity: number;
  }> {
    const all = await Promise.all(this.slices.map((s) => s.ask<'status'>({ type: 'status' })));
    return {
      connected: all.reduce((a, r) => a + r.connected, 0),
      ready: all.reduce((a, r) => a + r.ready, 0),
      attentionSha: all.find((r) => r.attentionSha)?.attentionSha ?? '',
      targetActivity: all.reduce((a, r) => a + r.targetActivity, 0),
    };
  }

  /**
   * Every terminal has taken the targets published so far (an alert's and a cancel's target refreshes reach
   * every terminal, and each verifies its own: seconds of fleet CPU that must not run into the next round).
   */
  async settled(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = (await this.status()).targetActivity;
    for (let still = 0; still < 2 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      const now = (await this.status()).targetActivity;
      still = now === last ? still + 1 : 0;
      last = now;
    }
  }

  /** Each terminal's first attention-tone start for the alert (host clock), and the summed tallies. */
  async attention(alertId: string): Promise<{ starts: Map<string, number>; tally: Tally }> {
    const all = await Promise.all(this.slices.map((s) => s.ask<'attention'>({ type: 'attention', alertId })));
    const starts = new Map<string, number>();
    const tally: Tally = { received: 0, played: 0, failed: 0, cancelled: 0 };
    for (const r of all) {
      for (const [tid, at] of r.starts) starts.set(tid, at);
      for (const k of Object.keys(tally) as Array<keyof Tally>) tally[k] += r.tally[k];
    }
    return { starts, tally };
  }

  /** Start or stop the fleet processes' CPU profiles (only when BENCH_CPU_PROF names a directory). */
  async profile(on: boolean): Promise<void> {
    await Promise.all(this.slices.map((s) => s.ask({ type: 'profile', on })));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.slices.map(async (s) => {
        if (s.child.exitCode !== null) return;
        await s.ask({ type: 'stop' }).catch(() => {});
        const exited = new Promise((r) => s.child.once('exit', r));
        s.child.disconnect();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (s.child.exitCode === null) s.child.kill('SIGKILL');
      }),
    );
  }
}
