import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSimulator } from '@dlb/edge-agent';
import { topics } from '@dlb/protocol';
import { localDateIn } from '../server/src/schedule/local-time.ts';
import { formatClock } from '../server/src/schedule/programme-rules.ts';
import { BENCH_PASSWORD, fmt, loginAndUploadTone, parseArgs, pct, startBenchCentre } from './bench-util.ts';

const args = parseArgs();
const N = Number(args.get('count') ?? 1000);
const CLOCK_ERROR = Number(args.get('clock-error-ms') ?? 5000);
const LEAD_S = args.has('lead-s') ? Number(args.get('lead-s')) : Math.max(15, Math.ceil(N / 25));
const PASSWORD = BENCH_PASSWORD;
const ZONE = 'Asia/Shanghai';

const fmt1 = (xs: number[]) => fmt(xs, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Baseline for start spread: N timers set for one instant in this process, how late each fires. */
async function timerSpread(n: number): Promise<number[]> {
  const due = Date.now() + 500;
  const late: number[] = [];
  await new Promise<void>((resolve) => {
    for (let i = 0; i < n; i++)
      setTimeout(() => {
        late.push(Date.now() - due);
        if (late.length === n) resolve();
      }, due - Date.now());
  });
  return late;
}

async function main(): Promise<void> {
  const base = args.get('data-dir') ?? tmpdir();
  const dir = mkdtempSync(path.join(base, 'dlb-bench-sched-'));
  const scheduleFile = path.join(dir, 'schedule.yaml');
  const far = formatClock(Date.now() + 8 * 3600_000, ZONE);
  writeFileSync(
    scheduleFile,
    `timeZone: ${ZONE}\nquietHours: []\nslots:\n  - { id: later, name: 备用, start: "${far}", maxMinutes: 1 }\n`,
  );
  const centre = await startBenchCentre(dir, { schedule: { file: scheduleFile } });
  const simOpts = {
    count: N,
    server: centre.httpUrl,
    username: 'admin',
    password: PASSWORD,
    dataDir: path.join(dir, 'sim'),
    print: () => {},
    clockErrorMs: CLOCK_ERROR,
  };
  // Register the fleet once (the simulator keeps the configs), then measure targets with nobody listening,
  // so the figures are the centre's work alone and not the in-process agents'.
  const t0 = performance.now();
  await (await runSimulator(simOpts)).stop();
  console.log(
    `schedule-sync: ${N} simulated terminals (one process), clock errors uniform ±${CLOCK_ERROR} ms, embedded broker; registered in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const tone = await loginAndUploadTone(centre, dir, 2);
  const media = tone.media;
  const auth = { ...tone.auth, 'content-type': 'application/json' };
  const programmeAt = async (at: number, title: string) => {
    const res = await fetch(`${centre.httpUrl}/api/programmes`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        date: localDateIn(ZONE, at),
        startTime: formatClock(at, ZONE),
        scopeCode: '450323',
        title,
        items: [{ contentId: media.contentId }],
      }),
    });
    if (!res.ok) throw new Error(`programme refused: ${await res.text()}`);
    return (
      (await res.json()) as { programme: { id: string; items: Array<{ id: string; startAt: number }> } }
    ).programme;
  };

  const targets = centre.services.targets;
  const c0 = performance.now();
  await programmeAt(Math.ceil((Date.now() + 2 * 3600_000) / 1000) * 1000, '编译测试');
  await targets.whenIdle();
  const touchMs = performance.now() - c0;
  const forced = await targets.refresh({ kind: 'all' }, { force: true });
  const avgBytes = Math.round(forced.bytes / Math.max(1, forced.published));
  const payload = Buffer.alloc(avgBytes, 0x61);
  const broker = centre.services.broker;
  const ids = centre.db.prepare('SELECT id FROM terminals WHERE enabled = 1').all() as Array<{ id: string }>;
  const r0 = performance.now();
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(
      ids
        .slice(i, i + 200)
        .map((t) => broker.publish(topics.terminalTarget(t.id), payload, { qos: 1, retain: true })),
    );
  }
  const rawMs = performance.now() - r0;
  await targets.refresh({ kind: 'all' }, { force: true }); // the real targets back in place of the raw ones
  const totalMs = forced.compileMs + forced.publishMs;
  console.log(
    `targets: ${forced.terminals} terminals, one county programme (no terminal connected while timing)`,
  );
  console.log(`  API programme change -> every target compiled, signed, published: ${touchMs.toFixed(0)} ms`);
  console.log(
    `  forced re-publish: compile+sign ${forced.compileMs.toFixed(0)} ms, publish ${forced.publishMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms (${(totalMs / forced.terminals).toFixed(2)} ms/terminal, ${avgBytes} bytes each)`,
  );
  console.log(
    `  baseline: ${ids.length} raw retained ${avgBytes}-byte publishes to the same topics: ${rawMs.toFixed(0)} ms  ratio ${(totalMs / Math.max(1, rawMs)).toFixed(1)}x`,
  );

  // Baseline for the starts, measured while the process is quiet: N bare timers due at one instant.
  const baseline = await timerSpread(N);

  // Now the fleet, each terminal on its own wrong clock corrected against the centre, and a programme.
  const f0 = performance.now();
  const sim = await runSimulator(simOpts);
  while (sim.connectedCount() < N) await sleep(200);
  // Boards sync their clocks on start and every 10 minutes; wait until this run's syncs have landed.
  const residual = () => sim.agents.map((a) => Math.abs(a.correctedNow() - Date.now()));
  for (let i = 0; i < 600 && residual().some((r) => r > 100); i++) await sleep(200);
  const off = residual().filter((r) => r > 100).length;
  console.log(
    `fleet connected and clocks synced in ${((performance.now() - f0) / 1000).toFixed(1)} s${off ? ` (${off} still off by > 100 ms)` : ''}`,
  );
  const programme = await programmeAt(Math.ceil((Date.now() + LEAD_S * 1000) / 1000) * 1000, '同步测试');
  const entry = programme.items[0]!;
  console.log(`fleet connected; programme starts in ${((entry.startAt - Date.now()) / 1000).toFixed(1)} s`);

  // Wait for every terminal to play, then read reported and true start instants.
  for (;;) {
    const row = centre.db
      .prepare('SELECT COUNT(*) AS n FROM schedule_plays WHERE entry_id = ? AND outcome >= 3')
      .get(entry.id) as { n: number };
    if (row.n >= N || Date.now() > entry.startAt + 120_000) break;
    await sleep(250);
  }
  const plays = centre.db
    .prepare('SELECT outcome, reason, started_at FROM schedule_plays WHERE entry_id = ?')
    .all(entry.id) as Array<{ outcome: number; reason: string | null; started_at: number | null }>;
  const played = plays.filter((p) => p.outcome === 3);
  const reasons = new Map<string, number>();
  for (const p of plays.filter((x) => x.outcome !== 3))
    reasons.set(p.reason ?? '?', (reasons.get(p.reason ?? '?') ?? 0) + 1);
  if (args.has('debug')) {
    const rows = centre.db
      .prepare(
        'SELECT terminal_id, reason, updated_at FROM schedule_plays WHERE entry_id = ? AND outcome != 3 LIMIT 5',
      )
      .all(entry.id) as Array<{ terminal_id: string; reason: string; updated_at: number }>;
    for (const r of rows) {
      const a = sim.agents.find((x) => x.terminalId === r.terminal_id)!;
      console.log(
        '  not played:',
        r.terminal_id,
        r.reason,
        'reported',
        r.updated_at - entry.startAt,
        'ms after start',
        JSON.stringify(a.targetSummary()),
        'target v',
        a.target?.body.version,
        'clock',
        a.correctedNow() - Date.now(),
      );
    }
  }
  const reported = played.map((p) => Math.abs(p.started_at! - entry.startAt));
  const truth = sim.starts.startsOf(entry.id).map((s) => s.at - entry.startAt);
  console.log(
    `starts: ${played.length}/${N} played${reasons.size ? ` (not played: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
  );
  console.log(`  |reported start - planned| (corrected clocks): ${fmt1(reported)}`);
  console.log(
    `  true start - planned:                          ${fmt1(truth.map(Math.abs))}; spread (latest - earliest) ${(Math.max(...truth) - Math.min(...truth)).toFixed(0)} ms`,
  );
  console.log(
    `  baseline: ${N} bare timers due at one instant, lateness: ${fmt1(baseline)}; spread ${(Math.max(...baseline) - Math.min(...baseline)).toFixed(0)} ms  ratio true-p99/baseline-p99 ${(pct(truth.map(Math.abs), 99) / Math.max(1, pct(baseline, 99))).toFixed(1)}x`,
  );
  const offsets = sim.agents.map((a) => a.correctedNow() - Date.now());
  console.log(`  residual clock error after sync (corrected - true): ${fmt1(offsets.map(Math.abs))}`);
  await sim.stop();
  await centre.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
