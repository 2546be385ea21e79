/**
 * Local dates, times of day and IANA zones, without the host's zone: every conversion names its zone and asks
 * Intl for the zone's offset at the instant in question (China has no DST today, but the code does not rely on it).
 */

export const DAY_MS = 86_400_000;
export const DAY_SECONDS = 86_400;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY_RE = /^(\d{2})-(\d{2})$/;
/** Days per month in a leap year: MM-DD values are checked against these (02-29 is allowed). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Seconds since local midnight of 'HH:MM' or 'HH:MM:SS' (00:00..23:59:59), or null when it is not one. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/** 'HH:MM', or 'HH:MM:SS' when there are seconds; 86400 is written '24:00' (the end of the day). */
export function formatTimeOfDay(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hm = `${pad2(h)}:${pad2(m)}`;
  return s === 0 ? hm : `${hm}:${pad2(s)}`;
}

/** Whether text is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** Whether text is a month and day 'MM-DD' that exists in some year (02-29 included). */
export function isMonthDay(text: string): boolean {
  const m = MONTH_DAY_RE.exec(text);
  if (!m) return false;
  const [mo, d] = [Number(m[1]), Number(m[2])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= (MONTH_DAYS[mo - 1] ?? 0);
}

/** Whether 'MM-DD' md lies in [from, to] inclusive; a range with from > to wraps the year end. */
export function monthDayInRange(md: string, from: string, to: string): boolean {
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

/** Every 'MM-DD' of a leap year, in order (used to compare month-day ranges). */
export function allMonthDays(): string[] {
  const out: string[] = [];
  MONTH_DAYS.forEach((n, i) => {
    for (let d = 1; d <= n; d++) out.push(`${pad2(i + 1)}-${pad2(d)}`);
  });
  return out;
}

function dateParts(date: string): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`不是有效的日期（应为 YYYY-MM-DD）：${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function formatUtcDate(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** The local date n days after (or before, n < 0) a YYYY-MM-DD date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = dateParts(date);
  return formatUtcDate(Date.UTC(y, m - 1, d + n));
}

/** Day of the week of a YYYY-MM-DD date. */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = dateParts(date);
  // getUTCDay: 0 = Sunday.
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7]!;
}

/** Whether Intl knows the IANA zone (e.g. 'Asia/Shanghai'). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(
  zone: string,
  at: number,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const fields: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(at)) {
    if (p.type !== 'literal') fields[p.type] = Number(p.value);
  }
  return {
    y: fields.year ?? 0,
    mo: fields.month ?? 1,
    d: fields.day ?? 1,
    h: (fields.hour ?? 0) % 24,
    mi: fields.minute ?? 0,
    s: fields.second ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(zone: string, at: number): number {
  const w = wallClock(zone, at);
  const wallAsUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return wallAsUtc - Math.floor(at / 1000) * 1000;
}

/** Local date (YYYY-MM-DD) of an instant in a zone. */
export function localDateIn(zone: string, at: number): string {
  return formatUtcDate(at + zoneOffsetMs(zone, at));
}

/**
 * Epoch ms of a local date plus seconds since local midnight in a zone. A wall time that occurs twice (clocks
 * going back) gives the earlier instant; one skipped by clocks going forward is moved forward by the gap.
 * `seconds` may be 86400 (the next midnight).
 */
export function localToInstant(zone: string, date: string, seconds: number): number {
  const [y, m, d] = dateParts(date);
  const wallAsUtc = Date.UTC(y, m - 1, d) + seconds * 1000;
  const before = zoneOffsetMs(zone, wallAsUtc - DAY_MS);
  const after = zoneOffsetMs(zone, wallAsUtc + DAY_MS);
  const valid = [wallAsUtc - before, wallAsUtc - after].filter(
    (t) => zoneOffsetMs(zone, t) === wallAsUtc - t,
  );
  if (valid.length > 0) return Math.min(...valid);
  return wallAsUtc - before;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
