/** The emergency-latency benchmark's helpers: waiting, file limits, fetch throttling, the raw fan-out baseline. */
import { type Agent, checkCommand } from '@dlb/edge-agent';
import { type AgentConfigInput, AgentConfigSchema } from '@dlb/protocol';
import mqtt from 'mqtt';
import { cpuMsOf } from './process-profile.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
export const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
export const log = (l: string) => console.log(l);

export async function until(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs: number,
  every = 100,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * All agents share this process's file-descriptor limit (`ulimit -n`): each holds an MQTT socket and two open
 * logs, and every HTTP download costs two more (the agent's socket and the in-process centre's). When thousands
 * of agents fetch the attention tone at once that runs out (EMFILE), so the bench caps concurrent HTTP requests
 * (each held until its body is read). Real terminals each have their own descriptors; nothing here is timed.
 */
export function limitFetch(max: number): void {
  const inner = globalThis.fetch;
  let active = 0;
  const waiting: Array<() => void> = [];
  globalThis.fetch = async (input, init) => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      const res = await inner(input, init);
      const body = await res.arrayBuffer();
      return new Response(res.status === 204 || res.status === 304 ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** The agent's media cache is internal; the bench only asks whether a file is there. */
export function cacheHas(agent: Agent, sha: string): boolean {
  const parts = (agent as unknown as { parts: { cache: { has(s: string): boolean } } | null }).parts;
  return parts?.cache.has(sha) ?? false;
}

/** Mean time of one terminal's command check on one real alert command (a no-op replay guard), quiet process. */
export function timeCommandCheck(input: AgentConfigInput, topic: string, payload: Buffer): number {
  const cfg = AgentConfigSchema.parse(input);
  const ctx = {
    self: { terminalId: cfg.terminalId, areaChain: cfg.areaChain, groups: cfg.groups },
    keys: new Map(cfg.serverKeys.map((k) => [k.kid, k.publicKey])),
    now: Date.now(),
    maxSkewMs: cfg.maxSkewMs,
    replay: { has: () => false, remember: () => {} },
  };
  for (let i = 0; i < 20; i++) checkCommand(topic, payload, ctx);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    const r = checkCommand(topic, payload, ctx);
    if (!r.ok) throw new Error(`check failed: ${JSON.stringify(r).slice(0, 200)}`);
  }
  return (performance.now() - t0) / 200;
}

/**
 * N subscriber connections (each with one terminal's own credentials, since Mosquitto takes the username as the
 * client id) on the county command topic, which every terminal may read; one QoS 1 publish of `bytes` through
 * the centre's own broker connection (the same publisher the alert takes); per subscriber receive − publish.
 */
export async function rawFanout(
  url: string,
  creds: ReadonlyArray<{ username: string; password: string }>,
  topic: string,
  publish: (payload: Buffer) => Promise<void>,
  bytes: number,
  /** Processes whose CPU each run is charged with (this one, the broker). */
  cpuPids: readonly number[] = [process.pid],
) {
  const n = creds.length;
  const subs: mqtt.MqttClient[] = [];
  const c0 = performance.now();
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(
      creds.slice(i, i + 200).map((c) =>
        mqtt.connectAsync(url, {
          username: c.username,
          password: c.password,
          clientId: c.username, // the embedded broker insists, Mosquitto makes it so
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 60_000,
        }),
      ),
    );
    await Promise.all(batch.map((s) => s.subscribeAsync(topic, { qos: 1 })));
    subs.push(...batch);
  }
  const connectS = secs(c0);
  const runs: number[][] = [];
  /** CPU (ms) per run, per process in `cpuPids`, until the last subscriber received. */
  const cpu: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const arrivals: number[] = [];
    const done = new Promise<void>((resolve) => {
      for (const s of subs)
        s.once('message', () => {
          arrivals.push(performance.now());
          if (arrivals.length === n) resolve();
        });
    });
    const c0 = cpuPids.map((p) => cpuMsOf(p) ?? 0);
    const t0 = performance.now();
    await publish(Buffer.alloc(bytes, 0x61));
    await Promise.race([done, sleep(30_000)]);
    cpu.push(cpuPids.map((p, i) => (cpuMsOf(p) ?? 0) - c0[i]!));
    runs.push(arrivals.map((t) => t - t0));
    await sleep(500);
  }
  const rss = rssMb();
  await Promise.all(subs.map((c) => c.endAsync(true)));
  return { runs, cpu, connectS, rss };
}
