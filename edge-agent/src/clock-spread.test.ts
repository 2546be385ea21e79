import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type OutcomeEvent, topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import { SilentSink } from './player.ts';
import { silentLogger } from './runtime.ts';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey } from './testing/commands.ts';
import { makeConfig, tempDir, waitFor } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';
import { entry, signedTarget } from './testing/targets.ts';

const key = makeKey();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The centre's /t/time over a jittery link: each sample's request and answer take 1-8 ms, and every fourth
 * answer is stuck 250 ms (an asymmetric trip). Other requests (media) go to the real server.
 */
function jitteryTime(): typeof fetch {
  let n = 0;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.endsWith('/t/time')) return fetch(input, init);
    n++;
    await sleep(1 + Math.floor(Math.random() * 8));
    const serverTime = Date.now(); // the centre's clock is the true one
    await sleep(n % 4 === 0 ? 250 : 1 + Math.floor(Math.random() * 8));
    return new Response(JSON.stringify({ serverTime }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('neighbours with wrong local clocks start together', () => {
  let broker: TestBroker;
  let media: TestMediaServer;
  let centre: TestCentre;
  const tmp = tempDir();

  beforeAll(async () => {
    broker = await startBroker();
    media = await startMediaServer();
    centre = await connectCentre(broker.url);
  });
  afterAll(async () => {
    await centre.close();
    await broker.close();
    await media.close();
    tmp.cleanup();
  });

  it('local clocks off by up to ±5 s: corrected and true start instants agree within 50 ms', async () => {
    const errors = [-5000, -2300, 0, 1700, 4999];
    const trueStart = new Map<string, number>();
    const agents = errors.map((error, i) => {
      const config = makeConfig({
        brokerUrl: broker.url,
        serverUrl: media.url,
        key,
        dataDir: join(tmp.dir, `a${i}`),
        seq: i + 1,
      });
      const tid = config.terminalId;
      return new Agent(config, {
        now: () => Date.now() + error,
        fetch: jitteryTime(),
        log: silentLogger,
        player: new SilentSink({ now: Date.now, onStart: (r) => trueStart.set(tid, r.startedAt) }),
      });
    });
    await Promise.all(agents.map((a) => a.start()));
    await waitFor(() => agents.every((a) => a.connected), 5000, 'connected');
    for (const [i, a] of agents.entries()) {
      // the estimated offset undoes the local error
      expect(Math.abs(a.clockOffsetMs + errors[i]!)).toBeLessThan(15);
    }

    const startAt = Date.now() + 2500;
    const e = entry({ id: 'sync-1', startAt, media: media.add('/m/sync.mp3', randomBytes(2000), 300) });
    for (const a of agents) {
      const env = signedTarget(key, { tid: a.terminalId, version: 1, entries: [e] });
      await centre.client.publishAsync(topics.terminalTarget(a.terminalId), JSON.stringify(env), {
        qos: 1,
        retain: true,
      });
    }
    const mine = (a: Agent) =>
      [...(centre.stored.get(a.terminalId)?.values() ?? [])].filter(
        (x): x is OutcomeEvent => x.type === 'outcome' && x.commandId === e.id,
      );
    const played = (a: Agent) => mine(a).some((x) => x.outcome === 3);
    await waitFor(() => agents.every(played), 8000, 'all played');

    const reported = agents.map((a) => mine(a).find((x) => x.outcome === 2)!.startedAt!);
    const truth = agents.map((a) => trueStart.get(a.terminalId)!);
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    expect(spread(reported)).toBeLessThanOrEqual(50);
    expect(spread(truth)).toBeLessThanOrEqual(50);
    for (const t of truth) expect(Math.abs(t - startAt)).toBeLessThanOrEqual(50);
    await Promise.all(agents.map((a) => a.stop()));
  });
});
