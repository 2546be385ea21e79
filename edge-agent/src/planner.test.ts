import { describe, expect, it } from 'vitest';
import { plan, type QueueItem } from './planner.ts';

let arrival = 0;
const item = (id: string, priority: number, extra: Partial<QueueItem> = {}): QueueItem => ({
  commandId: id,
  broadcastId: `b-${id}`,
  priority,
  expiresAt: 10_000,
  queuedAt: 0,
  arrival: arrival++,
  ready: true,
  ...extra,
});

describe('plan', () => {
  it('starts the best ready item when idle', () => {
    const low = item('low', 120);
    const high = item('high', 150);
    const p = plan(null, [low, high], 100);
    expect(p.start).toBe(high);
    expect(p.preempt).toBeNull();
    expect(p.queue).toEqual([low]);
  });

  it('a higher priority preempts the one playing at once', () => {
    const cur = { item: item('prog', 150), startedAt: 50 };
    const alert = item('alert', 250);
    const p = plan(cur, [alert], 100);
    expect(p.preempt).toBe(cur);
    expect(p.start).toBe(alert);
    expect(p.queue).toEqual([]);
  });

  it('an equal priority waits its turn, first come first served', () => {
    const cur = { item: item('a', 150), startedAt: 50 };
    const b = item('b', 150, { queuedAt: 60 });
    const c = item('c', 150, { queuedAt: 70 });
    const waiting = plan(cur, [c, b], 100);
    expect(waiting.start).toBeNull();
    expect(waiting.preempt).toBeNull();
    const next = plan(null, waiting.queue, 200);
    expect(next.start).toBe(b);
  });

  it('a lower priority waits, and a higher one waiting goes first', () => {
    const cur = { item: item('a', 150), startedAt: 50 };
    const low = item('low', 50);
    expect(plan(cur, [low], 100).start).toBeNull();
    const mid = item('mid', 120, { queuedAt: 99 });
    expect(plan(null, [low, mid], 100).start).toBe(mid);
  });

  it('an item that expired before it could start is dropped as expired', () => {
    const cur = { item: item('long', 150), startedAt: 0 };
    const late = item('late', 150, { expiresAt: 500 });
    const first = plan(cur, [late], 400);
    expect(first.expire).toEqual([]);
    expect(first.wakeAt).toBe(501);
    const p = plan(cur, [late], 501);
    expect(p.expire).toEqual([late]);
    expect(p.queue).toEqual([]);
    expect(p.wakeAt).toBeNull();
  });

  it('holds an item until its startAt and wakes for it', () => {
    const timed = item('timed', 120, { startAt: 1000 });
    const p = plan(null, [timed], 400);
    expect(p.start).toBeNull();
    expect(p.wakeAt).toBe(1000);
    expect(plan(null, [timed], 1000).start).toBe(timed);
  });

  it('an item still downloading does not block a ready one of the same priority', () => {
    const slow = item('slow', 150, { ready: false });
    const fast = item('fast', 150);
    const p = plan(null, [slow, fast], 100);
    expect(p.start).toBe(fast);
    expect(p.queue).toEqual([slow]);
  });

  it('a waiting download still expires', () => {
    const slow = item('slow', 150, { ready: false, expiresAt: 50 });
    expect(plan(null, [slow], 100).expire).toEqual([slow]);
  });

  it('refuses a non-emergency start inside quiet hours, not an emergency, and only when it would start', () => {
    const quiet = [{ from: 100, until: 200 }];
    const prog = item('prog', 150);
    const blue = item('blue', 220);
    const p = plan(null, [prog, blue], 150, quiet);
    expect(p.start).toBe(blue);
    expect(p.refuse).toEqual([]);
    expect(p.queue).toEqual([prog]); // waits behind the emergency; judged again when it would start
    const alone = plan(null, [prog], 150, quiet);
    expect(alone.start).toBeNull();
    expect(alone.refuse).toEqual([prog]);
    expect(plan(null, [prog], 200, quiet).start).toBe(prog); // the interval is half-open
    const behind = plan({ item: item('red', 250), startedAt: 0 }, [prog], 150, quiet);
    expect(behind.refuse).toEqual([]);
  });

  it('an entry with slotEndsAt held back by an emergency may start after its latest start, within its slot', () => {
    const slot = { slotKey: 's', slotEndsAt: 5000 };
    const alert = { item: item('alert', 240), startedAt: 0 };
    const e2 = item('e2', 150, { startAt: 100, expiresAt: 200, ...slot });
    const e3 = item('e3', 150, { startAt: 300, expiresAt: 400, ...slot });
    const plain = item('plain', 150, { startAt: 100, expiresAt: 200 });
    const during = plan(alert, [e2, e3, plain], 150);
    expect(during.overdue).toEqual([e2]); // due while the alert plays
    e2.overdue = true;
    const after = plan(alert, [e2, e3, plain], 1000);
    expect(after.expire).toEqual([plain]); // no slotEndsAt: missed
    expect(after.queue).toEqual([e2, e3]);
    e3.overdue = true;
    const ended = plan(null, [e2, e3], 2000);
    expect(ended.start).toBe(e2);
    expect(ended.wakeAt).toBe(5001);
    // Behind an overdue entry of its own slot, the next one is held too; past the slot's end, it is missed.
    const e4 = item('e4', 150, { startAt: 2100, expiresAt: 2200, ...slot });
    expect(plan({ item: e2, startedAt: 2000 }, [e3, e4], 2150).overdue).toEqual([e4]);
    expect(plan(null, [{ ...e4, overdue: true }], 5001).expire).toHaveLength(1);
  });
});
