import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type AgentConfig, type AgentConfigInput, AgentConfigSchema } from '@dlb/protocol';
import { Agent } from './agent.ts';
import { ClockSync } from './clock.ts';
import { readJsonOr, writeJsonAtomic } from './fs-util.ts';
import { SilentSink } from './player.ts';
import { errorText, type Logger } from './runtime.ts';
import { type AreaRow, AttentionLog, CentreApi, memoisedSignatureCheck, StartLog } from './sim-api.ts';

export interface SimulatorOptions {
  count: number;
  /** The centre, e.g. http://127.0.0.1:8080 */
  server: string;
  username: string;
  password: string;
  /** Put every terminal in this 9-digit township; default: round-robin over all villages. */
  township?: string;
  dataDir: string;
  fetch?: typeof fetch;
  /** Progress lines. */
  print?: (line: string) => void;
  /** Logger for the agents themselves (default: only warnings and errors, prefixed). */
  agentLog?: Logger;
  /** How many agents start at once. */
  startBatch?: number;
  /** How often progress lines may repeat (ms). */
  printEveryMs?: number;
  /**
   * Give each agent its own local clock, Date.now() + uniform(-E, E) ms, and its own ClockSync against the
   * centre (so the correction is really exercised). Absent: all agents share one clock synced once.
   */
  clockErrorMs?: number;
  /** Samples per clock sync for the agents' own clocks (default 8). */
  clockSamples?: number;
  /** Randomness for the clock errors (default Math.random). */
  random?: () => number;
  /**
   * How long before its start each agent arms a target entry. Arming costs each agent a few fsyncs, which
   * one process does one agent after another, so the default grows with the count: max(2 s, 10 ms × count).
   */
  prerollMs?: number;
  /**
   * How long after its start an agent writes the reports of that start (default 250 ms): in one process the
   * agents' fsyncs come one after another, and must not delay the neighbours' starts. See AgentDeps.
   */
  reportDelayMs?: number;
  /**
   * Share SM2 verifications of byte-identical commands between the agents of this process (see
   * memoisedSignatureCheck). Off by default: every agent verifies its own copy.
   */
  shareSignatureChecks?: boolean;
}

export interface BroadcastTally {
  received: number;
  played: number;
  failed: number;
  cancelled: number;
}

export interface RunningSimulator {
  agents: Agent[];
  tallies: Map<string, BroadcastTally>;
  /** Each agent's local clock error (ms, local minus true), by terminal id; all 0 with a shared clock. */
  clockErrors: Map<string, number>;
  /** The true instant (real Date.now()) at which each agent's player started each item (an alert: its attention tone). */
  starts: StartLog;
  /** The true instant at which each agent's attention tone started for each alert, by alert id. */
  attention: AttentionLog;
  connectedCount(): number;
  stop(): Promise<void>;
}

const STORE = 'sim-terminals.json';

/** Stored configs that fit the request, then new registrations until there are `count`. */
async function provision(
  api: CentreApi,
  opts: SimulatorOptions,
  print: (l: string) => void,
): Promise<AgentConfig[]> {
  const storeFile = join(opts.dataDir, STORE);
  const stored = readJsonOr<{ terminals?: AgentConfigInput[] }>(storeFile, {}).terminals ?? [];
  const all: AgentConfigInput[] = [...stored];
  const fits = (c: AgentConfigInput) => !opts.township || c.areaChain.includes(opts.township);
  const chosen = all.filter(fits).slice(0, opts.count);
  if (chosen.length < opts.count) {
    const areas = await api.areas();
    const villages = areas.filter(
      (a: AreaRow) => a.level === 'village' && (!opts.township || a.parentCode === opts.township),
    );
    if (villages.length === 0)
      throw new Error(opts.township ? `乡镇 ${opts.township} 下没有村` : '没有村级区划');
    let k = chosen.length;
    while (chosen.length < opts.count) {
      const v = villages[k % villages.length]!;
      const r = await api.registerTerminal(v.code, `模拟终端 ${v.name} ${k + 1}`);
      chosen.push(r.agentConfig);
      all.push(r.agentConfig);
      writeJsonAtomic(storeFile, { terminals: all });
      k++;
      print(`已注册 ${chosen.length}/${opts.count} (${r.terminal.id} ${v.name})`);
    }
  } else print(`复用已注册的 ${chosen.length} 个模拟终端`);
  return chosen.map((c) =>
    AgentConfigSchema.parse({
      ...c,
      dataDir: join(resolve(opts.dataDir), 'agents', c.terminalId),
      player: { kind: 'silent' },
    }),
  );
}

function prefixedWarnings(print: (l: string) => void): (tid: string) => Logger {
  return (tid) => ({
    info: () => {},
    warn: (m) => print(`[${tid}] 警告 ${m}`),
    error: (m) => print(`[${tid}] 错误 ${m}`),
  });
}

/**
 * Register `count` terminals through the centre's API (or reuse the ones registered before) and run
 * them all in this process with silent players, each with its own data directory.
 */
