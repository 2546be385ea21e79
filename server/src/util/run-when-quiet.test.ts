import { describe, expect, it } from 'vitest';
import { runWhenQuiet } from './run-when-quiet.ts';

function clock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return t;
    },
    clearTimer: (h: unknown) => {
      (h as { live: boolean }).live = false;
    },
    advanceTo(until: number) {
      for (;;) {
        const next = timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        next.live = false;
        now = next.at;
        next.fn();
      }
      now = until;
    },
  };
}

describe('runWhenQuiet', () => {
  const opts = (c: ReturnType<typeof clock>, busyUntil: number) => ({
    minMs: 2000,
    maxMs: 15_000,
    stepMs: 250,
    busy: () => c.now() < busyUntil,
    setTimer: c.setTimer,
    clearTimer: c.clearTimer,
  });

  it('runs after the least delay when nothing is busy', () => {
    const c = clock();
    const ran: number[] = [];
    runWhenQuiet(() => ran.push(c.now()), opts(c, 0));
    c.advanceTo(1999);
    expect(ran).toEqual([]);
    c.advanceTo(5000);
    expect(ran).toEqual([2000]);
  });

  it('waits while busy, looking again every step', () => {
    const c = clock();
    const ran: number[] = [];
    runWhenQuiet(() => ran.push(c.now()), opts(c, 3100));
    c.advanceTo(20_000);
    expect(ran).toEqual([3250]);
  });

  it('runs at the longest delay however busy, and never twice', () => {
    const c = clock();
    const ran: number[] = [];
    runWhenQuiet(() => ran.push(c.now()), opts(c, Number.POSITIVE_INFINITY));
    c.advanceTo(60_000);
    expect(ran).toEqual([15_000]);
  });

  it('can be cancelled while waiting', () => {
    const c = clock();
    const ran: number[] = [];
    const cancel = runWhenQuiet(() => ran.push(c.now()), opts(c, 5000));
    c.advanceTo(3000);
    cancel();
    c.advanceTo(60_000);
    expect(ran).toEqual([]);
  });
});
