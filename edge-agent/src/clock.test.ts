import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import { ClockSync, offsetFromSamples } from './clock.ts';
import { backoffDelay, silentLogger } from './runtime.ts';
import { makeKey } from './testing/commands.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { makeConfig, tempDir } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('clock offset', () => {
  it('uses the sample with the shortest round trip', () => {
    expect(
      offsetFromSamples([
        { t0: 0, t3: 100, serverTime: 5050 },
        { t0: 200, t3: 210, serverTime: 5205 },
        { t0: 300, t3: 400, serverTime: 9000 },
      ]),
    ).toBe(5000);
    expect(offsetFromSamples([])).toBeNull();
  });

  it('is not pulled off by a slow, asymmetric sample (nor by one odd sample among the fast ones)', () => {
    const offset = 5000;
    // symmetric trips of 4..10 ms: serverTime read at the midpoint
    const fast = [4, 6, 5, 8, 10, 7].map((rtt, i) => {
      const t0 = i * 1000;
      return { t0, t3: t0 + rtt, serverTime: t0 + rtt / 2 + offset };
    });
    // request 1 ms, answer stuck 400 ms in the 4G uplink: naive midpoint would be 200 ms off
    const slow = { t0: 9000, t3: 9401, serverTime: 9001 + offset };
    // a fast sample whose server read was late (a GC pause on the centre): 30 ms off
    const odd = { t0: 10_000, t3: 10_004, serverTime: 10_002 + offset + 30 };
    const est = offsetFromSamples([...fast, slow, odd])!;
    expect(Math.abs(est - offset)).toBeLessThanOrEqual(1);
  });

  describe('against a server', () => {
    let srv: TestMediaServer;
    beforeAll(async () => {
      srv = await startMediaServer();
    });
    afterAll(() => srv.close());

    it('measures the offset and keeps the last one on failure', async () => {
      srv.serverOffsetMs = 90_000;
      const c = new ClockSync({ url: `${srv.url}/t/time`, authorization: 'Bearer t:k' });
      expect(await c.syncOnce()).toBe(true);
      expect(Math.abs(c.offsetMs - 90_000)).toBeLessThan(50);
      expect(Math.abs(c.correctedNow() - (Date.now() + 90_000))).toBeLessThan(50);
      const broken = new ClockSync({ url: `${srv.url}/nope`, authorization: 'x' });
      broken.offsetMs = 1234;
      expect(await broken.syncOnce()).toBe(false);
      expect(broken.offsetMs).toBe(1234);
      srv.serverOffsetMs = 0;
    });

    it('saves the offset and uses the saved one at once when the centre is unreachable', async () => {
      const tmp = tempDir();
      const file = join(tmp.dir, 'clock.json');
      srv.serverOffsetMs = -42_000;
      const synced: number[] = [];
      const c = new ClockSync({
        url: `${srv.url}/t/time`,
        authorization: 'x',
        file,
        onSync: (o) => synced.push(o),
      });
      expect(c.known).toBe(false);
      expect(await c.syncOnce()).toBe(true);
      expect(synced).toHaveLength(1);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(Math.abs(saved.offsetMs + 42_000)).toBeLessThan(50);
      expect(Math.abs(saved.syncedAt - (Date.now() - 42_000))).toBeLessThan(1000);
      srv.serverOffsetMs = 0;

      const offline = new ClockSync({
        url: `http://127.0.0.1:${await closedPort()}/t/time`,
        authorization: 'x',
        file,
      });
      expect(offline.known).toBe(true);
      expect(offline.offsetMs).toBe(saved.offsetMs);
      await offline.start(); // does not throw
      expect(offline.offsetMs).toBe(saved.offsetMs); // the last good offset is kept
      offline.stop();
      tmp.cleanup();
    });
  });
});

