import { describe, expect, it } from 'vitest';
import { ReportAcks } from './report-acks.ts';

/** A fake clock with timers that fire when time is advanced past them. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (h: unknown) => timers.delete(h as number),
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = until;
    },
    get timers() {
      return timers.size;
    },
  };
}

function rig(opts: { flushBatch?: number } = {}) {
  const clock = fakeClock();
  const sent: Array<[string, string, number]> = [];
  const acks = new ReportAcks({
    send: (tid, a) => sent.push([tid, a.outbox, a.upTo]),
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    quietMs: 100,
    maxHoldMs: 2000,
    ...opts,
  });
  return { clock, sent, acks };
}

describe('report acks: held while reports pour in, sent when they pause', () => {
  it('sends once no report has arrived for the quiet time, one ack per outbox at its highest', () => {
    const { clock, sent, acks } = rig();
    acks.noteReport();
    acks.add('t1', 'o1', 2);
    clock.advance(50);
    acks.noteReport();
    acks.add('t1', 'o1', 4);
    acks.add('t1', 'o1', 3); // an older, lower ack never lowers what is held
    acks.add('t2', 'o2', 1);
    clock.advance(99);
    expect(sent).toEqual([]);
    clock.advance(2);
    expect(sent).toEqual([
      ['t1', 'o1', 4],
      ['t2', 'o2', 1],
    ]);
    expect(acks.pending).toBe(0);
    expect(clock.timers).toBe(0);
  });

  it('sends anyway once the oldest ack has been held for the longest hold, however busy', () => {
    const { clock, sent, acks } = rig();
    acks.noteReport();
    acks.add('t1', 'o1', 1);
    for (let t = 0; t < 1990; t += 10) {
      clock.advance(10);
      acks.noteReport();
      acks.add(`t${t}`, 'o', 1);
    }
    expect(sent).toEqual([]);
    clock.advance(10);
    expect(sent.length).toBe(200);
    expect(sent[0]).toEqual(['t1', 'o1', 1]);
  });

  it('sends a large backlog a batch per turn', () => {
    const { clock, sent, acks } = rig({ flushBatch: 2 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) acks.add(t, 'o', 1);
    clock.advance(100);
    expect(sent.map((s) => s[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(acks.pending).toBe(0);
  });

  it('holds an ack for a terminal that reports again after the first was sent, and sends it too', () => {
    const { clock, sent, acks } = rig();
    acks.add('t1', 'o1', 1);
    clock.advance(100);
    acks.noteReport();
    acks.add('t1', 'o1', 2);
    clock.advance(100);
    expect(sent).toEqual([
      ['t1', 'o1', 1],
      ['t1', 'o1', 2],
    ]);
  });

  it('stop releases its timer and sends nothing more', () => {
    const { clock, sent, acks } = rig();
    acks.add('t1', 'o1', 1);
    acks.stop();
    expect(clock.timers).toBe(0);
    acks.add('t2', 'o1', 1);
    clock.advance(5000);
    expect(sent).toEqual([]);
  });
});
