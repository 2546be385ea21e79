import type { TargetEntry } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import type { EntryState } from './entry-ledger.ts';
import { planSchedule, type ScheduleInput, summarizeTarget } from './schedule-plan.ts';

const media = (n: number) => ({
  sha256: String(n).repeat(64).slice(0, 64),
  path: `/m/${n}.mp3`,
  bytes: 10,
  durationMs: 1000,
  mime: 'audio/mpeg',
});
const e = (id: string, startAt: number, extra: Partial<TargetEntry> = {}): TargetEntry => ({
  id,
  programmeId: `p-${id}`,
  slotKey: `slot-${id}`,
  priority: 150,
  startAt,
  latestStartAt: startAt + 600,
  media: media(1),
  ...extra,
});

function input(over: Partial<ScheduleInput>): ScheduleInput {
  return {
    entries: [],
    valid: true,
    expiresAt: 1_000_000,
    now: 0,
    prerollMs: 100,
    horizonMs: 100_000,
    ledger: () => undefined,
    live: new Map(),
    cached: () => true,
    mediaFailure: () => undefined,
    ...over,
  };
}

describe('planSchedule', () => {
  it('arms an entry prerollMs before its start and wakes for the next', () => {
    const a = e('a', 1000);
    const b = e('b', 5000);
    const early = planSchedule(input({ entries: [a, b], now: 800 }));
    expect(early.arm).toEqual([]);
    expect(early.wakeAt).toBe(900);
    expect(early.keep.map((m) => m.path)).toEqual(['/m/1.mp3']);
    const due = planSchedule(input({ entries: [a, b], now: 900 }));
    expect(due.arm).toEqual([a]);
    expect(due.wakeAt).toBe(1601);
  });

  it('never arms an ended entry, nor one playback holds', () => {
    const a = e('a', 1000);
    const ledger = (id: string): EntryState | undefined => (id === 'a' ? 'ended' : undefined);
    expect(planSchedule(input({ entries: [a], now: 950, ledger })).arm).toEqual([]);
    expect(planSchedule(input({ entries: [a], now: 950, live: new Map([['a', 'waiting']]) })).arm).toEqual(
      [],
    );
  });

  it('re-arms an entry armed before a restart while its start is ahead, never once it has passed', () => {
    const a = e('a', 1000);
    const ledger = (): EntryState => 'armed';
    expect(planSchedule(input({ entries: [a], now: 950, ledger })).arm).toEqual([a]);
    const after = planSchedule(input({ entries: [a], now: 1001, ledger }));
    expect(after.arm).toEqual([]);
    expect(after.fail).toEqual([{ entry: a, reason: 'agent-restarted' }]);
  });

  it('arms late (between startAt and latestStartAt), then reports missed or the download failure', () => {
    const a = e('a', 1000);
    expect(planSchedule(input({ entries: [a], now: 1300 })).arm).toEqual([a]);
    const notCached = planSchedule(input({ entries: [a], now: 1300, cached: () => false }));
    expect(notCached.arm).toEqual([]);
    expect(notCached.wakeAt).toBe(1601);
    expect(planSchedule(input({ entries: [a], now: 1601 })).fail).toEqual([{ entry: a, reason: 'missed' }]);
    const failed = planSchedule(
      input({ entries: [a], now: 1601, cached: () => false, mediaFailure: () => 'checksum-mismatch' }),
    );
    expect(failed.fail).toEqual([{ entry: a, reason: 'checksum-mismatch' }]);
    // never tried (the terminal was off): missed
    expect(planSchedule(input({ entries: [a], now: 1601, cached: () => false })).fail[0]?.reason).toBe(
      'missed',
    );
  });

  it('forgets entries beyond the horizon', () => {
    const a = e('a', 1000);
    expect(planSchedule(input({ entries: [a], now: 1600 + 100_001 })).fail).toEqual([]);
  });

  it('cancels an armed, unstarted entry a newer target dropped; lets a started one play out', () => {
    const live = new Map<string, 'waiting' | 'playing'>([
      ['gone', 'waiting'],
      ['gone-playing', 'playing'],
      ['kept', 'waiting'],
    ]);
    const p = planSchedule(input({ entries: [e('kept', 1000)], now: 950, live }));
    expect(p.cancel).toEqual([{ id: 'gone', reason: 'superseded' }]);
  });

  it('arms nothing from an expired target and cancels what waits', () => {
    const a = e('a', 1000);
    const live = new Map<string, 'waiting' | 'playing'>([['b', 'waiting']]);
    const p = planSchedule(input({ entries: [a, e('b', 900)], now: 950, valid: false, live }));
    expect(p.arm).toEqual([]);
    expect(p.keep).toEqual([]);
    expect(p.cancel).toEqual([{ id: 'b', reason: 'expired' }]);
    expect(planSchedule(input({ entries: [a], now: 1601, valid: false })).fail).toEqual([
      { entry: a, reason: 'missed' },
    ]);
  });

  it('wakes at the target expiry', () => {
    expect(planSchedule(input({ entries: [], now: 0, expiresAt: 500 })).wakeAt).toBe(501);
  });
});

describe('summarizeTarget', () => {
  it('names the next slot not yet ended and whether its audio is cached', () => {
    const entries = [
      e('m1', 1000, { slotKey: 'morning', media: media(1) }),
      e('m2', 1000, { slotKey: 'morning', media: media(2) }),
      e('n1', 5000, { slotKey: 'noon', media: media(3) }),
    ];
    const cached = (sha: string) => !sha.startsWith('2');
    const s = summarizeTarget({ version: 3, entries, valid: true }, 0, () => undefined, new Map(), cached);
    expect(s).toEqual({
      version: 3,
      entries: 3,
      nextSlotKey: 'morning',
      nextStartAt: 1000,
      nextSlotCached: false,
      nextSlotMissing: 1,
    });
    const ended = (id: string): EntryState | undefined => (id.startsWith('m') ? 'ended' : undefined);
    const t = summarizeTarget({ version: 3, entries, valid: true }, 1200, ended, new Map(), cached);
    expect(t).toMatchObject({
      nextSlotKey: 'noon',
      nextStartAt: 5000,
      nextSlotCached: true,
      nextSlotMissing: 0,
    });
    const none = summarizeTarget(
      { version: 3, entries, valid: false },
      0,
      () => undefined,
      new Map(),
      cached,
    );
    expect(none).toMatchObject({ nextSlotKey: null, nextStartAt: null, nextSlotCached: false });
  });
});
