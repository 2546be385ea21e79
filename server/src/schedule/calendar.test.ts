import { describe, expect, it } from 'vitest';
import { buildCalendar, mergeIntervals } from './calendar.ts';
import { loadScheduleFile } from './schedule-file.ts';
import { BASE, calendarOf, DEFAULT_YAML, iso } from './schedule-test-fixtures.ts';

const H = 3600_000;

function shipped() {
  const r = loadScheduleFile(DEFAULT_YAML);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return buildCalendar(r.doc);
}

/** BASE with one more slot appended (lines are YAML under `slots:`). */
function withSlot(extra: string): string {
  return BASE + extra;
}

describe('calendar of the shipped default.yaml', () => {
  const cal = shipped();

  it('winter morning is 07:00 Shanghai = 23:00Z the day before', () => {
    const s = cal.slot('2026-11-23', 'morning', null)!;
    expect(iso(s.startAt)).toBe('2026-11-22T23:00:00.000Z');
    expect(s).toMatchObject({
      key: '2026-11-23/morning',
      name: '早间',
      season: 'winter',
      maxMs: 30 * 60_000,
    });
    expect(s.endAt - s.startAt).toBe(30 * 60_000);
  });

  it('summer morning 06:00, evening 19:00, noon unchanged', () => {
    expect(cal.slotsOn('2026-07-01', null).map((s) => [s.slotId, iso(s.startAt), s.season])).toEqual([
      ['morning', '2026-06-30T22:00:00.000Z', 'summer'],
      ['noon', '2026-07-01T04:00:00.000Z', 'summer'],
      ['evening', '2026-07-01T11:00:00.000Z', 'summer'],
    ]);
  });

  it('season boundaries, including winter wrapping the year end', () => {
    const morning = (d: string) => cal.slot(d, 'morning', null)!;
    expect(morning('2026-04-30').season).toBe('winter');
    expect(morning('2026-05-01').season).toBe('summer');
    expect(morning('2026-09-30').season).toBe('summer');
    expect(morning('2026-10-01').season).toBe('winter');
    expect(iso(morning('2026-12-31').startAt)).toBe('2026-12-30T23:00:00.000Z');
    expect(iso(morning('2027-01-01').startAt)).toBe('2026-12-31T23:00:00.000Z');
    expect(iso(cal.slot('2028-02-29', 'evening', null)!.startAt)).toBe('2028-02-29T10:00:00.000Z');
  });

  it('knows its zone, slot ids, local dates and instants', () => {
    expect(cal.timeZone).toBe('Asia/Shanghai');
    expect(cal.slotIds()).toEqual(['morning', 'noon', 'evening']);
    expect(cal.localDate(Date.parse('2026-11-22T16:00:00Z'))).toBe('2026-11-23');
    expect(cal.localDate(Date.parse('2026-11-22T15:59:59Z'))).toBe('2026-11-22');
    expect(iso(cal.toInstant('2026-11-23', '07:00:30'))).toBe('2026-11-22T23:00:30.000Z');
    expect(() => cal.toInstant('2026-11-23', '7:00')).toThrow(/HH:MM/);
  });

  it('quiet hours 22:00–06:00 belong to the day they start', () => {
    const from = cal.toInstant('2026-11-23', '00:00');
    const quiet = cal.quietIntervals(from, from + 24 * H, null);
    expect(quiet.map((q) => [iso(q.from), iso(q.until)])).toEqual([
      ['2026-11-22T14:00:00.000Z', '2026-11-22T22:00:00.000Z'], // 11-22 22:00 → 11-23 06:00
      ['2026-11-23T14:00:00.000Z', '2026-11-23T22:00:00.000Z'], // 11-23 22:00 → 11-24 06:00
    ]);
    // A span inside the day touches no quiet interval.
    expect(
      cal.quietIntervals(cal.toInstant('2026-11-23', '08:00'), cal.toInstant('2026-11-23', '20:00'), null),
    ).toEqual([]);
  });
});

