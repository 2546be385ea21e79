import {
  DAY_SECONDS,
  monthDayInRange,
  parseTimeOfDay,
  WEEKDAYS,
  type Weekday,
  weekdayOf,
} from './local-time.ts';
import type {
  DateRangeDef,
  DaySpec,
  ScheduleDoc,
  SeasonDef,
  SlotDef,
  TownshipDef,
} from './schedule-schema.ts';

/**
 * The precedence rules of the schedule file, in one place, for the calendar and the validation rules alike:
 * a slot's time is the base one, then the season's in force, then the township's (the township wins); quiet
 * hours are the base ones, replaced by the season's, replaced by the township's.
 */

/** Path of a field in the file, as zod reports it. */
export type FieldPath = (string | number)[];

/** Where a value came from: 0 the base, 1 a season, 2 a township (later levels override earlier ones). */
export type Level = 0 | 1 | 2;

export interface SeasonRef {
  def: SeasonDef;
  index: number;
}

export interface TownshipRef {
  code: string;
  def: TownshipDef;
}

/** A combination the rules are checked on and the calendar resolves: base or a season × county or a township. */
export interface ResolveContext {
  season: SeasonRef | null;
  township: TownshipRef | null;
}

export interface EffectiveSlot {
  def: SlotDef;
  index: number;
  startSec: number;
  maxMinutes: number;
  enabled: boolean;
  startField: FieldPath;
  startLevel: Level;
  maxField: FieldPath;
  maxLevel: Level;
}

export interface EffectiveQuietInterval {
  fromSec: number;
  toSec: number;
  /** from > to: runs past midnight into the next day. */
  wraps: boolean;
  text: string;
  field: FieldPath;
  level: Level;
}

/** Every slot of the file in file order, with the season's and the township's overrides applied. */
export function effectiveSlots(doc: ScheduleDoc, ctx: ResolveContext): EffectiveSlot[] {
  return doc.slots.map((def, index) => {
    const out: EffectiveSlot = {
      def,
      index,
      startSec: parseTimeOfDay(def.start) ?? 0,
      maxMinutes: def.maxMinutes,
      enabled: true,
      startField: ['slots', index, 'start'],
      startLevel: 0,
      maxField: ['slots', index, 'maxMinutes'],
      maxLevel: 0,
    };
    const s = ctx.season?.def.slots[def.id];
    if (ctx.season && s) {
      const base: FieldPath = ['seasons', ctx.season.index, 'slots', def.id];
      if (s.start !== undefined) {
        out.startSec = parseTimeOfDay(s.start) ?? out.startSec;
        out.startField = [...base, 'start'];
        out.startLevel = 1;
      }
      if (s.maxMinutes !== undefined) {
        out.maxMinutes = s.maxMinutes;
        out.maxField = [...base, 'maxMinutes'];
        out.maxLevel = 1;
      }
    }
    const t = ctx.township?.def.slots[def.id];
    if (ctx.township && t) {
      const base: FieldPath = ['townships', ctx.township.code, 'slots', def.id];
      if (t.start !== undefined) {
        out.startSec = parseTimeOfDay(t.start) ?? out.startSec;
        out.startField = [...base, 'start'];
        out.startLevel = 2;
      }
      if (t.maxMinutes !== undefined) {
        out.maxMinutes = t.maxMinutes;
        out.maxField = [...base, 'maxMinutes'];
        out.maxLevel = 2;
      }
      if (t.enabled === false) out.enabled = false;
    }
    return out;
  });
}

/** The daily quiet intervals in force: the township's, else the season's, else the base ones. */
export function effectiveQuiet(doc: ScheduleDoc, ctx: ResolveContext): EffectiveQuietInterval[] {
  let list = doc.quietHours;
  let field: FieldPath = ['quietHours'];
  let level: Level = 0;
  if (ctx.season?.def.quietHours) {
    list = ctx.season.def.quietHours;
    field = ['seasons', ctx.season.index, 'quietHours'];
    level = 1;
  }
  if (ctx.township?.def.quietHours) {
    list = ctx.township.def.quietHours;
    field = ['townships', ctx.township.code, 'quietHours'];
    level = 2;
  }
  return list.map((q, i) => {
    const fromSec = parseTimeOfDay(q.from) ?? 0;
    const toSec = parseTimeOfDay(q.to) ?? 0;
    return {
      fromSec,
      toSec,
      wraps: toSec <= fromSec,
      text: `${q.from}–${q.to}`,
      field: [...field, i],
      level,
    };
  });
}

/**
 * The parts of a daily quiet interval within one day, in seconds since midnight, half-open [from, to):
 * 22:00–06:00 is [79200, 86400) and [0, 21600).
 */
export function quietSegments(q: EffectiveQuietInterval): [number, number][] {
  if (!q.wraps) return [[q.fromSec, q.toSec]];
  const out: [number, number][] = [[q.fromSec, DAY_SECONDS]];
  if (q.toSec > 0) out.push([0, q.toSec]);
  return out;
}

/** The season whose MM-DD range holds a local date, if any (seasons never overlap once validated). */
export function seasonOn(doc: ScheduleDoc, date: string): SeasonRef | null {
  const md = date.slice(5);
  const index = doc.seasons.findIndex((s) => monthDayInRange(md, s.from, s.to));
  return index === -1 ? null : { def: doc.seasons[index]!, index };
}

export function townshipRef(doc: ScheduleDoc, code: string | null): TownshipRef | null {
  if (code === null) return null;
  const def = Object.hasOwn(doc.townships, code) ? doc.townships[code] : undefined;
  return def ? { code, def } : null;
}

/** The weekdays a `days` value allows. */
export function weekdaysOf(days: DaySpec): Set<Weekday> {
  if (days === 'daily') return new Set(WEEKDAYS);
  if (days === 'weekdays') return new Set<Weekday>(['mon', 'tue', 'wed', 'thu', 'fri']);
  if (days === 'weekends') return new Set<Weekday>(['sat', 'sun']);
  return new Set(days);
}

function inRanges(date: string, ranges: DateRangeDef[]): boolean {
  return ranges.some((r) => date >= r.from && date <= r.to);
}

/** Whether a slot sounds on a local date at all: its days, its `dates` (when given) and not its `except`. */
export function slotRunsOn(def: SlotDef, date: string): boolean {
  if (!weekdaysOf(def.days).has(weekdayOf(date))) return false;
  if (def.dates && !inRanges(date, def.dates)) return false;
  if (def.except && inRanges(date, def.except)) return false;
  return true;
}

/**
 * Whether two slots can sound on the same date: they share a weekday and, when both are limited to date
 * ranges, some of those ranges meet. (Conservative: `except` and seasons are not taken into account.)
 */
export function slotsMayMeet(a: SlotDef, b: SlotDef): boolean {
  const bDays = weekdaysOf(b.days);
  if (![...weekdaysOf(a.days)].some((d) => bDays.has(d))) return false;
  if (a.dates && b.dates) {
    return a.dates.some((ra) => b.dates!.some((rb) => ra.from <= rb.to && rb.from <= ra.to));
  }
  return true;
}
