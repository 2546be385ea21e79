import { MAX_TARGET_ENTRIES } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { buildCalendar } from './calendar.ts';
import { checkProgrammeFits, type FitContext, formatDuration } from './programme-rules.ts';
import { loadScheduleText } from './schedule-file.ts';
import { compileSchedule } from './target-compiler.ts';
import {
  type DayPlan,
  dayEntries,
  layOut,
  type ProgrammeData,
  type RecurringData,
  recurringApplies,
  slotProgrammeKey,
} from './timeline.ts';

const YAML = `
timeZone: Asia/Shanghai
quietHours: [{ from: "22:00", to: "06:00" }]
slots:
  - { id: morning, name: 早间, start: "06:30", maxMinutes: 30, days: daily }
  - { id: noon, name: 午间, start: "12:00", maxMinutes: 30, days: daily }
  - { id: evening, name: 晚间, start: "18:30", maxMinutes: 30, days: weekdays }
townships:
  "450323101": { slots: { noon: { start: "12:30", maxMinutes: 10 } } }
`;
const loaded = loadScheduleText(YAML, 'test.yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const cal = buildCalendar(loaded.doc);

const COUNTY = '450323';
const T1 = '450323101';
const T2 = '450323102';
const DATE = '2026-11-24'; // a Tuesday
const at = (time: string, date = DATE) => cal.toInstant(date, time);
const MIN = 60_000;
const opts = { gapMs: 1000, lateToleranceMs: 3000, mediaPath: (s: string) => `/t/media/${s}` };

let n = 0;
function media(durationMs: number) {
  n += 1;
  return { sha256: n.toString(16).padStart(64, '0'), bytes: 1000, durationMs, mime: 'audio/mpeg' };
}
function programme(p: Partial<ProgrammeData> & { durations: number[] }): ProgrammeData {
  n += 1;
  const id = p.id ?? `p${n}`;
  return {
    id,
    date: DATE,
    slotId: 'noon',
    startTime: null,
    scopeCode: COUNTY,
    scopeLevel: 'county',
    title: '测试节目',
    ...p,
    items: p.durations.map((d, i) => ({ id: `${id}-i${i}`, media: media(d), title: null, volume: null })),
  };
}
function day(programmes: ProgrammeData[] = [], recurring: RecurringData[] = []): DayPlan {
  const d: DayPlan = { date: DATE, slotProgrammes: new Map(), oneOffs: [], recurring };
  for (const p of programmes) {
    if (p.slotId) d.slotProgrammes.set(slotProgrammeKey(p.slotId, p.scopeCode), p);
    else d.oneOffs.push(p);
  }
  return d;
}
function ctx(d: DayPlan, now = at('08:00')): FitContext {
  return {
    calendar: cal,
    day: d,
    countyCode: COUNTY,
    townships: [
      { code: T1, name: '甲镇' },
      { code: T2, name: '乙镇' },
    ],
    gapMs: 1000,
    now,
  };
}
function refusal(f: () => void): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('timeline', () => {
  it('lays items end to end with the gap, each with its latest start', () => {
    const p = programme({ durations: [5000, 7000, 2000] });
    const entries = layOut(
      p.items.map((i) => ({
        entryId: i.id,
        programmeId: p.id,
        title: null,
        priority: 150,
        media: i.media,
        volume: null,
      })),
      1_000_000,
      'k',
      opts,
    );
    expect(entries.map((e) => e.startAt)).toEqual([1_000_000, 1_006_000, 1_014_000]);
    expect(entries.map((e) => e.latestStartAt)).toEqual([1_003_000, 1_009_000, 1_017_000]);
    expect(entries[0]!.media.path).toBe(`/t/media/${p.items[0]!.media.sha256}`);
  });

  it("plays the county's part first, then the township's own, at the township's slot time", () => {
    const county = programme({ durations: [60_000] });
    const own = programme({ scopeCode: T1, scopeLevel: 'township', durations: [30_000] });
    const entries = dayEntries(cal, day([county, own]), COUNTY, T1, opts).filter((e) =>
      e.slotKey.endsWith('noon'),
    );
    expect(entries.map((e) => [e.programmeId, e.priority, e.startAt])).toEqual([
      [county.id, 150, at('12:30')],
      [own.id, 120, at('12:30') + 61_000],
    ]);
    // Another township hears only the county's part, at the county's time.
    const other = dayEntries(cal, day([county, own]), COUNTY, T2, opts).filter((e) =>
      e.slotKey.endsWith('noon'),
    );
    expect(other.map((e) => [e.programmeId, e.startAt])).toEqual([[county.id, at('12:00')]]);
  });

  it('recurring items open or close the slot on the days they apply, with one id per day', () => {
    const base = {
      slotId: 'morning',
      scopeCode: COUNTY,
      scopeLevel: 'county' as const,
      title: '天气',
      fromDate: '2026-11-01',
      untilDate: null,
    };
    const first: RecurringData = {
      ...base,
      id: 'rw',
      media: media(20_000),
      days: 'daily',
      placement: 'first',
    };
    const last: RecurringData = {
      ...base,
      id: 'rx',
      media: media(10_000),
      days: 'sat,sun',
      placement: 'last',
    };
    const p = programme({ slotId: 'morning', durations: [30_000] });
    const tuesday = dayEntries(cal, day([p], [first, last]), COUNTY, T2, opts);
    expect(tuesday.map((e) => e.id)).toEqual(['rw@20261124', p.items[0]!.id]);
    expect(tuesday[1]!.startAt).toBe(at('06:30') + 21_000);
    expect(recurringApplies(last, '2026-11-28')).toBe(true);
    expect(recurringApplies(last, DATE)).toBe(false);
    expect(recurringApplies({ ...first, untilDate: '2026-11-20' }, DATE)).toBe(false);
  });

  it('a slot that is not held that day (evening on weekends) gets nothing', () => {
    const p = programme({ slotId: 'evening', durations: [1000], date: '2026-11-28' });
    const d = { ...day([p]), date: '2026-11-28' };
    expect(dayEntries(cal, d, COUNTY, T2, opts)).toEqual([]);
  });
});

describe('programme rules', () => {
  it('accepts a programme that fits every township it reaches', () => {
    expect(() => checkProgrammeFits(programme({ durations: [9 * MIN] }), ctx(day()))).not.toThrow();
  });

  it('refuses a county programme that overruns a township whose slot is shorter, naming it', () => {
    const e = refusal(() => checkProgrammeFits(programme({ durations: [6 * MIN, 5 * MIN] }), ctx(day())));
    expect(e.code).toBe('overruns_slot');
    expect(e.message).toContain('甲镇');
    expect(e.message).toContain('11分01秒');
    expect(e.message).toContain('10分00秒');
  });

  it("counts the county's part when a township fills the rest of its slot", () => {
    const county = programme({ durations: [8 * MIN] });
    const own = programme({ scopeCode: T1, scopeLevel: 'township', durations: [3 * MIN] });
    const e = refusal(() => checkProgrammeFits(own, ctx(day([county]))));
    expect(e.code).toBe('overruns_slot');
    expect(e.message).toContain('超出 1分01秒');
    // The other township has 30 minutes.
    expect(() => checkProgrammeFits({ ...own, scopeCode: T2 }, ctx(day([county])))).not.toThrow();
  });

  it('refuses a slot that has already started, and a slot not held that day', () => {
    expect(
      refusal(() => checkProgrammeFits(programme({ durations: [1000] }), ctx(day(), at('12:00')))).code,
    ).toBe('slot_started');
    const sat = programme({ slotId: 'evening', date: '2026-11-28', durations: [1000] });
    expect(refusal(() => checkProgrammeFits(sat, ctx({ ...day(), date: '2026-11-28' }))).code).toBe(
      'no_slot',
    );
  });

  it('refuses a one-off that would sound in quiet hours, with both times in the message', () => {
    const late = programme({ slotId: null, startTime: '21:55:00', durations: [6 * MIN] });
    const e = refusal(() => checkProgrammeFits(late, ctx(day())));
    expect(e.code).toBe('quiet_hours');
    expect(e.message).toContain('21:55:00–22:01:00');
    expect(e.message).toContain('22:00:00–06:00:00');
    const early = programme({ slotId: null, startTime: '05:59:30', durations: [10_000] });
    expect(refusal(() => checkProgrammeFits(early, ctx(day(), at('01:00')))).code).toBe('quiet_hours');
    expect(() => checkProgrammeFits({ ...late, startTime: '21:00:00' }, ctx(day()))).not.toThrow();
  });

  it('refuses a one-off inside a slot or over another one-off the same terminals hear', () => {
    const inSlot = programme({ slotId: null, startTime: '12:25:00', durations: [2 * MIN] });
    expect(refusal(() => checkProgrammeFits(inSlot, ctx(day()))).code).toBe('collides_with_slot');
    const a = programme({
      slotId: null,
      startTime: '15:00:00',
      scopeCode: T1,
      scopeLevel: 'township',
      durations: [2 * MIN],
    });
    const b = programme({ slotId: null, startTime: '15:01:00', durations: [MIN] });
    expect(refusal(() => checkProgrammeFits(b, ctx(day([a])))).code).toBe('collides_with_programme');
    // Two townships may each have their own one-off at the same time.
    expect(() =>
      checkProgrammeFits({ ...b, scopeCode: T2, scopeLevel: 'township' }, ctx(day([a]))),
    ).not.toThrow();
  });

  it('formats durations for operators', () => {
    expect(formatDuration(65_000)).toBe('1分05秒');
    expect(formatDuration(9_200)).toBe('10秒');
  });
});

describe('target compiler', () => {
  it('keeps entries that can still start, drops past ones, and reports quiet hours in the window', () => {
    const p = programme({ durations: [MIN, MIN] });
    const days = new Map([[DATE, day([p])]]);
    const from = at('12:01:02'); // the first entry started at 12:00, the second starts 12:01:01 (+3 s leeway)
    const c = compileSchedule(cal, days, COUNTY, T2, { from, until: from + 48 * 3600_000 }, opts);
    expect(c.entries.map((e) => e.id)).toEqual([p.items[1]!.id]);
    expect(c.quiet[0]).toEqual({ from: at('22:00'), until: at('06:00', '2026-11-25') });
  });

  it('caps the number of entries and shortens the window to match', () => {
    const many = programme({
      slotId: null,
      startTime: '14:00:00',
      durations: Array(MAX_TARGET_ENTRIES + 10).fill(1000),
    });
    const days = new Map([[DATE, day([many])]]);
    const from = at('08:00');
    const c = compileSchedule(cal, days, COUNTY, T2, { from, until: from + 48 * 3600_000 }, opts);
    expect(c.entries).toHaveLength(MAX_TARGET_ENTRIES);
    expect(c.windowUntil).toBe(at('14:00') + MAX_TARGET_ENTRIES * 2000);
  });
});
