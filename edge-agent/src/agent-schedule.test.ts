import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBroker } from './testing/broker.ts';
import { connectCentre } from './testing/centre.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { waitFor } from './testing/fixtures.ts';
import { HOUR, MIN, sleep, T0, useScheduleRig } from './testing/schedule-rig.ts';
import { entry, signedTarget } from './testing/targets.ts';

describe('Agent keeps to its signed target offline and across restarts (fake clock, real broker and files)', () => {
  const rig = useScheduleRig();
  const key = rig.key;

  it('plays all three slots at their startAt with the broker gone for 24 h, then delivers every report exactly once', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('offline', 1);
    const agent = await t.start();
    const slots: Array<[string, number]> = [
      ['morning', 6],
      ['noon', 12],
      ['evening', 18.5],
    ];
    const entries = slots.map(([slot, h]) =>
      entry({
        id: `d1-${slot}`,
        slotKey: `2026-11-23/${slot}`,
        programmeId: `prog-${slot}`,
        startAt: T0 + h * HOUR,
        media: rig.audio(5 * MIN),
      }),
    );
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, entries, volume: 65 }),
    );
    await waitFor(() => agent.target?.body.version === 1, 5000, 'target held');
    await waitFor(() => entries.every(t.cached), 5000, 'every slot prefetched');
    await waitFor(
      () => rig.centre.states.get(t.tid)?.target?.nextSlotCached === true,
      5000,
      'state: next slot cached',
    );
    expect(rig.centre.states.get(t.tid)).toMatchObject({
      volume: 65,
      target: {
        version: 1,
        entries: 3,
        nextSlotKey: '2026-11-23/morning',
        nextStartAt: entries[0]!.startAt,
        nextSlotCached: true,
        nextSlotMissing: 0,
      },
    });
    expect(JSON.parse(readFileSync(join(t.dir, 'settings.json'), 'utf8'))).toEqual({ volume: 65 });

    // The 4G link goes down for a day.
    const port = rig.broker.port;
    await rig.centre.close();
    await rig.broker.close();
    await waitFor(() => !agent.connected, 5000, 'disconnected');
    const offlineFrom = t.events.length;
    await fake.advance(24 * HOUR);

    for (const e of entries) {
      const seen = t.outcomes(e.id);
      expect(seen.map((x) => x.outcome)).toEqual([1, 2, 3]);
      const [, playing, played] = seen;
      expect(Math.abs(playing!.startedAt! - e.startAt)).toBeLessThanOrEqual(3);
      expect(played).toMatchObject({
        broadcastId: e.programmeId,
        source: 'schedule',
        startedAt: playing!.startedAt,
      });
      expect(played!.endedAt! - played!.startedAt!).toBe(5 * MIN);
    }
    expect(t.sink().records.map((r) => [r.commandId, r.startedAt - T0, r.volume])).toEqual(
      entries.map((e) => [e.id, e.startAt - T0, 65]),
    );

    // The broker is back: the agent reconnects on its own backoff and sends what it kept.
    rig.broker = await startBroker({}, port);
    rig.centre = await connectCentre(rig.broker.url);
    const deadline = Date.now() + 10_000;
    while (!agent.connected && Date.now() < deadline) {
      await fake.advance(10_000);
      await sleep(30);
    }
    expect(agent.connected).toBe(true);
    await waitFor(() => agent.outboxPending === 0, 5000, 'all acknowledged');
    const offline = t.events.slice(offlineFrom);
    expect(offline).toHaveLength(9);
    const stored = rig.centre.stored.get(t.tid)!;
    expect([...stored.values()]).toEqual(offline);
    expect(rig.centre.received).toHaveLength(offline.length); // each exactly once
  });

  it('restarts: an interrupted entry is reported agent-restarted, one armed ahead plays once, a played one never again', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('restarts', 2);
    let agent = await t.start();
    const done = entry({ id: 'r-done', startAt: T0 + 10 * MIN, media: rig.audio(MIN) });
    const cut = entry({ id: 'r-cut', startAt: T0 + HOUR, media: rig.audio(10 * MIN) });
    const ahead = entry({ id: 'r-ahead', startAt: T0 + 3 * HOUR, media: rig.audio(MIN) });
    const v1 = signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, entries: [done, cut, ahead] });
    await rig.publishTarget(t.tid, v1);
    await waitFor(
      () => agent.target?.body.version === 1 && [done, cut, ahead].every(t.cached),
      5000,
      'ready',
    );

    await fake.advanceTo(cut.startAt + MIN); // done has played, cut is playing
    expect(t.outcomes(done.id).map((e) => e.outcome)).toEqual([1, 2, 3]);
    expect(t.outcomes(cut.id).map((e) => e.outcome)).toEqual([1, 2]);
    await rig.stopAgent(agent); // killed mid-play

    agent = await t.start();
    await waitFor(() => t.outcomes(cut.id).length === 3, 3000, 'agent-restarted');
    expect(t.outcomes(cut.id)[2]).toMatchObject({
      outcome: 4,
      reason: 'agent-restarted',
      source: 'schedule',
    });
    await fake.advance(20 * MIN); // well past cut's latestStartAt: still not replayed
    expect(t.outcomes(cut.id)).toHaveLength(3);

    await fake.advanceTo(ahead.startAt - 1000); // armed, not started
    expect(t.outcomes(ahead.id).map((e) => e.outcome)).toEqual([1]);
    await rig.stopAgent(agent);
    agent = await t.start(); // its startAt is still ahead: armed again
    await fake.advanceTo(ahead.startAt + 2 * MIN);
    const aheadSeen = t.outcomes(ahead.id);
    expect(aheadSeen.filter((e) => e.outcome === 2)).toHaveLength(1);
    expect(aheadSeen.filter((e) => e.outcome === 2)[0]!.startedAt).toBe(ahead.startAt);
    expect(aheadSeen.at(-1)).toMatchObject({ outcome: 3 });

    // The same target again, and a newer version that still lists all three plus a new entry.
    const fresh = entry({ id: 'r-fresh', startAt: T0 + 4 * HOUR, media: rig.audio(MIN) });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, entries: [done, cut, ahead] }),
    );
    const v2 = signedTarget(key, {
      tid: t.tid,
      version: 2,
      issuedAt: fake.now(),
      entries: [done, cut, ahead, fresh],
    });
    await rig.publishTarget(t.tid, v2);
    await waitFor(() => agent.target?.body.version === 2 && t.cached(fresh), 5000, 'v2');
    await rig.stopAgent(agent);
    agent = await t.start();
    await fake.advanceTo(fresh.startAt + 2 * MIN);
    const starts = (id: string) => t.outcomes(id).filter((e) => e.outcome === 2).length;
    expect([done, cut, ahead, fresh].map((e) => starts(e.id))).toEqual([1, 1, 1, 1]);
    expect(t.outcomes(fresh.id).at(-1)).toMatchObject({ outcome: 3 });
    for (const e of [done, cut, ahead, fresh]) {
      expect(t.outcomes(e.id).filter((x) => x.outcome >= 3)).toHaveLength(1);
    }
  });

  it('reports an entry missed once when the terminal was off past its latest start, or its audio never came', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('missed', 6);
    let agent = await t.start();
    const a = entry({ id: 'm-a', startAt: T0 + HOUR, media: rig.audio(MIN) });
    const ref = { ...rig.audio(MIN), path: '/m/not-there.mp3' };
    const b = entry({ id: 'm-b', startAt: T0 + 5 * HOUR, media: ref });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, entries: [a, b] }),
    );
    await waitFor(() => agent.target?.body.version === 1 && t.cached(a), 5000, 'held');
    await rig.stopAgent(agent);
    await fake.advance(2 * HOUR); // off through a's whole window

    agent = await t.start();
    await waitFor(() => t.outcomes(a.id).length > 0, 3000, 'missed');
    expect(t.outcomes(a.id).map((e) => [e.outcome, e.reason, e.source])).toEqual([[4, 'missed', 'schedule']]);
    await fake.advance(4 * HOUR); // b's audio 404s on every retry
    expect(t.outcomes(b.id).map((e) => [e.outcome, e.reason])).toEqual([[4, 'download-failed']]);
    expect(rig.media.hits.get('/m/not-there.mp3')).toBeGreaterThan(2);
    await rig.stopAgent(agent);
    agent = await t.start();
    await fake.advance(HOUR);
    expect(t.outcomes(a.id)).toHaveLength(1);
    expect(t.outcomes(b.id)).toHaveLength(1);
  });
});