export async function runSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const print = opts.print ?? ((l: string) => console.log(l));
  mkdirSync(opts.dataDir, { recursive: true });
  const api = new CentreApi(opts.server, opts.fetch);
  await api.login(opts.username, opts.password);
  const configs = await provision(api, opts, print);
  if (configs.length === 0) throw new Error('没有可运行的模拟终端');

  const first = configs[0]!;
  const ownClocks = opts.clockErrorMs !== undefined;
  let shared: ClockSync | null = null;
  if (!ownClocks) {
    shared = new ClockSync({
      url: new URL('/t/time', first.serverUrl).toString(),
      authorization: `Bearer ${first.terminalId}:${first.mediaToken}`,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    await shared.start();
    print(`时钟偏差 ${shared.offsetMs} ms`);
  }
  const random = opts.random ?? Math.random;
  const clockErrors = new Map<string, number>();
  const prerollMs = opts.prerollMs ?? Math.max(2000, 10 * configs.length);
  const starts = new StartLog();
  const attention = new AttentionLog();

  const tallies = new Map<string, BroadcastTally>();
  const dirty = new Set<string>();
  const tally = (id: string) => {
    let t = tallies.get(id);
    if (!t) {
      t = { received: 0, played: 0, failed: 0, cancelled: 0 };
      tallies.set(id, t);
    }
    dirty.add(id);
    return t;
  };
  let connected = 0;
  let lastConnectedPrint = 0;
  const printEvery = opts.printEveryMs ?? 1000;
  const reportConnected = () => {
    const t = Date.now();
    if (connected === configs.length || t - lastConnectedPrint >= printEvery) {
      lastConnectedPrint = t;
      print(`已连接 ${connected}/${configs.length}`);
    }
  };
  const loggerFor = opts.agentLog ? () => opts.agentLog! : prefixedWarnings(print);

  const signatureCheck = opts.shareSignatureChecks ? memoisedSignatureCheck() : undefined;
  const agents = configs.map((config) => {
    const tid = config.terminalId;
    const error = ownClocks ? Math.round((random() * 2 - 1) * opts.clockErrorMs!) : 0;
    clockErrors.set(tid, error);
    // The sink's clock is the host's: its start instants are the true ones, whatever the agent believes.
    const player = new SilentSink({
      keep: 5,
      now: Date.now,
      onStart: (r) => {
        if (r.part === 'attention') {
          attention.record({
            terminalId: tid,
            alertId: r.broadcastId,
            commandId: r.commandId,
            at: r.startedAt,
          });
        }
        if (r.part === undefined || r.part === 'attention') {
          starts.record({
            terminalId: tid,
            commandId: r.commandId,
            broadcastId: r.broadcastId,
            at: r.startedAt,
          });
        }
      },
    });
    const agent = new Agent(config, {
      player,
      log: loggerFor(tid),
      schedule: { prerollMs },
      reportDelayMs: opts.reportDelayMs ?? 250,
      ...(signatureCheck && { signatureCheck }),
      ...(shared
        ? { clock: shared }
        : {
            now: () => Date.now() + error,
            clockSync: { samples: opts.clockSamples ?? 8 },
            ...(opts.fetch ? { fetch: opts.fetch } : {}),
          }),
    });
    agent.on('connected', () => {
      connected++;
      reportConnected();
    });
    agent.on('disconnected', () => {
      connected--;
      reportConnected();
    });
    agent.on('command', (env) => {
      if (env.kind === 'play') tally(env.body.broadcastId).received++;
      if (env.kind === 'alert') tally(env.body.alertId).received++;
    });
    agent.on('outcome', (e) => {
      if (e.outcome === 3) tally(e.broadcastId).played++;
      else if (e.outcome === 4) tally(e.broadcastId).failed++;
      else if (e.outcome === 5) tally(e.broadcastId).cancelled++;
    });
    return agent;
  });

  const printTallies = () => {
    for (const id of dirty) {
      const t = tallies.get(id)!;
      const extra = `${t.failed ? ` 失败 ${t.failed}` : ''}${t.cancelled ? ` 取消 ${t.cancelled}` : ''}`;
      print(`广播 ${id}: 已播放 ${t.played}/${t.received}${extra}`);
    }
    dirty.clear();
  };
  const ticker = setInterval(printTallies, printEvery);

  const batch = opts.startBatch ?? 50;
  for (let i = 0; i < agents.length; i += batch) {
    await Promise.all(
      agents
        .slice(i, i + batch)
        .map((a) => a.start().catch((err) => print(`[${a.terminalId}] 启动失败: ${errorText(err)}`))),
    );
  }
  print(`已启动 ${agents.length} 个模拟终端`);

  return {
    agents,
    tallies,
    clockErrors,
    starts,
    attention,
    connectedCount: () => connected,
    stop: async () => {
      clearInterval(ticker);
      printTallies();
      shared?.stop();
      await Promise.all(agents.map((a) => a.stop().catch(() => {})));
      print(`已停止 ${agents.length} 个模拟终端`);
    },
  };
}
