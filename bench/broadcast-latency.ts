import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSimulator } from '@dlb/edge-agent';
import mqtt from 'mqtt';
import { BENCH_PASSWORD, fmt, loginAndUploadTone, parseArgs, pct, startBenchCentre } from './bench-util.ts';

const args = parseArgs();
const N = Number(args.get('count') ?? 36);
const AUDIO_MS = Number(args.get('audio-ms') ?? 1000);
const ROUNDS = Number(args.get('rounds') ?? 3);
const PASSWORD = BENCH_PASSWORD;

async function rawFanout(url: string, password: string, n: number): Promise<number[]> {
  const subs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      mqtt.connectAsync(url, { username: 'dlb-server', password, clientId: `bench-sub-${i}` }),
    ),
  );
  const topic = 'dlb/v1/bench/fanout';
  await Promise.all(subs.map((s) => s.subscribeAsync(topic, { qos: 1 })));
  const pub = await mqtt.connectAsync(url, { username: 'dlb-server', password, clientId: 'bench-pub' });
  const arrivals: number[] = [];
  const done = new Promise<void>((resolve) => {
    for (const s of subs)
      s.on('message', () => {
        arrivals.push(performance.now());
        if (arrivals.length === n) resolve();
      });
  });
  const t0 = performance.now();
  await pub.publishAsync(topic, Buffer.alloc(900, 0x61), { qos: 1 }); // about the size of a signed play command
  await done;
  await Promise.all([...subs, pub].map((c) => c.endAsync()));
  return arrivals.map((t) => t - t0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dlb-bench-'));
  const centre = await startBenchCentre(dir);
  const sim = await runSimulator({
    count: N,
    server: centre.httpUrl,
    username: 'admin',
    password: PASSWORD,
    dataDir: path.join(dir, 'sim'),
    print: () => {},
  });
  while (sim.connectedCount() < N) await new Promise((r) => setTimeout(r, 100));
  const serverPassword = readFileSync(
    path.join(centre.config.dataDir, 'keys', 'mqtt-server-password'),
    'utf8',
  ).trim();

  const { auth, media } = await loginAndUploadTone(centre, dir, AUDIO_MS / 1000);

  console.log(
    `broadcast-latency: ${N} simulated terminals (one process), embedded broker, audio ${media.durationMs} ms, ${ROUNDS} rounds`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const raw = await rawFanout(centre.mqttUrl, serverPassword, N);
    const wall0 = Date.now();
    const t0 = performance.now();
    const res = await fetch(`${centre.httpUrl}/api/broadcasts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ contentId: media.contentId, target: { kind: 'county' } }),
    });
    const { broadcast } = (await res.json()) as { broadcast: { id: string } };
    let outcomes: Array<{ outcome: number; startedAt: number; updatedAt: number }> = [];
    for (;;) {
      outcomes = (
        (await (
          await fetch(`${centre.httpUrl}/api/broadcasts/${broadcast.id}`, { headers: auth })
        ).json()) as { outcomes: typeof outcomes }
      ).outcomes;
      if (outcomes.every((o) => o.outcome >= 3)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const allPlayedMs = performance.now() - t0;
    const starts = outcomes.map((o) => o.startedAt - wall0);
    const lastReport = Math.max(...outcomes.map((o) => o.updatedAt)) - wall0;
    const played = outcomes.filter((o) => o.outcome === 3).length;
    console.log(`round ${round}: played ${played}/${N}`);
    console.log(`  raw fan-out (1 msg -> ${N} subscribers): ${fmt(raw)}`);
    console.log(
      `  API call -> terminal start:              ${fmt(starts)}   ratio p99/raw-p99 ${(pct(starts, 99) / Math.max(1, pct(raw, 99))).toFixed(1)}x`,
    );
    console.log(
      `  API call -> last "played" stored:        ${lastReport} ms (audio ${media.durationMs} ms, overhead ${lastReport - media.durationMs} ms; seen by poller at ${allPlayedMs.toFixed(0)} ms)`,
    );
  }
  await sim.stop();
  await centre.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
