import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../edge-agent/src/testing/fake-clock.ts';
import { ReportAcks } from './report-acks.ts';

function rig(opts: { flushBatch?: number } = {}) {
  const clock = new FakeClock();
  const sent: Array<[string, string, number]> = [];
  const acks = new ReportAcks({
    send: (tid, a) => sent.push([tid, a.outbox, a.upTo]),
    now: clock.now,
    setTimer: clock.setTimeout,
    clearTimer: clock.clearTimeout,
    quietMs: 100,
    maxHoldMs: 2000,
    ...opts,
  });
  return { clock, sent, acks };
}

describe('report acks: held while reports pour in, sent when they pause', () => {
  it('sends once no report has arrived for the quiet time, one ack per outbox at its highest', async () => {
    const { clock, sent, acks } = rig();
    acks.noteReport();
    acks.add('t1', 'o1', 2);
    await clock.advance(50);
    acks.noteReport();
    acks.add('t1', 'o1', 4);
    acks.add('t1', 'o1', 3); // an older, lower ack never lowers what is held
    acks.add('t2', 'o2', 1);
    await clock.advance(99);
    expect(sent).toEqual([]);
    await clock.advance(2);
    expect(sent).toEqual([
      ['t1', 'o1', 4],
      ['t2', 'o2', 1],
    ]);
    expect(acks.pending).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('sends anyway once the oldest ack has been held for the longest hold, however busy', async () => {
    const { clock, sent, acks } = rig();
    acks.noteReport();
    acks.add('t1', 'o1', 1);
    for (let t = 0; t < 1990; t += 10) {
      await clock.advance(10);
      acks.noteReport();
      acks.add(`t${t}`, 'o', 1);
    }
    expect(sent).toEqual([]);
    await clock.advance(10);
    expect(sent.length).toBe(200);
    expect(sent[0]).toEqual(['t1', 'o1', 1]);
  });

  it('sends a large backlog a batch per turn', async () => {
    const { clock, sent, acks } = rig({ flushBatch: 2 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) acks.add(t, 'o', 1);
    await clock.advance(100);
    expect(sent.map((s) => s[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(acks.pending).toBe(0);
  });

  it('holds an ack for a terminal that reports again after the first was sent, and sends it too', async () => {
    const { clock, sent, acks } = rig();
    acks.add('t1', 'o1', 1);
    await clock.advance(100);
    acks.noteReport();
    acks.add('t1', 'o1', 2);
    await clock.advance(100);
    expect(sent).toEqual([
      ['t1', 'o1', 1],
      ['t1', 'o1', 2],
    ]);
  });

  it('stop releases its timer and sends nothing more', async () => {
    const { clock, sent, acks } = rig();
    acks.add('t1', 'o1', 1);
    acks.stop();
    expect(clock.pending).toBe(0);
    acks.add('t2', 'o1', 1);
    await clock.advance(5000);
    expect(sent).toEqual([]);
  });
});
