import { randomBytes } from 'node:crypto';
import { topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './runtime.ts';
import { runSimulator } from './simulate.ts';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey, sign } from './testing/commands.ts';
import { type FakeApi, startFakeApi } from './testing/fake-api.ts';
import { tempDir, waitFor } from './testing/fixtures.ts';

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
});