describe('calendar rules', () => {
  it('weekdays, weekends and a list of days', () => {
    const cal = calendarOf(
      withSlot(`  - id: market
    name: 赶集
    start: "09:00"
    maxMinutes: 20
    days: [tue, fri]
  - id: workday
    name: 工作日
    start: "10:00"
    maxMinutes: 10
    days: weekdays
  - id: weekend
    name: 周末
    start: "10:00"
    maxMinutes: 10
    days: weekends
`),
    );
    const ids = (d: string) => cal.slotsOn(d, null).map((s) => s.slotId);
    expect(ids('2026-11-23')).toEqual(['morning', 'workday', 'noon', 'evening']); // Monday
    expect(ids('2026-11-24')).toEqual(['morning', 'market', 'workday', 'noon', 'evening']); // Tuesday
    expect(ids('2026-11-28')).toEqual(['morning', 'weekend', 'noon', 'evening']); // Saturday
    expect(cal.slot('2026-11-28', 'workday', null)).toBeNull();
  });

  it('dates and except ranges are inclusive', () => {
    const cal = calendarOf(
      withSlot(`  - id: harvest
    name: 秋收
    start: "20:00"
    maxMinutes: 15
    dates: [{ from: "2026-09-01", to: "2026-10-31" }]
    except: [{ from: "2026-10-01", to: "2026-10-07" }]
`),
    );
    const has = (d: string) => cal.slot(d, 'harvest', null) !== null;
    expect(has('2026-08-31')).toBe(false);
    expect(has('2026-09-01')).toBe(true);
    expect(has('2026-09-30')).toBe(true);
    expect(has('2026-10-01')).toBe(false);
    expect(has('2026-10-07')).toBe(false);
    expect(has('2026-10-08')).toBe(true);
    expect(has('2026-10-31')).toBe(true);
    expect(has('2026-11-01')).toBe(false);
  });

  it('township override wins over the season, which wins over the base; enabled:false removes the slot', () => {
    const text = `${BASE}seasons:
  - id: summer
    name: 夏令
    from: "05-01"
    to: "09-30"
    slots: { noon: { start: "11:30", maxMinutes: 40 }, evening: { start: "19:00" } }
townships:
  "450323101":
    slots:
      noon: { start: "12:30" }
      evening: { enabled: false }
`;
    const cal = calendarOf(text);
    const noon = (d: string, t: string | null) => cal.slot(d, 'noon', t)!;
    // base, county
    expect(iso(noon('2026-11-23', null).startAt)).toBe('2026-11-23T04:00:00.000Z');
    // season, county: 11:30 for 40 min
    expect(iso(noon('2026-07-01', null).startAt)).toBe('2026-07-01T03:30:00.000Z');
    expect(noon('2026-07-01', null).maxMs).toBe(40 * 60_000);
    // season + township: township start, season's maxMinutes
    expect(iso(noon('2026-07-01', '450323101').startAt)).toBe('2026-07-01T04:30:00.000Z');
    expect(noon('2026-07-01', '450323101').maxMs).toBe(40 * 60_000);
    expect(noon('2026-07-01', '450323101').season).toBe('summer');
    expect(cal.slot('2026-07-01', 'evening', '450323101')).toBeNull();
    expect(cal.slotsOn('2026-07-01', '450323101').map((s) => s.slotId)).toEqual(['morning', 'noon']);
    // A township without overrides gets the county's calendar.
    expect(cal.slotsOn('2026-07-01', '450323102')).toEqual(cal.slotsOn('2026-07-01', null));
    expect(cal.slotIds()).toEqual(['morning', 'noon', 'evening']);
  });

  it('quiet hours: wrapping and plain intervals merged; season and township replace them', () => {
    const text = `timeZone: Asia/Shanghai
quietHours:
  - { from: "22:00", to: "06:00" }
  - { from: "05:00", to: "06:15" }
  - { from: "13:00", to: "14:00" }
slots:
  - { id: noon, name: 午间, start: "12:00", maxMinutes: 30 }
seasons:
  - { id: summer, name: 夏令, from: "05-01", to: "09-30", quietHours: [{ from: "23:00", to: "05:00" }] }
townships:
  "450323101":
    quietHours: [{ from: "21:00", to: "00:00" }]
`;
    const cal = calendarOf(text);
    const day = cal.toInstant('2026-11-23', '00:00');
    expect(cal.quietIntervals(day, day + 24 * H, null).map((q) => [iso(q.from), iso(q.until)])).toEqual([
      ['2026-11-22T14:00:00.000Z', '2026-11-22T22:15:00.000Z'], // 22:00 → 06:15 merged with 05:00–06:15
      ['2026-11-23T05:00:00.000Z', '2026-11-23T06:00:00.000Z'],
      ['2026-11-23T14:00:00.000Z', '2026-11-23T22:15:00.000Z'],
    ]);
    const summer = cal.toInstant('2026-07-01', '00:00');
    expect(cal.quietIntervals(summer, summer + 24 * H, null).map((q) => [iso(q.from), iso(q.until)])).toEqual(
      [
        ['2026-06-30T15:00:00.000Z', '2026-06-30T21:00:00.000Z'],
        ['2026-07-01T15:00:00.000Z', '2026-07-01T21:00:00.000Z'],
      ],
    );
    // The township's interval (to midnight) replaces the season's; consecutive days stay separate.
    expect(
      cal.quietIntervals(summer, summer + 48 * H, '450323101').map((q) => [iso(q.from), iso(q.until)]),
    ).toEqual([
      ['2026-07-01T13:00:00.000Z', '2026-07-01T16:00:00.000Z'],
      ['2026-07-02T13:00:00.000Z', '2026-07-02T16:00:00.000Z'],
    ]);
  });

  it('the season of the day an overnight interval starts decides it', () => {
    const text = `timeZone: Asia/Shanghai
quietHours:
  - { from: "22:00", to: "06:00" }
slots:
  - { id: noon, name: 午间, start: "12:00", maxMinutes: 30 }
seasons:
  - { id: summer, name: 夏令, from: "05-01", to: "09-30", quietHours: [{ from: "23:00", to: "05:00" }] }
`;
    const cal = calendarOf(text);
    // 09-30 23:00 (summer) → 10-01 05:00, then 10-01 22:00 (base) → 10-02 06:00
    const at = cal.toInstant('2026-10-01', '00:00');
    expect(cal.quietIntervals(at, at + 24 * H, null).map((q) => [iso(q.from), iso(q.until)])).toEqual([
      ['2026-09-30T15:00:00.000Z', '2026-09-30T21:00:00.000Z'],
      ['2026-10-01T14:00:00.000Z', '2026-10-01T22:00:00.000Z'],
    ]);
  });

  it('returns nothing for an empty span or no quiet hours', () => {
    const cal = calendarOf(BASE.replace('quietHours:\n  - { from: "22:00", to: "06:00" }', 'quietHours: []'));
    const at = cal.toInstant('2026-11-23', '00:00');
    expect(cal.quietIntervals(at, at + 24 * H, null)).toEqual([]);
    expect(calendarOf(BASE).quietIntervals(at, at, null)).toEqual([]);
  });

  it('merges touching intervals', () => {
    expect(
      mergeIntervals([
        { from: 5, until: 8 },
        { from: 0, until: 5 },
        { from: 9, until: 10 },
      ]),
    ).toEqual([
      { from: 0, until: 8 },
      { from: 9, until: 10 },
    ]);
  });

  it('a schedule written for a zone with DST follows the zone offset of each date', () => {
    const cal = calendarOf(BASE.replace('Asia/Shanghai', 'America/New_York'));
    expect(iso(cal.slot('2026-07-01', 'morning', null)!.startAt)).toBe('2026-07-01T10:30:00.000Z');
    expect(iso(cal.slot('2026-12-01', 'morning', null)!.startAt)).toBe('2026-12-01T11:30:00.000Z');
    // The night in which clocks go back (10-31 22:00 → 11-01 06:00) lasts 9 hours, the spring one 7.
    const at = cal.toInstant('2026-10-31', '12:00');
    const [q] = cal.quietIntervals(at, at + 24 * H, null);
    expect(q!.until - q!.from).toBe(9 * H);
    const spring = cal.toInstant('2026-03-07', '12:00');
    const [p] = cal.quietIntervals(spring, spring + 24 * H, null);
    expect(p!.until - p!.from).toBe(7 * H);
  });

  it('does not depend on the host zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = tz;
        const cal = shipped();
        expect(iso(cal.slot('2026-11-23', 'morning', null)!.startAt), tz).toBe('2026-11-22T23:00:00.000Z');
        expect(cal.localDate(Date.parse('2026-11-22T16:00:00Z')), tz).toBe('2026-11-23');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
