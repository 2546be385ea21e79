import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.ts';

describe('FakeClock', () => {
  it('fires due timers in time order, at their due time, letting promises settle between them', async () => {
    const c = new FakeClock(1000);
    const seen: Array<[string, number]> = [];
    c.setTimeout(() => seen.push(['b', c.now()]), 200);
    c.setTimeout(() => {
      seen.push(['a', c.now()]);
      // a promise continuation that sets another timer, due before 'b'
      void Promise.resolve().then(() => c.setTimeout(() => seen.push(['a2', c.now()]), 50));
    }, 100);
    const cancelled = c.setTimeout(() => seen.push(['x', c.now()]), 150);
    c.clearTimeout(cancelled);
    c.setTimeout(() => seen.push(['late', c.now()]), 1000);
    await c.advance(500);
    expect(seen).toEqual([
      ['a', 1100],
      ['a2', 1150],
      ['b', 1200],
    ]);
    expect(c.now()).toBe(1500);
    expect(c.pending).toBe(1);
    await c.advanceTo(2000);
    expect(seen.at(-1)).toEqual(['late', 2000]);
  });
});
