/**
 * The contract between the schedule file (schedules/*.yaml, validated at load) and the rest of the centre:
 * programme validation and target compilation ask a ScheduleCalendar, never the file.
 */

/** One slot on one local date, with the township's overrides and the season already applied. */
export interface SlotInstance {
  /** The slot's id in the file, e.g. 'morning'. */
  slotId: string;
  /** Display name, e.g. '早间'. */
  name: string;
  /** Local date (the schedule's zone), YYYY-MM-DD. */
  date: string;
  /** `${date}/${slotId}`: names this slot instance everywhere (targets, reports). */
  key: string;
  /** Epoch ms of the slot's start. */
  startAt: number;
  /** Longest a programme in this slot may run. */
  maxMs: number;
  /** startAt + maxMs: the programme must have ended by then. */
  endAt: number;
  /** Season id in force on that date, or null for the base times. */
  season: string | null;
}

/** A span, in epoch ms, in which no non-emergency audio may sound. */
export interface Interval {
  from: number;
  until: number;
}

export interface ScheduleCalendar {
  /** IANA zone the file is written in, e.g. 'Asia/Shanghai'. */
  readonly timeZone: string;
  /** Slots on a local date for a township (its overrides applied), or the county's own when null; by start. */
  slotsOn(date: string, townshipCode: string | null): SlotInstance[];
  slot(date: string, slotId: string, townshipCode: string | null): SlotInstance | null;
  /** Every slot id the file defines (enabled somewhere), in file order. */
  slotIds(): string[];
  /** Quiet intervals overlapping [from, until) for a township (or the county when null), merged and sorted. */
  quietIntervals(from: number, until: number, townshipCode: string | null): Interval[];
  /** Local date (YYYY-MM-DD) of an instant in the schedule's zone. */
  localDate(at: number): string;
  /** Epoch ms of a local date and time of day ('HH:MM' or 'HH:MM:SS') in the schedule's zone. */
  toInstant(date: string, time: string): number;
}

/** One precise problem with a schedule file. */
export interface ScheduleProblem {
  file: string;
  /** Dotted path of the field, e.g. 'slots[1].start' or 'townships.450323101.slots.noon.maxMinutes'. */
  field: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** In Chinese, saying what is wrong and what is allowed. */
  message: string;
}
