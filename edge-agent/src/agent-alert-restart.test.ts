import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertBody, type MediaRef, topics } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { alertBody } from './testing/alerts.ts';
import { sign } from './testing/commands.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { waitFor } from './testing/fixtures.ts';
import { HOUR, MIN, sleep, T0, type TestTerminal, useScheduleRig } from './testing/schedule-rig.ts';
import { signedTarget } from './testing/targets.ts';

const SEC = 1000;

describe('Agent sounds alerts it missed and keeps them across restarts (fake clock, real broker and files)', () => {
  const rig = useScheduleRig();
  const key = rig.key;
  const cid = (b: AlertBody) => `${b.alertId}@${b.revision}`;
  const codes = (t: TestTerminal, b: AlertBody) =>
    t.outcomes(cid(b)).map((e) => [e.outcome, e.reason ?? e.phase ?? null]);
  const has = (t: TestTerminal, m: MediaRef) => existsSync(join(t.dir, 'cache', `${m.sha256}.mp3`));
  const parts = (t: TestTerminal, b: AlertBody) =>
    t
      .sink()
      .records.filter((r) => r.commandId === cid(b))
      .map((r) => [r.part, r.startedAt - T0]);

  it("sounds the target's alerts after coming back (a later one at its start), once, whatever restarts follow", async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('recover', 31);
    let agent = await t.start();
    await rig.stopAgent(agent); // the terminal is off while the alerts are raised
    const attention = rig.audio(10 * SEC);
    const msg = rig.audio(MIN);
    const now = alertBody({
      alertId: 'rain-now',
      tid: t.tid,
      attention,
      media: msg,
      repeat: 1,
      startsAt: T0 - 5 * MIN,
    });
    const soon = alertBody({
      alertId: 'rain-soon',
      level: 'yellow',
      tid: t.tid,
      attention,
      media: msg,
      repeat: 1,
      startsAt: T0 + 30 * MIN,
      expiresAt: T0 + 2 * HOUR,
    });
    const gone = alertBody({
      alertId: 'rain-gone',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: T0 - 2 * HOUR,
      expiresAt: T0 - HOUR,
    });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, {
        tid: t.tid,
        version: 1,
        issuedAt: T0 - MIN,
        attention,
        entries: [],
        alerts: [now, soon, gone],
      }),
    );
    agent = await t.start();
    await waitFor(() => agent.target?.body.version === 1, 5000, 'target');
    await waitFor(() => t.outcomes(cid(now)).length >= 2 && has(t, msg), 5000, 'sounding');
    expect(t.outcomes(cid(now))[1]).toMatchObject({ outcome: 2, phase: 'attention', startedAt: T0 });
    expect(codes(t, soon)).toEqual([[1, null]]); // waits for its start
    expect(codes(t, gone)).toEqual([[4, 'expired']]);
    await fake.advance(10 * MIN);
    expect(codes(t, now)).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    await rig.stopAgent(agent);
    agent = await t.start(); // the retained target comes again: nothing sounds twice
    await fake.advanceTo(T0 + 40 * MIN);
    expect(t.outcomes(cid(soon)).find((e) => e.outcome === 2)?.startedAt).toBe(soon.startsAt);
    expect(codes(t, soon).at(-1)).toEqual([3, null]);
    await rig.stopAgent(agent);
    agent = await t.start();
    await fake.advance(HOUR);
    expect(t.outcomes(cid(now)).filter((e) => e.outcome === 2)).toHaveLength(2);
    expect(t.outcomes(cid(soon)).filter((e) => e.outcome >= 3)).toHaveLength(1);
    expect(t.outcomes(cid(gone))).toHaveLength(1);
  });

  it('a restart mid-alert sounds it again from the attention tone, with one final report; one that expired meanwhile is reported expired', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('mid', 32);
    let agent = await t.start();
    const attention = rig.audio(10 * SEC);
    const msg = rig.audio(2 * MIN);
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, attention, entries: [] }),
    );
    await waitFor(() => agent.target?.body.version === 1 && has(t, attention), 5000, 'target');
    const send = (b: AlertBody) =>
      rig.centre.publish(
        topics.terminalCmd(t.tid),
        JSON.stringify(sign({ kind: 'alert', body: b }, key, { issuedAt: fake.now() })),
      );
    const a = alertBody({ alertId: 'dam', level: 'red', tid: t.tid, attention, media: msg, startsAt: T0 });
    await send(a);
    await waitFor(() => t.outcomes(cid(a)).length >= 2 && has(t, msg), 5000, 'sounding');
    await fake.advance(MIN); // in the first message
    expect(codes(t, a).at(-1)).toEqual([2, 'message']);
    await rig.stopAgent(agent); // killed mid-alert

    agent = await t.start();
    await waitFor(() => t.sink().records.length > 0, 5000, 'sounds again');
    expect(parts(t, a)[0]).toEqual(['attention', MIN]);
    await fake.advance(10 * MIN);
    expect(parts(t, a)).toEqual([
      ['attention', MIN],
      ['message', MIN + 10 * SEC],
      ['message', MIN + 10 * SEC + 2 * MIN + 30 * SEC],
    ]);
    expect(t.outcomes(cid(a)).filter((e) => e.outcome >= 3)).toEqual([
      expect.objectContaining({ outcome: 3 }),
    ]);
    expect(t.outcomes(cid(a)).some((e) => e.reason === 'agent-restarted')).toBe(false);
    await rig.stopAgent(agent);
    agent = await t.start();
    await fake.advance(10 * MIN);
    expect(t.sink().records).toEqual([]); // ended: never again

    // Killed mid-alert, and the alert expires while the terminal is off.
    const b = alertBody({
      alertId: 'dam-2',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: fake.now(),
      expiresAt: fake.now() + 5 * MIN,
    });
    await send(b);
    await waitFor(() => t.outcomes(cid(b)).length >= 2, 5000, 'b sounding');
    await rig.stopAgent(agent);
    await fake.advance(10 * MIN);
    agent = await t.start();
    await waitFor(() => t.outcomes(cid(b)).some((e) => e.outcome >= 3), 5000, 'b expired');
    await sleep(100);
    expect(codes(t, b)).toEqual([
      [1, null],
      [2, 'attention'],
      [4, 'expired'],
    ]);
    expect(t.sink().records).toEqual([]);
  });
});
