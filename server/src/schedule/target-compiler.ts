import { MAX_TARGET_ENTRIES, type QuietInterval, type TargetEntry } from '@dlb/protocol';
import type { ScheduleCalendar } from './schedule-types.ts';
import { type DayPlan, dayEntries, type TimelineOptions } from './timeline.ts';

const DAY_MS = 86_400_000;

/** What every terminal of one township is to play in a window; the per-terminal parts are added later. */
export interface CompiledSchedule {
  entries: TargetEntry[];
  quiet: QuietInterval[];
  windowFrom: number;
  /** The window's end, brought forward if the entry cap was reached. */
  windowUntil: number;
}

/** Local dates whose slots can reach into [from, until): the day before `from` through the day of `until`. */
export function datesCovering(calendar: ScheduleCalendar, from: number, until: number): string[] {
  const dates = new Set<string>();
  for (let t = from - DAY_MS; t < until + DAY_MS; t += DAY_MS / 2) dates.add(calendar.localDate(t));
  return [...dates].sort();
}

/**
 * Pure: the entries a township's terminals play in [from, until) and its quiet hours. An entry is kept
 * while it can still start (latestStartAt ≥ from), so one armed on a terminal is never dropped from under it.
 */
export function compileSchedule(
  calendar: ScheduleCalendar,
  days: ReadonlyMap<string, DayPlan>,
  countyCode: string,
  township: string | null,
  window: { from: number; until: number },
  opts: TimelineOptions,
): CompiledSchedule {
  const all: TargetEntry[] = [];
  for (const day of days.values()) all.push(...dayEntries(calendar, day, countyCode, township, opts));
  let entries = all
    .filter((e) => e.latestStartAt >= window.from && e.startAt < window.until)
    .sort((a, b) => a.startAt - b.startAt || a.id.localeCompare(b.id));
  let windowUntil = window.until;
  if (entries.length > MAX_TARGET_ENTRIES) {
    windowUntil = entries[MAX_TARGET_ENTRIES]!.startAt;
    entries = entries.filter((e) => e.startAt < windowUntil);
  }
  const quiet = calendar
    .quietIntervals(window.from, window.until, township)
    .map((q) => ({ from: q.from, until: q.until }));
  return { entries, quiet, windowFrom: window.from, windowUntil };
}
