import { t } from '../i18n/index.ts';

/** Local dates (YYYY-MM-DD) in the county's zone, whatever the PC's zone. */
const ZONE = 'Asia/Shanghai';
const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

export const localDate = (ms: number = Date.now()): string => ymd.format(new Date(ms));

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function weekdayOf(date: string): string {
  return t.dates.weekdays[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

/** "11月25日 周三" */
export function dayLabel(date: string): string {
  const [, m, d] = date.split('-');
  return t.dates.day(Number(m), Number(d), weekdayOf(date));
}

/** The instant of local midnight of a date (Asia/Shanghai has no DST: UTC+8). */
export const dayStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`);
