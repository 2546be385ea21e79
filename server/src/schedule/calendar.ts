import { addDays, localDateIn, localToInstant, parseTimeOfDay } from './local-time.ts';
import {
  type EffectiveQuietInterval,
  type EffectiveSlot,
  effectiveQuiet,
  effectiveSlots,
  type ResolveContext,
  seasonOn,
  slotRunsOn,
  townshipRef,
} from './schedule-resolve.ts';
import type { ScheduleDoc } from './schedule-schema.ts';
import type { Interval, ScheduleCalendar, SlotInstance } from './schedule-types.ts';

/**
 * The calendar a validated schedule file describes: concrete slot instances and quiet intervals per local
 * date and township. Pure: it depends only on the document (and Intl's zone data), never on the host's zone.
 */
export function buildCalendar(doc: ScheduleDoc): ScheduleCalendar {
  const zone = doc.timeZone;
  // (season index or -1) × township code: resolved once, the document never changes under a calendar.
  const slotCache = new Map<string, EffectiveSlot[]>();
  const quietCache = new Map<string, EffectiveQuietInterval[]>();

  const contextFor = (date: string, townshipCode: string | null): { ctx: ResolveContext; key: string } => {
    const season = seasonOn(doc, date);
    const township = townshipRef(doc, townshipCode);
    return { ctx: { season, township }, key: `${season?.index ?? -1}|${township?.code ?? ''}` };
  };

  const slotsFor = (date: string, townshipCode: string | null): EffectiveSlot[] => {
    const { ctx, key } = contextFor(date, townshipCode);
    let slots = slotCache.get(key);
    if (!slots) {
      slots = effectiveSlots(doc, ctx);
      slotCache.set(key, slots);
    }
    return slots;
  };

  const quietFor = (date: string, townshipCode: string | null): EffectiveQuietInterval[] => {
    const { ctx, key } = contextFor(date, townshipCode);
    let quiet = quietCache.get(key);
    if (!quiet) {
      quiet = effectiveQuiet(doc, ctx);
      quietCache.set(key, quiet);
    }
    return quiet;
  };

  const instance = (date: string, s: EffectiveSlot): SlotInstance => {
    const startAt = localToInstant(zone, date, s.startSec);
    const maxMs = s.maxMinutes * 60_000;
    return {
      slotId: s.def.id,
      name: s.def.name,
      date,
      key: `${date}/${s.def.id}`,
      startAt,
      maxMs,
      endAt: startAt + maxMs,
      season: seasonOn(doc, date)?.def.id ?? null,
    };
  };

  const calendar: ScheduleCalendar = {
    timeZone: zone,

    slotsOn(date, townshipCode) {
      return slotsFor(date, townshipCode)
        .filter((s) => s.enabled && slotRunsOn(s.def, date))
        .map((s) => instance(date, s))
        .sort((a, b) => a.startAt - b.startAt);
    },

    slot(date, slotId, townshipCode) {
      const s = slotsFor(date, townshipCode).find((x) => x.def.id === slotId);
      return s?.enabled && slotRunsOn(s.def, date) ? instance(date, s) : null;
    },

    slotIds() {
      return doc.slots.map((s) => s.id);
    },

    quietIntervals(from, until, townshipCode) {
      if (!(until > from)) return [];
      const all: Interval[] = [];
      // A 22:00–06:00 interval belongs to the day it starts: begin the day before `from`. The day after
      // `until` is merged in too, so a quiet stretch is returned whole where the next day's interval extends it.
      const last = addDays(localDateIn(zone, until), 1);
      for (let date = addDays(localDateIn(zone, from), -1); date <= last; date = addDays(date, 1)) {
        for (const q of quietFor(date, townshipCode)) {
          const start = localToInstant(zone, date, q.fromSec);
          const end = localToInstant(zone, q.wraps ? addDays(date, 1) : date, q.toSec);
          all.push({ from: start, until: end });
        }
      }
      return mergeIntervals(all).filter((i) => i.from < until && i.until > from);
    },

    localDate(at) {
      return localDateIn(zone, at);
    },

    toInstant(date, time) {
      const seconds = parseTimeOfDay(time);
      if (seconds === null) throw new RangeError(`不是有效的时间（应为 HH:MM 或 HH:MM:SS）：${time}`);
      return localToInstant(zone, date, seconds);
    },
  };
  return calendar;
}

/** Sorted, with overlapping or touching intervals joined. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from || a.until - b.until);
  const out: Interval[] = [];
  for (const i of sorted) {
    const prev = out[out.length - 1];
    if (prev && i.from <= prev.until) prev.until = Math.max(prev.until, i.until);
    else out.push({ ...i });
  }
  return out;
}
