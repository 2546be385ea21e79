/** The emergency benchmark's world: a centre (and Mosquitto) with N registered terminals, and what it observes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AgentConfigInput } from '@dlb/protocol';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient } from '../test/helpers/api-client.ts';
import { BENCH_PASSWORD, startBenchCentre } from './bench-util.ts';
import { log, secs, sleep } from './emergency-util.ts';
import { type BenchMosquitto, mosquittoFileGroup, startBenchMosquitto } from './mosquitto-bench.ts';

export const OFFICER = { username: 'bench-officer', password: 'Bench-Officer-Pw-2026!' };

export interface Fleet {
  centre: Centre;
  broker: BenchMosquitto | null;
  brokerUrl: string;
  /** The N fleet terminals' agent configs (pointing at this centre). */
  configs: AgentConfigInput[];
  /** The N fleet terminals' MQTT credentials. */
  creds: Array<{ username: string; password: string }>;
  /** One more registered terminal no agent runs: its credentials for the spy on the command topic. */
  spare: { username: string; password: string };
}

/** The centre (and broker) for one N, with N terminals registered (their agent configs returned). */
export async function startWorld(
  dir: string,
  n: number,
  brokerKind: 'mosquitto' | 'embedded',
): Promise<Fleet> {
  const serverPassword = `bench-${Math.random().toString(36).slice(2)}${Date.now()}`;
  // Register through the service (not one HTTP call, one store rewrite and one Mosquitto reload per terminal,
  // which is O(N²) at N=5000) on a first, embedded start; a restarted centre then writes Mosquitto's files once.
  const t0 = performance.now();
  let centre = await startBenchCentre(dir, { mqtt: { serverPassword } });
  const areas = await areasOf(centre);
  const villages = areas.filter((a) => a.level === 'village');
  const configs: AgentConfigInput[] = [];
  for (let i = 0; i <= n; i++) {
    configs.push(
      centre.services.terminals.register({ villageCode: villages[i % villages.length]!.code }).agentConfig,
    );
    if (i % 500 === 499) await sleep(0);
  }
  await centre.services.users.create({
    username: OFFICER.username,
    displayName: '基准值守员',
    password: OFFICER.password,
    roles: [{ role: 'emergency_officer', scopeCode: null }],
    mustChangePassword: false,
  });
  let mosquitto: BenchMosquitto | null = null;
  if (brokerKind === 'mosquitto') {
    await centre.stop();
    const mqDir = path.join(dir, 'mosquitto');
    mkdirSync(mqDir, { recursive: true });
    const passwordFile = path.join(mqDir, 'passwd');
    const aclFile = path.join(mqDir, 'acl');
    writeFileSync(passwordFile, '');
    writeFileSync(aclFile, '');
    mosquitto = await startBenchMosquitto({ dir: mqDir, passwordFile, aclFile });
    centre = await startBenchCentre(dir, {
      mqtt: {
        mode: 'external',
        url: mosquitto.url,
        serverPassword,
        mosquitto: {
          passwordFile,
          aclFile,
          fileGroup: mosquittoFileGroup(),
          reloadPidFile: mosquitto.pidFile,
        },
      },
    });
  }
  const spareConfig = configs.pop()!;
  const stored = configs.map((c) => ({
    ...c,
    serverUrl: centre.httpUrl,
    mqtt: { ...c.mqtt, url: centre.mqttUrl },
  }));
  log(`  registered ${n} terminals, centre up (${brokerKind}) in ${secs(t0)} s`);
  return {
    centre,
    broker: mosquitto,
    brokerUrl: centre.mqttUrl,
    configs: stored,
    creds: configs.map((c) => ({ username: c.mqtt.username, password: c.mqtt.password })),
    spare: { username: spareConfig.mqtt.username, password: spareConfig.mqtt.password },
  };
}

export async function areasOf(centre: Centre): Promise<Array<{ code: string; level: string }>> {
  const admin = new ApiClient(centre.httpUrl);
  await admin.login('admin', BENCH_PASSWORD);
  return (await admin.call<{ areas: Array<{ code: string; level: string }> }>('GET', '/api/areas')).areas;
}

/**
 * Quiet: the centre's target refresh (an alert and its cancel change every terminal's target) has published,
 * and this process's event loop (centre and agents verifying the new targets) has had 1.5 s without a 30 ms stall.
 */
export async function quiet(centre: Centre): Promise<void> {
  await centre.services.targets.whenIdle();
  const h = monitorEventLoopDelay({ resolution: 10 });
  const deadline = Date.now() + 180_000;
  for (;;) {
    h.reset();
    h.enable();
    await sleep(1500);
    h.disable();
    if (h.max / 1e6 < 30 || Date.now() > deadline) break;
  }
  await centre.services.targets.whenIdle();
}

/** When the centre stored each terminal's first "attention tone started" report, by alert id. */
export function watchAttentionReports(centre: Centre): Map<string, Map<string, number>> {
  const byAlert = new Map<string, Map<string, number>>();
  centre.services.events.onEvents((tid, events) => {
    const at = Date.now();
    for (const e of events) {
      if (e.type !== 'outcome' || e.outcome !== 2 || e.phase !== 'attention') continue;
      const m = byAlert.get(e.broadcastId) ?? new Map<string, number>();
      byAlert.set(e.broadcastId, m);
      if (!m.has(tid)) m.set(tid, at);
    }
  });
  return byAlert;
}
