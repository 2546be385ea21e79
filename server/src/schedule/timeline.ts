import { Priority, type TargetEntry } from '@dlb/protocol';
import { weekdayOf } from './local-time.ts';
import type { ScheduleCalendar, SlotInstance } from './schedule-types.ts';

/** Audio as the timeline needs it. */
export interface TimelineMedia {
  sha256: string;
  bytes: number;
  durationMs: number;
  mime: string;
}

export interface ProgrammeItemData {
  id: string;
  media: TimelineMedia;
  title: string | null;
  volume: number | null;
  /** The content item it plays, and that item's review state (only approved/released items sound). */
  contentId?: string | null;
  contentState?: string | null;
}

export interface ProgrammeData {
  id: string;
  date: string;
  /** Slot programme; null for a one-off at `startTime`. */
  slotId: string | null;
  startTime: string | null;
  scopeCode: string;
  scopeLevel: 'county' | 'township';
  title: string;
  items: ProgrammeItemData[];
}

export interface RecurringData {
  id: string;
  slotId: string;
  scopeCode: string;
  scopeLevel: 'county' | 'township';
  media: TimelineMedia;
  title: string | null;
  /** 'daily' | 'weekdays' | 'weekends' | 'mon,wed,...' */
  days: string;
  fromDate: string;
  untilDate: string | null;
  placement: 'first' | 'last';
  contentId?: string | null;
  contentState?: string | null;
}

export interface TimelineOptions {
  /** Silence between consecutive items. */
  gapMs: number;
  /** How late an entry may still start; later, neighbours have already played it. */
  lateToleranceMs: number;
  /** URL path a terminal downloads the audio from. */
  mediaPath: (sha256: string) => string;
}

/** One thing to play, before it is given a time. */
interface Slice {
  entryId: string;
  programmeId: string;
  title: string | null;
  priority: number;
  media: TimelineMedia;
  volume: number | null;
}

export function daysRuleMatches(rule: string, date: string): boolean {
  const day = weekdayOf(date);
  if (rule === 'daily') return true;
  if (rule === 'weekdays') return day !== 'sat' && day !== 'sun';
  if (rule === 'weekends') return day === 'sat' || day === 'sun';
  return rule.split(',').includes(day);
}

export function recurringApplies(r: RecurringData, date: string): boolean {
  return date >= r.fromDate && (r.untilDate === null || date <= r.untilDate) && daysRuleMatches(r.days, date);
}

const priorityOf = (level: 'county' | 'township') =>
  level === 'county' ? Priority.countyProgramme : Priority.townshipProgramme;

const compactDate = (date: string) => date.replaceAll('-', '');

function programmeSlices(p: ProgrammeData): Slice[] {
  return p.items.map((item) => ({
    entryId: item.id,
    programmeId: p.id,
    title: item.title ?? p.title,
    priority: priorityOf(p.scopeLevel),
    media: item.media,
    volume: item.volume,
  }));
}

function recurringSlice(r: RecurringData, date: string): Slice {
  return {
    entryId: `${r.id}@${compactDate(date)}`,
    programmeId: `rec-${r.id}`,
    title: r.title,
    priority: priorityOf(r.scopeLevel),
    media: r.media,
    volume: null,
  };
}

/** What one scope plays in one slot instance: its recurring-first items, its programme, its recurring-last. */
export function scopeSlices(
  programme: ProgrammeData | undefined,
  recurring: readonly RecurringData[],
  date: string,
): Slice[] {
  const applies = recurring.filter((r) => recurringApplies(r, date));
  return [
    ...applies.filter((r) => r.placement === 'first').map((r) => recurringSlice(r, date)),
    ...(programme ? programmeSlices(programme) : []),
    ...applies.filter((r) => r.placement === 'last').map((r) => recurringSlice(r, date)),
  ];
}

/** Running time of items played one after another with `gapMs` between them. */
export function runningTimeMs(durations: readonly number[], gapMs: number): number {
  if (durations.length === 0) return 0;
  return durations.reduce((a, b) => a + b, 0) + gapMs * (durations.length - 1);
}

/** Lays slices end to end from `startAt`; each entry gets its absolute start and latest start. */
export function layOut(
  slices: readonly Slice[],
  startAt: number,
  slotKey: string,
  opts: TimelineOptions,
  /** When the slot closes: an entry held back by an emergency may still start until then. */
  slotEndsAt?: number,
): TargetEntry[] {
  const entries: TargetEntry[] = [];
  let at = startAt;
  for (const s of slices) {
    entries.push({
      id: s.entryId,
      programmeId: s.programmeId,
      slotKey,
      ...(s.title ? { title: s.title.slice(0, 200) } : {}),
      priority: s.priority,
      startAt: at,
      latestStartAt: at + opts.lateToleranceMs,
      media: {
        sha256: s.media.sha256,
        path: opts.mediaPath(s.media.sha256),
        bytes: s.media.bytes,
        durationMs: s.media.durationMs,
        mime: s.media.mime,
      },
      ...(s.volume !== null ? { volume: s.volume } : {}),
      ...(slotEndsAt !== undefined ? { slotEndsAt } : {}),
    });
    at += s.media.durationMs + opts.gapMs;
  }
  return entries;
}

/** Programmes and recurring items of one date, grouped for lookup. */
export interface DayPlan {
  date: string;
  /** By `${slotId}|${scopeCode}`. */
  slotProgrammes: Map<string, ProgrammeData>;
  oneOffs: ProgrammeData[];
  recurring: RecurringData[];
}

export const slotProgrammeKey = (slotId: string, scopeCode: string) => `${slotId}|${scopeCode}`;

/**
 * The slot sequence a township's terminals play: the county's part first, then the township's own.
 * `township` null gives the county's part alone (terminals directly under the county).
 */
export function slotSlices(slot: SlotInstance, day: DayPlan, countyCode: string, township: string | null) {
  const recurringOf = (scope: string) =>
    day.recurring.filter((r) => r.slotId === slot.slotId && r.scopeCode === scope);
  const county = scopeSlices(
    day.slotProgrammes.get(slotProgrammeKey(slot.slotId, countyCode)),
    recurringOf(countyCode),
    day.date,
  );
  const own = township
    ? scopeSlices(
        day.slotProgrammes.get(slotProgrammeKey(slot.slotId, township)),
        recurringOf(township),
        day.date,
      )
    : [];
  return [...county, ...own];
}

/** Every entry a township's terminals play on one local date, slots and one-offs, by start time. */
export function dayEntries(
  calendar: ScheduleCalendar,
  day: DayPlan,
  countyCode: string,
  township: string | null,
  opts: TimelineOptions,
): TargetEntry[] {
  const out: TargetEntry[] = [];
  for (const slot of calendar.slotsOn(day.date, township)) {
    out.push(
      ...layOut(slotSlices(slot, day, countyCode, township), slot.startAt, slot.key, opts, slot.endAt),
    );
  }
  for (const p of day.oneOffs) {
    if (p.scopeCode !== countyCode && p.scopeCode !== township) continue;
    const startAt = calendar.toInstant(p.date, p.startTime!);
    out.push(...layOut(programmeSlices(p), startAt, `${p.date}/${p.id}`, opts));
  }
  return out.sort((a, b) => a.startAt - b.startAt);
}
