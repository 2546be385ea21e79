import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertBody, type MediaRef, topics } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { alertBody } from './testing/alerts.ts';
import { sign } from './testing/commands.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { waitFor } from './testing/fixtures.ts';
import { MIN, sleep, T0, type TestTerminal, useScheduleRig } from './testing/schedule-rig.ts';
import { entry, signedTarget } from './testing/targets.ts';

const SEC = 1000;

describe('Agent sounds emergency alerts (fake clock, real broker and files)', () => {
  const rig = useScheduleRig();
  const key = rig.key;
  const cid = (b: AlertBody) => `${b.alertId}@${b.revision}`;
  const codes = (t: TestTerminal, b: AlertBody) =>
    t.outcomes(cid(b)).map((e) => [e.outcome, e.reason ?? e.phase ?? null]);
  const has = (t: TestTerminal, m: MediaRef) => existsSync(join(t.dir, 'cache', `${m.sha256}.mp3`));
  const command = (tid: string, cmd: Parameters<typeof sign>[0], times: Parameters<typeof sign>[2] = {}) => {
    const env = sign(cmd, key, { issuedAt: rig.fake.now(), ...times });
    return { env, send: () => rig.centre.publish(topics.terminalCmd(tid), JSON.stringify(env)) };
  };
  const sendAlert = async (tid: string, body: AlertBody) => {
    const c = command(tid, { kind: 'alert', body });
    await c.send();
    return c.env;
  };
  const sendCancel = (tid: string, alertId: string) =>
    command(tid, { kind: 'alert-cancel', body: { alertId, audience: { kind: 'terminal', tid } } }).send();
  const alertParts = (t: TestTerminal, b: AlertBody) =>
    t
      .sink()
      .records.filter((r) => r.commandId === cid(b))
      .map((r) => [r.part, r.startedAt - T0, r.volume, r.aborted ?? false]);

  it('interrupts a playing entry, sounds attention then the message twice at its own volume, and the slot continues after it', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('interrupt', 21);
    const agent = await t.start();
    const attention = rig.audio(10 * SEC);
    const slotEndsAt = T0 + 40 * MIN;
    const [e1, e2, e3] = [10, 15, 20].map((m) =>
      entry({
        id: `i-e${m}`,
        programmeId: 'prog-morning',
        slotKey: '2026-11-23/morning',
        startAt: T0 + m * MIN,
        latestStartAt: T0 + (m + 1) * MIN,
        slotEndsAt,
        media: rig.audio(5 * MIN),
      }),
    ) as [ReturnType<typeof entry>, ReturnType<typeof entry>, ReturnType<typeof entry>];
    const later = entry({ id: 'i-later', startAt: T0 + 17 * MIN, media: rig.audio(MIN) }); // no slotEndsAt
    await rig.publishTarget(
      t.tid,
      signedTarget(key, {
        tid: t.tid,
        version: 1,
        issuedAt: T0,
        volume: 60,
        attention,
        entries: [e1, e2, e3, { ...later, latestStartAt: T0 + 17 * MIN + 30 * SEC }],
      }),
    );
    await waitFor(() => [e1, e2, e3, later].every(t.cached) && has(t, attention), 5000, 'cached');
    await fake.advanceTo(T0 + 12 * MIN);
    expect(t.outcomes(e1.id).map((e) => e.outcome)).toEqual([1, 2]);

    const message = rig.audio(2 * MIN);
    const a = alertBody({
      alertId: 'flood-1',
      tid: t.tid,
      attention,
      media: message,
      volume: 95,
      startsAt: fake.now(),
    });
    await sendAlert(t.tid, a);
    await waitFor(() => t.outcomes(cid(a)).length >= 2, 5000, 'attention started');
    expect(codes(t, a)).toEqual([
      [1, null],
      [2, 'attention'],
    ]);
    expect(t.outcomes(cid(a))[1]).toMatchObject({
      source: 'alert',
      broadcastId: 'flood-1',
      startedAt: T0 + 12 * MIN,
    });
    await waitFor(() => t.outcomes(e1.id).length === 3, 5000, 'e1 preempted');
    expect(t.outcomes(e1.id)[2]).toMatchObject({ outcome: 5, reason: 'preempted' });

    // A volume command during the alert sets the terminal's volume for later, not the alert's.
    await command(t.tid, {
      kind: 'volume',
      body: { volume: 40, audience: { kind: 'terminal', tid: t.tid } },
    }).send();
    await waitFor(() => agent.currentState().volume === 40 && has(t, message), 5000, 'volume, message');
    await fake.advanceTo(T0 + 30 * MIN);
    expect(codes(t, a)).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    const at = 12 * MIN;
    expect(alertParts(t, a)).toEqual([
      ['attention', at, 95, false],
      ['message', at + 10 * SEC, 95, false],
      ['message', at + 10 * SEC + 2 * MIN + 30 * SEC, 95, false],
    ]);
    const alertEnd = at + 10 * SEC + 4 * MIN + 30 * SEC; // 16:40 after T0
    // The slot's next entries play in order right after the alert (past their latestStartAt, inside the slot).
    const startOf = (id: string) => t.sink().records.find((r) => r.commandId === id);
    expect(startOf(e2.id)).toMatchObject({ startedAt: T0 + alertEnd, volume: 40 });
    expect(startOf(e3.id)).toMatchObject({ startedAt: T0 + alertEnd + 5 * MIN, volume: 40 });
    expect(t.outcomes(e3.id).at(-1)).toMatchObject({ outcome: 3 });
    // An entry without slotEndsAt keeps the missed rule.
    expect(t.outcomes(later.id).map((e) => [e.outcome, e.reason])).toEqual([
      [1, undefined],
      [4, 'missed'],
    ]);
  });

  it('a cancel silences the alert at once and the programme held back continues in its slot', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('cancel', 22);
    await t.start();
    const attention = rig.audio(10 * SEC);
    const held = entry({
      id: 'c-held',
      startAt: T0 + 6 * MIN,
      latestStartAt: T0 + 6 * MIN + 10 * SEC,
      slotEndsAt: T0 + 30 * MIN,
      media: rig.audio(MIN),
    });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, attention, entries: [held] }),
    );
    await waitFor(() => t.cached(held) && has(t, attention), 5000, 'cached');
    await fake.advanceTo(T0 + 5 * MIN);
    const message = rig.audio(3 * MIN);
    const a = alertBody({
      alertId: 'fire-1',
      level: 'red',
      tid: t.tid,
      attention,
      media: message,
      repeat: 3,
      startsAt: fake.now(),
    });
    await sendAlert(t.tid, a);
    await waitFor(() => t.outcomes(cid(a)).length >= 2 && has(t, message), 5000, 'sounding');
    await fake.advanceTo(T0 + 8 * MIN); // in the first message
    expect(codes(t, a).at(-1)).toEqual([2, 'message']);
    await sendCancel(t.tid, 'fire-1');
    await waitFor(() => t.outcomes(cid(a)).length === 4, 5000, 'cancelled');
    expect(t.outcomes(cid(a))[3]).toMatchObject({ outcome: 5, reason: 'alert-cancelled', source: 'alert' });
    expect(alertParts(t, a).at(-1)).toEqual(['message', 5 * MIN + 10 * SEC, 100, true]);
    await waitFor(() => t.outcomes(held.id).some((e) => e.outcome === 2), 5000, 'held entry starts');
    expect(t.outcomes(held.id).find((e) => e.outcome === 2)!.startedAt).toBe(T0 + 8 * MIN);
    await fake.advance(10 * MIN);
    expect(t.outcomes(held.id).at(-1)).toMatchObject({ outcome: 3 });
    expect(t.sink().records.filter((r) => r.commandId === cid(a))).toHaveLength(2); // never again
  });

  it('orange preempts blue, blue waits behind orange (and may expire waiting), an alert expiring while it sounds stops', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('levels', 23);
    await t.start();
    const attention = rig.audio(10 * SEC);
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, attention, entries: [] }),
    );
    await waitFor(() => has(t, attention), 5000, 'attention cached');
    const msg = rig.audio(MIN);
    const now = () => fake.now();
    const blue1 = alertBody({
      alertId: 'b1',
      level: 'blue',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: now(),
    });
    await sendAlert(t.tid, blue1);
    await waitFor(() => t.outcomes(cid(blue1)).length >= 2 && has(t, msg), 5000, 'blue sounding');
    await fake.advance(20 * SEC);
    const orange = alertBody({
      alertId: 'o1',
      level: 'orange',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: now(),
    });
    await sendAlert(t.tid, orange);
    await waitFor(() => t.outcomes(cid(blue1)).length === 4, 5000, 'blue preempted');
    expect(t.outcomes(cid(blue1))[3]).toMatchObject({ outcome: 5, reason: 'preempted' });
    expect(codes(t, orange)).toEqual([
      [1, null],
      [2, 'attention'],
    ]);
    // Lower levels arriving now wait; one of them expires before orange ends.
    const blue2 = alertBody({
      alertId: 'b2',
      level: 'blue',
      tid: t.tid,
      attention,
      media: msg,
      repeat: 1,
      startsAt: now(),
    });
    const blue3 = alertBody({
      alertId: 'b3',
      level: 'blue',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: now(),
      expiresAt: now() + MIN,
    });
    await sendAlert(t.tid, blue2);
    await sendAlert(t.tid, blue3);
    await waitFor(
      () => t.outcomes(cid(blue2)).length === 1 && t.outcomes(cid(blue3)).length === 1,
      5000,
      'queued',
    );
    const orangeEnd = now() + 10 * SEC + MIN + 30 * SEC + MIN;
    await fake.advanceTo(orangeEnd + 10 * MIN);
    expect(codes(t, orange).at(-1)).toEqual([3, null]);
    expect(codes(t, blue3)).toEqual([
      [1, null],
      [4, 'expired'],
    ]);
    expect(codes(t, blue2)).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    expect(t.outcomes(cid(blue2))[1]!.startedAt).toBe(orangeEnd);

    // Expires while it sounds: the sound stops at expiresAt.
    const short = alertBody({
      alertId: 's1',
      level: 'yellow',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: now(),
      expiresAt: now() + 40 * SEC,
    });
    await sendAlert(t.tid, short);
    await waitFor(() => t.outcomes(cid(short)).length >= 2, 5000, 'short sounding');
    await fake.advance(2 * MIN);
    expect(t.outcomes(cid(short)).at(-1)).toMatchObject({
      outcome: 4,
      reason: 'expired',
      endedAt: short.expiresAt,
    });
    const last = t
      .sink()
      .records.filter((r) => r.commandId === cid(short))
      .at(-1)!;
    expect([last.part, last.stoppedAt, last.aborted]).toEqual(['message', short.expiresAt, true]);
  });

  it('a drill sounds only where drills are enabled, with its drill notice; quiet hours do not hold an alert', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('drill', 24);
    const agent = await t.start();
    const attention = rig.audio(5 * SEC);
    const notice = rig.audio(8 * SEC);
    const msg = rig.audio(20 * SEC);
    const drill = (alertId: string) =>
      alertBody({
        alertId,
        drill: true,
        drillNotice: notice,
        tid: t.tid,
        attention,
        media: msg,
        repeat: 1,
        volume: 70,
        startsAt: fake.now(),
      });
    const d1 = drill('drill-1');
    await sendAlert(t.tid, d1); // no target held: drills not enabled
    await waitFor(() => t.outcomes(cid(d1)).length === 1, 5000, 'refused');
    expect(codes(t, d1)).toEqual([[4, 'drill-not-enabled']]);

    await rig.publishTarget(
      t.tid,
      signedTarget(key, {
        tid: t.tid,
        version: 1,
        issuedAt: T0,
        attention,
        drillEnabled: true,
        quiet: [{ from: T0, until: T0 + 8 * 3600_000 }],
        entries: [],
      }),
    );
    await waitFor(() => agent.target?.body.version === 1 && has(t, attention), 5000, 'target');
    const d2 = drill('drill-2');
    await sendAlert(t.tid, d2);
    await waitFor(
      () => t.outcomes(cid(d2)).length >= 2 && has(t, notice) && has(t, msg),
      5000,
      'drill sounding',
    );
    await fake.advance(5 * MIN);
    expect(codes(t, d2)).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    const at = d2.startsAt - T0;
    expect(alertParts(t, d2)).toEqual([
      ['attention', at, 70, false],
      ['notice', at + 5 * SEC, 70, false],
      ['message', at + 13 * SEC, 70, false],
    ]);
    // The same drill again (a new envelope, same revision): ignored without a report.
    await sendAlert(t.tid, d2);
    await sleep(200);
    expect(t.outcomes(cid(d2))).toHaveLength(4);
  });

  it('refuses a replayed or expired command, reports an expired alert, ignores a lower revision, lets a higher one supersede', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('revisions', 25);
    await t.start();
    const attention = rig.audio(10 * SEC); // no target: fetched on demand, alongside the message
    const msg = rig.audio(MIN);
    const rev = (revision: number, extra: Partial<Parameters<typeof alertBody>[0]> = {}) =>
      alertBody({
        alertId: 'quake',
        revision,
        tid: t.tid,
        attention,
        media: msg,
        startsAt: fake.now(),
        ...extra,
      });
    const r2 = rev(2);
    const env = await sendAlert(t.tid, r2);
    await waitFor(() => t.outcomes(cid(r2)).length >= 2 && has(t, msg), 5000, 'r2 sounding');
    expect(rig.media.hits.get(attention.path)).toBe(1);
    await rig.centre.publish(topics.terminalCmd(t.tid), JSON.stringify(env)); // the very same envelope
    const stale = command(
      t.tid,
      { kind: 'alert', body: rev(9) },
      { issuedAt: T0 - 20 * MIN, expiresAt: T0 - 10 * MIN },
    );
    await stale.send();
    const rejected = () => t.events.filter((e) => e.type === 'rejected');
    await waitFor(() => rejected().length === 2, 5000, 'two refusals');
    expect(rejected().map((e) => (e.type === 'rejected' ? [e.commandId, e.reason] : []))).toEqual([
      [env.id, 'replay'],
      [stale.env.id, 'expired'],
    ]);
    const gone = alertBody({
      alertId: 'old',
      tid: t.tid,
      attention,
      media: msg,
      startsAt: T0 - 2 * 3600_000,
      expiresAt: T0 - 3600_000,
    });
    await sendAlert(t.tid, gone);
    await waitFor(() => t.outcomes(cid(gone)).length === 1, 5000, 'expired alert');
    expect(codes(t, gone)).toEqual([[4, 'expired']]);

    await sendAlert(t.tid, rev(1)); // lower: ignored
    await fake.advance(20 * SEC);
    const r3 = rev(3, { repeat: 1 });
    await sendAlert(t.tid, r3);
    await waitFor(() => t.outcomes(cid(r3)).length >= 2, 5000, 'r3 sounding');
    expect(t.outcomes(cid(r2)).at(-1)).toMatchObject({ outcome: 5, reason: 'superseded' });
    expect(t.outcomes('quake@1')).toEqual([]);
    await fake.advance(5 * MIN);
    expect(codes(t, r3)).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    expect(alertParts(t, r3)[0]).toEqual(['attention', r3.startsAt - T0, 100, false]); // from the start again
  });
});
