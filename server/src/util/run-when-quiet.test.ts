import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../edge-agent/src/testing/fake-clock.ts';
import { runWhenQuiet } from './run-when-quiet.ts';

describe('runWhenQuiet', () => {
  /** A clock and the instants (ms since it was made) at which `fn` ran. */
  const rig = () => {
    const c = new FakeClock();
    const t0 = c.now();
    const ran: number[] = [];
    const at = () => c.now() - t0;
    const opts = (busyUntil: number) => ({
      minMs: 2000,
      maxMs: 15_000,
      stepMs: 250,
      busy: () => at() < busyUntil,
      setTimer: c.setTimeout,
      clearTimer: c.clearTimeout,
    });
    return { ran, opts, run: () => ran.push(at()), advanceTo: (ms: number) => c.advanceTo(t0 + ms) };
  };

  it('runs after the least delay when nothing is busy', async () => {
    const { ran, opts, run, advanceTo } = rig();
    runWhenQuiet(run, opts(0));
    await advanceTo(1999);
    expect(ran).toEqual([]);
    await advanceTo(5000);
    expect(ran).toEqual([2000]);
  });

  it('waits while busy, looking again every step', async () => {
    const { ran, opts, run, advanceTo } = rig();
    runWhenQuiet(run, opts(3100));
    await advanceTo(20_000);
    expect(ran).toEqual([3250]);
  });

  it('runs at the longest delay however busy, and never twice', async () => {
    const { ran, opts, run, advanceTo } = rig();
    runWhenQuiet(run, opts(Number.POSITIVE_INFINITY));
    await advanceTo(60_000);
    expect(ran).toEqual([15_000]);
  });

  it('can be cancelled while waiting', async () => {
    const { ran, opts, run, advanceTo } = rig();
    const cancel = runWhenQuiet(run, opts(5000));
    await advanceTo(3000);
    cancel();
    await advanceTo(60_000);
    expect(ran).toEqual([]);
  });
});
