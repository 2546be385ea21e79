import type { Clock } from '../clock.ts';
import type { TimerHandle, Timers } from '../runtime.ts';

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Let pending promises and ready I/O callbacks run (a few turns of the event loop). */
export async function settle(turns = 4): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock and timers that move only when told to. `advance(ms)` fires the due timers in time order, the
 * clock standing at each one's due time while it runs, and lets promises settle between them.
 */
export class FakeClock implements Timers {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2026, 10, 23, 0, 0, 0)) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const timer: FakeTimer = { id: ++this.seq, due: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), fn };
    this.timers.push(timer);
    return timer;
  };

  readonly clearTimeout = (handle: TimerHandle): void => {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t !== handle);
  };

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  private next(limit: number): FakeTimer | null {
    let best: FakeTimer | null = null;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }

  /** Move the clock forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    for (;;) {
      const timer = this.next(until);
      if (!timer) break;
      this.timers = this.timers.filter((t) => t !== timer);
      this.t = Math.max(this.t, timer.due);
      timer.fn();
      await settle();
    }
    this.t = until;
    await settle();
  }

  /** Advance to the instant `at` (no-op if already past it). */
  advanceTo(at: number): Promise<void> {
    return this.advance(Math.max(0, at - this.t));
  }
}

/** A Clock (clock.ts) that is simply `now` plus a fixed offset: for agents on a fake clock. */
export function fixedClock(now: () => number, offsetMs = 0): Clock {
  return { offsetMs, syncedAt: null, correctedNow: () => now() + offsetMs };
}