describe('agent start without the centre', () => {
  const key = makeKey();

  it('starts at once from the saved offset, and within the bounded wait without one; never throws', async () => {
    const tmp = tempDir();
    const port = await closedPort();
    const config = makeConfig({
      brokerUrl: `mqtt://127.0.0.1:${port}`,
      serverUrl: `http://127.0.0.1:${port}`,
      key,
      dataDir: join(tmp.dir, 'a'),
    });
    // No saved offset and a centre that never answers: the wait is bounded.
    const hanging = (() => new Promise(() => {})) as unknown as typeof fetch;
    const first = new Agent(config, {
      log: silentLogger,
      fetch: hanging,
      clockSync: { firstSyncTimeoutMs: 300 },
    });
    let t = Date.now();
    await first.start();
    expect(Date.now() - t).toBeLessThan(2000);
    expect(first.clockOffsetMs).toBe(0);
    expect(first.currentState().clockSyncedAt).toBeUndefined();
    await first.stop();

    writeFileSync(
      join(config.dataDir, 'clock.json'),
      JSON.stringify({ offsetMs: 7000, syncedAt: Date.now() - 60_000 }),
    );
    const second = new Agent(config, {
      log: silentLogger,
      fetch: hanging,
      clockSync: { firstSyncTimeoutMs: 10_000 },
    });
    t = Date.now();
    await second.start();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(Math.abs(second.correctedNow() - (Date.now() + 7000))).toBeLessThan(50);
    expect(second.currentState()).toMatchObject({ clockOffsetMs: 7000, target: null });
    expect(second.currentState().clockSyncedAt).toBeGreaterThan(0);
    await second.stop();
    tmp.cleanup();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter between min and max', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 0.99)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(20, 1000, 60_000, () => 0.5)).toBe(30_500);
  });
});

describe('ClockSync retries', () => {
  it('after a failed sync tries again within seconds, backing off, then returns to the long interval', async () => {
    const clock = new FakeClock(1_000_000);
    let up = false;
    const calls: number[] = [];
    const fetchFn = (async () => {
      calls.push(clock.now());
      if (!up) throw new Error('connect ECONNREFUSED');
      return new Response(JSON.stringify({ serverTime: clock.now() + 700 }));
    }) as unknown as typeof fetch;
    const sync = new ClockSync({
      url: 'http://centre/t/time',
      authorization: 'x',
      fetch: fetchFn,
      now: clock.now,
      timers: clock,
      samples: 2,
      intervalMs: 600_000,
      retryMinMs: 5000,
      random: () => 1,
    });
    await sync.start();
    expect(sync.known).toBe(false);
    await clock.advance(5000);
    await clock.advance(10_000);
    expect(calls.map((t) => t - 1_000_000)).toEqual([0, 5000, 15_000]);
    up = true;
    await clock.advance(20_000);
    expect(sync.offsetMs).toBe(700);
    const after = calls.length;
    await clock.advance(599_000);
    expect(calls.length).toBe(after); // back to the regular interval
    sync.stop();
  });
});

describe('ClockSync on a slow link', () => {
  it('keeps a sync made of slow round trips but measures again soon', async () => {
    const clock = new FakeClock(1_000_000);
    let rtt = 2000;
    const calls: number[] = [];
    let spent = 0; // time spent waiting for replies, on top of the fake clock
    const now = () => clock.now() + spent;
    const fetchFn = (async () => {
      calls.push(now());
      const t0 = now();
      spent += rtt; // the reply takes this long, by the local clock
      return new Response(JSON.stringify({ serverTime: t0 + 1000 + rtt / 2 }));
    }) as unknown as typeof fetch;
    const sync = new ClockSync({
      url: 'http://centre/t/time',
      authorization: 'x',
      fetch: fetchFn,
      now,
      timers: clock,
      samples: 1,
      intervalMs: 600_000,
      retryMinMs: 5000,
      goodRttMs: 300,
      random: () => 1,
    });
    await sync.start();
    expect(sync.offsetMs).toBe(1000);
    expect(sync.lastRttMs).toBe(2000);
    rtt = 40;
    await clock.advance(5000);
    expect(calls).toHaveLength(2); // retried after 5 s, not 10 minutes
    expect(sync.lastRttMs).toBe(40);
    await clock.advance(500_000);
    expect(calls).toHaveLength(2); // a good sync: back to the regular interval
    sync.stop();
  });
});
