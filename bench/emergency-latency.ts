/**
 * Emergency latency: API call raising a county-wide red alert → each terminal's report that its attention tone
 * started, as the centre receives it (and, from the same run, the instant the tone started on the terminal),
 * against a real Mosquitto (default) or the embedded broker, with the raw broker fan-out of one QoS 1 message
 * of the same size to the same number of subscribers through the same broker, measured in the same run.
 * The centre runs in this process; the simulated terminals run in `--processes` child processes.
 *
 *   npm run bench:emergency -- --counts 1000,5000 [--rounds 3] [--broker mosquitto|embedded]
 *                              [--processes 2] [--verify shared|each] [--fleet agents|thin]
 *                              [--warmup 1] [--profile-round N, with BENCH_CPU_PROF=<dir>]
 *
 * `--warmup` alerts go first and are printed but not counted: a centre that has been running has its report
 * path compiled by the JIT from routine reports and heartbeats, which the thin terminals never send.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { topics } from '@dlb/protocol';
import mqtt from 'mqtt';
import { ALERT_TARGET_DELAY_MS } from '../server/src/emergency/emergency-module.ts';
import { ApiClient } from '../test/helpers/api-client.ts';
import { BENCH_PASSWORD, fmt, loginAndUploadTone, parseArgs, pct } from './bench-util.ts';
import { areasOf, type Fleet, OFFICER, quiet, startWorld, watchAttentionReports } from './emergency-world.ts';
import { FleetPool } from './fleet-pool.ts';
import { cpuMsOf, processProfile } from './process-profile.ts';

const args = parseArgs();
const COUNTS = (args.get('counts') ?? '1000,5000').split(',').map(Number);
const ROUNDS = Number(args.get('rounds') ?? 3);
const WARMUP = Number(args.get('warmup') ?? 1);
const BROKER = (args.get('broker') ?? 'mosquitto') as 'mosquitto' | 'embedded';
const TONE_S = Number(args.get('tone-s') ?? 1);
const READY_TIMEOUT_MS = Number(args.get('ready-timeout-s') ?? 600) * 1000;
const FETCH_LIMIT = Number(args.get('fetch-limit') ?? 200);
const PROCESSES = Number(args.get('processes') ?? 2);
const VERIFY = (args.get('verify') ?? 'shared') as 'shared' | 'each';
const CORES = availableParallelism();
/** With BENCH_CPU_PROF=<dir>: which round the CPU profiles cover (default the last). */
const PROFILE_ROUND = Number(args.get('profile-round') ?? ROUNDS);
const FLEET = (args.get('fleet') ?? 'agents') as 'agents' | 'thin';
if (FLEET !== 'agents' && FLEET !== 'thin') throw new Error('--fleet agents|thin');
if (VERIFY !== 'shared' && VERIFY !== 'each') throw new Error('--verify shared|each');
if (BROKER !== 'mosquitto' && BROKER !== 'embedded') throw new Error('--broker mosquitto|embedded');

import { log, rawFanout, rssMb, secs, sleep, timeCommandCheck, until } from './emergency-util.ts';

interface Round {
  /** Terminals whose tone started / whose attention report reached the centre. */
  sounded: number;
  reported: number;
  /** API call → tone started on the terminal (host clock), per terminal. */
  tone: number[];
  /** API call → the centre received the terminal's "attention tone started" report, per terminal. */
  report: number[];
  apiMs: number;
  pubMs: number;
  /** CPU each process used from the API call to the last report (ms), and that span's wall time. */
  cpu: { centre: number; broker: number; fleet: number; wall: number } | null;
}

interface Result {
  n: number;
  raw: number[];
  rawRuns: number[][];
  tone: number[];
  report: number[];
  rounds: Round[];
  /** The uncounted first alerts (`--warmup`). */
  warmups: Round[];
  commandBytes: number;
  checkMs: number | null;
  rssCentre: number;
  rssBaseline: number;
  brokerRssKb: number | null;
}

