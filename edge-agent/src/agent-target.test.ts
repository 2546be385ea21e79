import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTerminalId, topics } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { makeKey, sign } from './testing/commands.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { VILLAGE, waitFor } from './testing/fixtures.ts';
import { HOUR, MIN, sleep, T0, useScheduleRig } from './testing/schedule-rig.ts';
import { entry, signedTarget } from './testing/targets.ts';

const foreign = makeKey();

describe('Agent takes only a valid, newer target for itself (fake clock, real broker and files)', () => {
  const rig = useScheduleRig();
  const key = rig.key;

  it('a newer version supersedes; older and equal ones are ignored; expired, foreign and forged ones are refused', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('versions', 3);
    const agent = await t.start();
    const a = entry({ id: 'v-a', startAt: T0 + HOUR, media: rig.audio(MIN) });
    const b = entry({ id: 'v-b', startAt: T0 + 2 * HOUR, media: rig.audio(MIN) });
    const c = entry({ id: 'v-c', startAt: T0 + HOUR + 30_000, media: rig.audio(MIN) });
    const d = entry({ id: 'v-d', startAt: T0 + 3 * HOUR, media: rig.audio(MIN) });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 2, issuedAt: T0, entries: [a, b] }),
    );
    await waitFor(() => agent.target?.body.version === 2 && [a, b].every(t.cached), 5000, 'v2');
    await fake.advanceTo(a.startAt - 1000);
    expect(t.outcomes(a.id).map((e) => e.outcome)).toEqual([1]); // armed

    await rig.publishTarget(
      t.tid,
      signedTarget(key, { tid: t.tid, version: 3, issuedAt: fake.now(), entries: [b, c] }),
    );
    await waitFor(() => t.outcomes(a.id).length === 2, 5000, 'superseded');
    expect(t.outcomes(a.id)[1]).toMatchObject({ outcome: 5, reason: 'superseded', source: 'schedule' });
    await waitFor(() => t.cached(c), 5000, 'c cached');
    await fake.advanceTo(c.startAt + 2 * MIN);
    expect(t.outcomes(c.id).find((e) => e.outcome === 2)?.startedAt).toBe(c.startAt);

    // Older and equal versions are ignored; then three refusals, in order.
    const older = signedTarget(key, { tid: t.tid, version: 1, issuedAt: fake.now(), entries: [d] });
    const equal = signedTarget(key, { tid: t.tid, version: 3, issuedAt: fake.now(), entries: [d] });
    const expired = signedTarget(key, {
      tid: t.tid,
      version: 9,
      issuedAt: fake.now() - 49 * HOUR,
      expiresAt: fake.now() - 1,
      entries: [d],
    });
    const wrongTid = signedTarget(key, {
      tid: makeTerminalId(VILLAGE, 99),
      version: 10,
      issuedAt: fake.now(),
      entries: [d],
    });
    const forged = signedTarget(
      { kid: key.kid, privateKey: foreign.privateKey },
      { tid: t.tid, version: 11, issuedAt: fake.now(), entries: [d] },
    );
    for (const env of [older, equal, expired, wrongTid, forged]) await rig.publishTarget(t.tid, env);
    const rejected = () => t.events.filter((e) => e.type === 'rejected');
    await waitFor(() => rejected().length === 3, 5000, 'three refusals');
    expect(rejected().map((e) => (e.type === 'rejected' ? [e.commandId, e.reason, e.topic] : []))).toEqual([
      [expired.id, 'expired', topics.terminalTarget(t.tid)],
      [wrongTid.id, 'wrong-audience', topics.terminalTarget(t.tid)],
      [forged.id, 'bad-signature', topics.terminalTarget(t.tid)],
    ]);
    expect(agent.target?.body.version).toBe(3);
    expect(t.warnings.some((w) => w.includes('较旧的目标版本 1'))).toBe(true);

    // A held target that expires while offline: nothing of it is played after its expiry.
    const e = entry({ id: 'v-e', startAt: fake.now() + HOUR, media: rig.audio(MIN) });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, {
        tid: t.tid,
        version: 12,
        issuedAt: fake.now(),
        expiresAt: fake.now() + 30 * MIN,
        entries: [e],
      }),
    );
    await waitFor(() => agent.target?.body.version === 12 && t.cached(e), 5000, 'v12');
    await fake.advance(2 * HOUR);
    expect(t.outcomes(e.id).map((x) => [x.outcome, x.reason])).toEqual([[4, 'missed']]);
    expect(t.outcomes(d.id)).toEqual([]);
    expect(t.outcomes(b.id)).toEqual([]); // dropped by v12 before it was armed: nothing to report
  });

  it('ignores a tampered target.json at start', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('tamper', 4);
    let agent = await t.start();
    const a = entry({ id: 't-a', startAt: T0 + HOUR, media: rig.audio(MIN) });
    await rig.publishTarget(t.tid, signedTarget(key, { tid: t.tid, version: 1, issuedAt: T0, entries: [a] }));
    await waitFor(() => agent.target?.body.version === 1, 5000, 'held');
    await rig.stopAgent(agent);
    await rig.publishTarget(t.tid, ''); // the retained copy is gone too
    const file = join(t.dir, 'target.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(`"startAt":${a.startAt}`, `"startAt":${a.startAt - MIN}`),
    );
    agent = await t.start();
    await sleep(200);
    expect(agent.target).toBeNull();
    expect(t.warnings.some((w) => w.includes('忽略本地的目标文件') && w.includes('bad-signature'))).toBe(
      true,
    );
    await fake.advance(2 * HOUR);
    expect(t.outcomes(a.id)).toEqual([]);
  });

  it('quiet hours refuse a programme (commands and entries alike) but not an emergency', async () => {
    rig.fake = new FakeClock(T0);
    const fake = rig.fake;
    const t = rig.terminal('quiet', 5);
    const agent = await t.start();
    const inQuiet = entry({ id: 'q-entry', startAt: T0 + 10 * MIN, media: rig.audio(MIN) });
    await rig.publishTarget(
      t.tid,
      signedTarget(key, {
        tid: t.tid,
        version: 1,
        issuedAt: T0,
        quiet: [{ from: T0, until: T0 + HOUR }],
        entries: [inQuiet],
      }),
    );
    await waitFor(() => agent.target?.body.version === 1 && t.cached(inQuiet), 5000, 'held');
    const play = (priority: number) =>
      sign(
        {
          kind: 'play',
          body: {
            broadcastId: `bc-${priority}`,
            priority,
            media: rig.audio(30_000),
            audience: { kind: 'terminal', tid: t.tid },
          },
        },
        key,
        { issuedAt: fake.now() },
      );
    const prog = play(150);
    const yellow = play(230);
    await rig.centre.publish(topics.terminalCmd(t.tid), JSON.stringify(prog));
    await rig.centre.publish(topics.terminalCmd(t.tid), JSON.stringify(yellow));
    // The two downloads race: if the alert-level item starts first, the programme waits behind it and is refused
    // when its turn comes, still in quiet hours; otherwise it is refused at once. Either way: waiting, then 4.
    await waitFor(
      () => t.outcomes(prog.id).length >= 1 && t.outcomes(yellow.id).length >= 2,
      5000,
      'commands',
    );
    await fake.advance(20 * MIN);
    expect(t.outcomes(prog.id).map((e) => [e.outcome, e.reason])).toEqual([
      [1, undefined],
      [4, 'quiet-hours'],
    ]);
    expect(t.outcomes(yellow.id).map((e) => e.outcome)).toEqual([1, 2, 3]);
    expect(t.outcomes(inQuiet.id).map((e) => [e.outcome, e.reason])).toEqual([
      [1, undefined],
      [4, 'quiet-hours'],
    ]);
  });
});
