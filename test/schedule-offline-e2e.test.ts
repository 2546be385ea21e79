import path from 'node:path';
import { Agent } from '@dlb/edge-agent';
import { type AgentConfigInput, AgentConfigSchema, type OutcomeEvent } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../edge-agent/src/testing/fake-clock.ts';
import type { Centre } from '../server/src/centre.ts';
import type { ApiClient } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import { ADMIN_PASSWORD, tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { eventually } from './helpers/processes.ts';
import { writeSchedule } from './helpers/schedule.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const HOUR = 3600_000;
const DAY = '2026-11-24';
const NEXT = '2026-11-25';

interface Programme {
  id: string;
  items: Array<{ id: string; startAt: number }>;
}

/**
 * The whole chain (centre compiles and signs the target, agent follows it) on one fake clock: the
 * terminal loses both its MQTT and its HTTP link for 26 simulated hours and must keep the schedule alone.
 */
describe('a terminal cut off for 24 hours keeps to its schedule and reports everything once', () => {
  const tmp = tempDir('dlb-offline-');
  const clock = new FakeClock(Date.parse(`${DAY}T05:00:00+08:00`));
  let centre: Centre;
  let api: ApiClient;
  let mqttProxy: TcpProxy;
  let httpProxy: TcpProxy;
  let agent: Agent;
  const produced: OutcomeEvent[] = [];

  beforeAll(async () => {
    const file = path.join(tmp.dir, 'schedule.yaml');
    writeSchedule(
      file,
      [
        { id: 'morning', name: '早间', start: '06:30', maxMinutes: 30 },
        { id: 'noon', name: '午间', start: '12:00', maxMinutes: 30 },
        { id: 'evening', name: '晚间', start: '18:30', maxMinutes: 30 },
      ],
      [{ from: '22:00', to: '06:00' }],
    );
    ({ centre, api } = await startInProcessCentre(tmp.dir, { schedule: { file } }, { now: clock.now }));
    mqttProxy = await startTcpProxy(Number(new URL(centre.mqttUrl).port));
    httpProxy = await startTcpProxy(centre.httpPort);
    const reg = await api.call<{ agentConfig: AgentConfigInput }>('POST', '/api/terminals', {
      villageCode: '450323107200',
    });
    const config = AgentConfigSchema.parse({
      ...reg.agentConfig,
      serverUrl: httpProxy.url('http'),
      mqtt: { ...reg.agentConfig.mqtt, url: mqttProxy.url('mqtt') },
      dataDir: path.join(tmp.dir, 'agent'),
      player: { kind: 'silent' },
      reconnect: { minMs: 1000, maxMs: 5000 },
    });
    agent = new Agent(config, { now: clock.now, timers: clock, log: { info() {}, warn() {}, error() {} } });
    agent.on('outcome', (e) => produced.push(e));
    await agent.start();
    await eventually(() => agent.connected, 10_000, 'agent connected');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await mqttProxy?.close();
    await httpProxy?.close();
    await centre?.stop();
    await tmp.cleanup();
  });

  it('plays all three slots on time offline, then delivers 100% of its reports exactly once', async () => {
    const wav = path.join(tmp.dir, 'tone.wav');
    makeTone(wav, 2);
    const media = (await api.upload(wav)).media;
    const contentId = await approvedContent(api, media.sha256);
    const make = async (date: string, slotId: string) =>
      (
        await api.call<{ programme: Programme }>('POST', '/api/programmes', {
          date,
          slotId,
          scopeCode: '450323',
          title: `${date} ${slotId}`,
          items: [{ contentId }, { contentId }],
        })
      ).programme;
    const programmes = [
      await make(DAY, 'morning'),
      await make(DAY, 'noon'),
      await make(DAY, 'evening'),
      await make(NEXT, 'morning'),
    ];
    const entries = programmes.flatMap((p) => p.items);
    const tid = agent.terminalId;

    // The target arrives and the next slot's audio is on the card before the link goes down.
    await eventually(
      async () => {
        const { status } = await api.call<{
          status: { holdsCurrent: boolean; nextSlotCached: boolean | null };
        }>('GET', `/api/terminals/${tid}/schedule`);
        return status.holdsCurrent && status.nextSlotCached === true;
      },
      15_000,
      'target held and next slot cached',
    );

    mqttProxy.cut();
    httpProxy.cut();
    await eventually(() => !agent.connected, 5_000, 'agent offline');
    await clock.advance(26 * HOUR); // from 05:00 to 07:00 the next day: more than a day, all three slots twice over

    // Offline, it played every entry whose time came, at that instant by its clock.
    const played = produced.filter((e) => e.outcome === 3 && e.source === 'schedule');
    const due = entries.filter((e) => e.startAt <= clock.now());
    expect(due).toHaveLength(8);
    for (const e of due) {
      const p = played.filter((x) => x.commandId === e.id);
      expect(p, e.id).toHaveLength(1);
      expect(Math.abs(p[0]!.startedAt! - e.startAt)).toBeLessThanOrEqual(5);
    }
    expect(agent.connected).toBe(false);
    expect(agent.outboxPending).toBeGreaterThanOrEqual(16);

    // Back online: everything it wrote reaches the centre, stored once.
    mqttProxy.restore();
    httpProxy.restore();
    for (let i = 0; i < 60 && !agent.connected; i++) {
      await clock.advance(1000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(agent.connected).toBe(true);
    await api.login('admin', ADMIN_PASSWORD); // the session expired during the simulated day
    await eventually(() => agent.outboxPending === 0, 15_000, 'outbox acknowledged');
    const { events } = await api.call<{ events: OutcomeEvent[] }>(
      'GET',
      `/api/terminals/${tid}/events?limit=500`,
    );
    const stored = events.filter((e) => e.type === 'outcome');
    expect(stored.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      produced.map((e) => e.seq).sort((a, b) => a - b),
    );
    for (const e of due) {
      expect(
        stored.filter((x) => x.commandId === e.id && x.outcome === 2),
        e.id,
      ).toHaveLength(1);
      expect(
        stored.filter((x) => x.commandId === e.id && x.outcome === 3),
        e.id,
      ).toHaveLength(1);
    }
    const { plays } = await api.call<{ plays: Array<{ outcome: number }> }>(
      'GET',
      `/api/programmes/${programmes[0]!.id}`,
    );
    expect(plays.map((p) => p.outcome)).toEqual([3, 3]);
  }, 120_000);
});