async function runCount(n: number, dataBase: string): Promise<Result> {
  const dir = mkdtempSync(path.join(dataBase, 'dlb-bench-emerg-'));
  let world: Fleet | null = null;
  let pool: FleetPool | null = null;
  try {
    log(`\n== N=${n} ==`);
    world = await startWorld(dir, n, BROKER);
    const { centre } = world;
    const tone = await loginAndUploadTone(centre, dir, TONE_S);
    const officer = new ApiClient(centre.httpUrl);
    await officer.login(OFFICER.username, OFFICER.password);
    const county = (await areasOf(centre)).find((a) => a.level === 'county')!.code;
    const reports = watchAttentionReports(centre);
    const centreProfile = processProfile('centre');

    const f0 = performance.now();
    pool = await FleetPool.start({
      processes: PROCESSES,
      configs: world.configs,
      dir,
      server: centre.httpUrl,
      username: 'admin',
      password: BENCH_PASSWORD,
      shareSignatureChecks: VERIFY === 'shared',
      reportDelayMs: 0,
      fetchLimit: FETCH_LIMIT,
      fleet: FLEET,
    });
    const fleet = pool;
    await until('all agents connected', async () => (await fleet.status()).connected >= n, 300_000, 200);
    log(`  ${n} agents in ${PROCESSES} processes started and connected in ${secs(f0)} s`);
    // Ready: every agent holds a target naming the attention tone, and has that tone in its cache.
    let st = await fleet.status();
    await until(
      'every agent holding a target with its attention tone cached',
      async () => {
        st = await fleet.status();
        return st.ready === n;
      },
      READY_TIMEOUT_MS,
      250,
    ).catch((e: Error) => log(`  ${e.message}: measuring anyway`));
    await fleet.settled();
    const rssCentre = rssMb();
    log(
      `  ${st.ready}/${n} agents hold their target with attention tone ${st.attentionSha.slice(0, 8)}… cached, after ${secs(f0)} s; centre process RSS ${rssCentre} MB`,
    );

    // A spy on the county command topic (the spare terminal: one extra subscriber) sizes the alert command.
    const spy = await mqtt.connectAsync(world.brokerUrl, {
      ...world.spare,
      clientId: world.spare.username,
      reconnectPeriod: 0,
    });
    let commandBytes = 0;
    let spyAt = 0;
    let alertPayload: Buffer | null = null;
    spy.on('message', (_t, payload) => {
      commandBytes = Math.max(commandBytes, payload.length);
      if (!spyAt) alertPayload = payload;
      spyAt ||= Date.now();
    });
    await spy.subscribeAsync(topics.areaCmd(county), { qos: 1 });

    // Where the time goes: when the centre hands the county command to its broker link (measurement only: the
    // same link, wrapped for the duration of the rounds).
    const link = centre.services.broker;
    const cmdTopic = topics.areaCmd(county);
    const originalPublish = link.publish;
    let pubCall = 0;
    link.publish = async (topic, payload, o) => {
      if (topic === cmdTopic && !pubCall) pubCall = Date.now();
      await originalPublish.call(link, topic, payload, o);
    };
    await quiet(centre);

    const rounds: Round[] = [];
    const warmups: Round[] = [];
    for (let round = 1 - WARMUP; round <= ROUNDS; round++) {
      const label = round < 1 ? `warm-up ${round + WARMUP} (not counted)` : `round ${round}`;
      const body = {
        level: 'red',
        eventCode: '11B01',
        issuer: '县应急管理局（基准测试）',
        area: { codes: [county] },
        expiresAt: Date.now() + 600_000,
        title: `基准测试预警 ${round < 1 ? '预热' : `第${round}轮`}`,
        text: '这是应急延迟基准测试，测得从发布到提示音的时间。',
        mediaSha256: tone.media.sha256,
        repeat: 1,
        intervalSec: 0,
      };
      spyAt = 0;
      pubCall = 0;
      if (round === PROFILE_ROUND) await Promise.all([fleet.profile(true), centreProfile.start()]);
      const cpuPids = [process.pid, world.broker?.pid ?? 0, ...fleet.pids];
      const cpu0 = cpuPids.map(cpuMsOf);
      const t0 = Date.now();
      const { alert } = await officer.call<{ alert: { id: string } }>('POST', '/api/alerts', body);
      const apiMs = Date.now() - t0;
      await until('attention reports', () => (reports.get(alert.id)?.size ?? 0) >= n, 30_000, 20).catch(
        (e: Error) => log(`  ${label}: ${e.message}`),
      );
      const cpu1 = cpuPids.map(cpuMsOf);
      const wall = Date.now() - t0;
      if (round === PROFILE_ROUND) await Promise.all([fleet.profile(false), centreProfile.stop()]);
      const used = cpu1.map((c, i) => (c === null || cpu0[i] === null ? 0 : c - cpu0[i]!));
      const got = reports.get(alert.id) ?? new Map<string, number>();
      const { starts } = await fleet.attention(alert.id);
      const r: Round = {
        sounded: starts.size,
        reported: got.size,
        tone: [...starts.values()].map((at) => at - t0),
        report: [...got.values()].map((at) => at - t0),
        apiMs,
        pubMs: pubCall ? pubCall - t0 : -1,
        cpu: cpu0.every((c) => c !== null)
          ? { centre: used[0]!, broker: used[1]!, fleet: used.slice(2).reduce((a, b) => a + b, 0), wall }
          : null,
      };
      (round < 1 ? warmups : rounds).push(r);
      log(`  ${label}: ${r.reported}/${n} reports at the centre: ${r.report.length ? fmt(r.report) : '—'}`);
      log(`           ${r.sounded}/${n} tones on the terminals:  ${r.tone.length ? fmt(r.tone) : '—'}`);
      log(
        `    centre hands command to broker link at ${r.pubMs} ms, HTTP answered at ${apiMs} ms; spy (one more subscriber) saw it at ${spyAt ? spyAt - t0 : '—'} ms; first tone ${Math.min(...r.tone)} ms, first report ${Math.min(...r.report)} ms`,
      );
      if (r.cpu)
        log(
          `    CPU from the API call to the last report (${r.cpu.wall} ms wall, ${CORES * r.cpu.wall} ms on ${CORES} cores): centre ${r.cpu.centre} ms, Mosquitto ${r.cpu.broker} ms, fleet ${r.cpu.fleet} ms`,
        );
      await officer.call('POST', `/api/alerts/${alert.id}/cancel`, { reason: '基准测试结束' });
      // Quiet: every agent that received the alert has reported its outcome (played, failed or cancelled).
      await until(
        'the fleet to be quiet',
        async () => {
          const t = (await fleet.attention(alert.id)).tally;
          return t.played + t.failed + t.cancelled >= t.received;
        },
        60_000,
        200,
      ).catch((e: Error) => log(`  ${e.message}`));
      // The alert's and the cancel's target refreshes start ALERT_TARGET_DELAY_MS after them: let them run
      // here, not inside the next round.
      await sleep(ALERT_TARGET_DELAY_MS + 200);
      await quiet(centre);
      await fleet.settled();
    }
    link.publish = originalPublish;
    await spy.endAsync(true);
    const checkMs = alertPayload ? timeCommandCheck(world.configs[0]!, cmdTopic, alertPayload) : null;
    if (checkMs !== null)
      log(
        `  one terminal's full command check (parse, shape, SM2 verify) on the real alert command: ${checkMs.toFixed(2)} ms`,
      );
    const brokerRssKb = (await world.broker?.rssKb()) ?? null;
    const s0 = performance.now();
    await pool.stop();
    pool = null;
    log(`  fleet stopped in ${secs(s0)} s`);

    // Baseline with the fleet gone: the same broker, N fresh subscriber connections, one message of the size.
    const bytes = commandBytes || 900;
    const base = await rawFanout(
      world.brokerUrl,
      world.creds,
      topics.areaCmd(county),
      (payload) => centre.services.broker.publish(topics.areaCmd(county), payload, { qos: 1 }),
      bytes,
      [process.pid, world.broker?.pid ?? 0],
    );
    log(
      `  raw fan-out: ${n} subscriber connections (in this process) up in ${base.connectS} s (RSS ${base.rss} MB); ${bytes}-byte QoS 1 message ×3`,
    );
    for (const [i, r] of base.runs.entries())
      log(
        `    raw run ${i + 1}: received ${r.length}/${n}  ${r.length ? fmt(r, 1) : '—'}; CPU: subscribers (and idle centre) ${base.cpu[i]![0]} ms, Mosquitto ${base.cpu[i]![1]} ms`,
      );
    // Cold first run (mqtt.js' first parse on each socket) excluded when there are more.
    const raw = base.runs.slice(1).flat();
    return {
      n,
      raw,
      rawRuns: base.runs,
      tone: rounds.flatMap((r) => r.tone),
      report: rounds.flatMap((r) => r.report),
      rounds,
      warmups,
      commandBytes: bytes,
      checkMs,
      rssCentre,
      rssBaseline: base.rss,
      brokerRssKb,
    };
  } finally {
    if (pool) await pool.stop().catch(() => {});
    if (world) {
      await world.centre.stop().catch(() => {});
      await world.broker?.stop().catch(() => {});
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarise(r: Result): void {
  console.log('\n== summary ==');
  if (r.report.length === 0 || r.raw.length === 0) {
    console.log(`N=${r.n}: nothing measured (reports ${r.report.length}, raw arrivals ${r.raw.length})`);
    return;
  }
  const rawP99 = pct(r.raw, 99);
  const p99 = pct(r.report, 99);
  const goal = 1.5 * rawP99 + 100;
  const per = (f: (x: Round) => number) => r.rounds.map(f).join('/');
  console.log(
    `N=${r.n} (${BROKER}, ${FLEET === 'thin' ? 'thin terminals (check + report)' : 'full agents'} in ${PROCESSES} processes, signatures ${VERIFY === 'shared' ? 'verified once per process for identical bytes' : 'verified by every terminal'}), command ${r.commandBytes} bytes`,
  );
  console.log(`  raw fan-out (runs 2-3):                 ${fmt(r.raw, 1)}`);
  console.log(
    `  API → tone started on the terminal:     ${fmt(r.tone)}  (${per((x) => x.sounded)} of ${r.n})`,
  );
  console.log(
    `  API → report received by the centre:    ${fmt(r.report)}  (${per((x) => x.reported)} of ${r.n})`,
  );
  for (const [i, w] of r.warmups.entries())
    console.log(
      `  warm-up alert ${i + 1} (not counted):      report p99 ${w.report.length ? pct(w.report, 99) : '—'} ms, tone p99 ${w.tone.length ? pct(w.tone, 99) : '—'} ms`,
    );
  const avg = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  console.log(
    `  centre hands the command to the broker ${avg(r.rounds.map((x) => x.pubMs))} ms after the API call (mean)`,
  );
  console.log(`  ratio report p99 / raw p99: ${(p99 / Math.max(1, rawP99)).toFixed(2)}x`);
  console.log(
    `  goal p99 ≤ 1.5 × raw p99 + 100 ms (${goal.toFixed(0)} ms): ${p99 <= goal ? 'PASS' : 'FAIL'} (${p99} ms)`,
  );
  if (r.n >= 5000) console.log(`  goal p99 < 1000 ms at N=${r.n}: ${p99 < 1000 ? 'PASS' : 'FAIL'}`);
  if (VERIFY === 'shared' && r.checkMs !== null)
    console.log(
      `  each board verifies its own copy in parallel: add one command check, ${r.checkMs.toFixed(2)} ms on this CPU, to every figure above`,
    );
  console.log(
    `  RSS: centre process ${r.rssCentre} MB, with ${r.n} raw subscribers ${r.rssBaseline} MB${r.brokerRssKb ? `; Mosquitto ${Math.round(r.brokerRssKb / 1024)} MB` : ''}`,
  );
}

async function main(): Promise<void> {
  const shm = existsSync('/dev/shm') && !args.has('data-dir');
  const dataBase = args.get('data-dir') ?? (shm ? '/dev/shm' : tmpdir());
  console.log(
    `emergency-latency: counts ${COUNTS.join(',')}, ${ROUNDS} rounds, broker ${BROKER === 'mosquitto' ? 'Mosquitto (external, centre-written password/ACL files)' : 'embedded'}, centre in this process, ${FLEET === 'thin' ? 'thin terminals' : 'agents'} in ${PROCESSES} child processes (silent sinks, ≤${FETCH_LIMIT} concurrent HTTP requests each), data on ${dataBase}${shm ? ' (tmpfs: no fsync cost)' : ''}`,
  );
  for (const n of COUNTS) summarise(await runCount(n, dataBase));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
