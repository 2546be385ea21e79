import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClockSync, offsetFromSamples } from './clock.ts';
import { backoffDelay } from './runtime.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

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
