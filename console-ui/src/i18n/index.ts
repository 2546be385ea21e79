import { zhCN } from './zh-CN.ts';

/**
 * Every word the console shows comes from one table per language; zh-CN is the only one today. Another
 * language is a file with the same shape (`Strings`), chosen here.
 */
export type Strings = typeof zhCN;
export const t: Strings = zhCN;
export const LOCALE = 'zh-CN';

const dateTime = new Intl.DateTimeFormat(LOCALE, {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const timeOnly = new Intl.DateTimeFormat(LOCALE, {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const clock = new Intl.DateTimeFormat(LOCALE, {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Instants are shown in the county's zone (Beijing time), whatever the PC's clock zone. */
export const fmtDateTime = (ms: number | null | undefined) => (ms ? dateTime.format(new Date(ms)) : '—');
export const fmtTime = (ms: number | null | undefined) => (ms ? timeOnly.format(new Date(ms)) : '—');
export const fmtClock = (ms: number | null | undefined) => (ms ? clock.format(new Date(ms)) : '—');

/** 3 分 05 秒 style durations. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  const r = s % 60;
  return m > 0 ? t.units.minSec(m, r) : t.units.sec(r);
}

/** A time elapsed since `ms`, e.g. "3 分钟前". */
export function fmtAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return t.common.never;
  const d = Math.max(0, now - ms);
  if (d < 60_000) return t.units.secondsAgo(Math.round(d / 1000));
  if (d < 3_600_000) return t.units.minutesAgo(Math.round(d / 60_000));
  if (d < 86_400_000) return t.units.hoursAgo(Math.round(d / 3_600_000));
  return fmtDateTime(ms);
}

export const fmtBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
