import { randomBytes } from 'node:crypto';
import { topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './runtime.ts';
import { runSimulator } from './simulate.ts';
import { alertBody } from './testing/alerts.ts';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey, sign } from './testing/commands.ts';
import { type FakeApi, startFakeApi } from './testing/fake-api.ts';
import { tempDir, waitFor } from './testing/fixtures.ts';
import { entry, signedTarget } from './testing/targets.ts';

const key = makeKey();

describe('runSimulator', () => {
  let broker: TestBroker;
  let api: FakeApi;
  let centre: TestCentre;
  const tmp = tempDir();

  beforeAll(async () => {
    broker = await startBroker();
    api = await startFakeApi(broker.url, key);
    centre = await connectCentre(broker.url);
  });
  afterAll(async () => {
    await centre.close();
    await api.close();
    await broker.close();
    tmp.cleanup();
  });

  const opts = (lines: string[], extra: { township?: string; count?: number } = {}) => ({
    count: extra.count ?? 4,
    server: api.url,
    username: 'admin',
    password: 'pw',
    dataDir: tmp.dir,
    print: (l: string) => lines.push(l),
    agentLog: silentLogger,
    printEveryMs: 50,
    ...(extra.township ? { township: extra.township } : {}),
  });

  it('registers terminals, runs them, counts plays, and reuses them on the next run', async () => {
    const lines: string[] = [];
    const sim = await runSimulator(opts(lines, { township: '450323101' }));
    expect(api.registrations).toBe(4);
    expect(lines).toContain('已注册 4/4 (64503231012020301000200 毛村)');
    await waitFor(() => sim.connectedCount() === 4, 5000, 'all connected');
    expect(new Set(sim.agents.map((a) => a.config.areaChain[2])).size).toBe(2);

    const env = sign(
      {
        kind: 'play',
        body: {
          broadcastId: 'bc-sim',
          priority: 120,
          media: api.addMedia(`/m/${randomBytes(3).toString('hex')}.mp3`, randomBytes(1000), 100),
          audience: { kind: 'area', code: '450323101' },
        },
      },
      key,
    );
    await centre.publish(topics.areaCmd('450323101'), JSON.stringify(env));
    await waitFor(() => sim.tallies.get('bc-sim')?.played === 4, 5000, 'all played');
    await sim.stop();
    expect(lines).toContain('广播 bc-sim: 已播放 4/4');
    expect(lines.some((l) => l.startsWith('已连接 4/4'))).toBe(true);

    const again: string[] = [];
    const sim2 = await runSimulator(opts(again, { township: '450323101', count: 3 }));
    expect(api.registrations).toBe(4);
    expect(again).toContain('复用已注册的 3 个模拟终端');
    await waitFor(() => sim2.connectedCount() === 3, 5000, 'reconnected');
    await sim2.stop();
  });

  it('with --clock-error-ms each agent runs its own wrong clock and sync; true starts of a target entry agree', async () => {
    const own = tempDir();
    const sim = await runSimulator({
      ...opts([], { township: '450323101', count: 5 }),
      dataDir: own.dir,
      clockErrorMs: 5000,
    });
    await waitFor(() => sim.connectedCount() === 5, 8000, 'all connected');
    const errors = [...sim.clockErrors.values()];
    expect(errors.some((e) => Math.abs(e) > 100)).toBe(true);
    for (const a of sim.agents) {
      expect(Math.abs(a.clockOffsetMs + sim.clockErrors.get(a.terminalId)!)).toBeLessThan(20);
    }
    const startAt = Date.now() + 2500;
    const e = entry({
      id: 'sim-entry-1',
      startAt,
      media: api.addMedia(`/m/${randomBytes(3).toString('hex')}.mp3`, randomBytes(1000), 200),
    });
    for (const a of sim.agents) {
      const env = signedTarget(key, { tid: a.terminalId, version: 1, entries: [e] });
      await centre.client.publishAsync(topics.terminalTarget(a.terminalId), JSON.stringify(env), {
        qos: 1,
        retain: true,
      });
    }
    await waitFor(() => sim.starts.startsOf(e.id).length === 5, 8000, 'all started');
    expect(sim.starts.spreadOf(e.id)).toBeLessThanOrEqual(50);
    for (const s of sim.starts.startsOf(e.id)) expect(Math.abs(s.at - startAt)).toBeLessThanOrEqual(50);
    await sim.stop();
    own.cleanup();
  });

  it('logs the true instant each terminal started the attention tone of an alert', async () => {
    const own = tempDir();
    const sim = await runSimulator({ ...opts([], { township: '450323101', count: 3 }), dataDir: own.dir });
    await waitFor(() => sim.connectedCount() === 3, 8000, 'all connected');
    const tone = () => api.addMedia(`/m/${randomBytes(3).toString('hex')}.mp3`, randomBytes(500), 50);
    const body = alertBody({
      alertId: 'sim-alert',
      tid: sim.agents[0]!.terminalId,
      attention: tone(),
      media: tone(),
      repeat: 1,
      startsAt: Date.now(),
    });
    const env = sign(
      { kind: 'alert', body: { ...body, audience: { kind: 'area', code: '450323101' } } },
      key,
    );
    const sent = Date.now();
    await centre.publish(topics.areaCmd('450323101'), JSON.stringify(env));
    await waitFor(() => sim.attention.firstBy('sim-alert').size === 3, 8000, 'attention everywhere');
    await waitFor(() => sim.tallies.get('sim-alert')?.played === 3, 8000, 'alert played');
    for (const s of sim.attention.startsOf('sim-alert')) {
      expect(s.commandId).toBe('sim-alert@1');
      expect(s.at).toBeGreaterThanOrEqual(sent);
    }
    expect(sim.starts.startsOf('sim-alert@1')).toHaveLength(3); // the attention tone only, not each part
    await sim.stop();
    own.cleanup();
  });
});
