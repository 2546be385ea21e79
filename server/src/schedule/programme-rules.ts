import { unprocessable } from '../errors.ts';
import type { ScheduleCalendar } from './schedule-types.ts';
import {
  type DayPlan,
  type ProgrammeData,
  runningTimeMs,
  scopeSlices,
  slotProgrammeKey,
} from './timeline.ts';

/** "2分05秒", for operators. */
export function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}分${String(s % 60).padStart(2, '0')}秒` : `${s}秒`;
}

/** Wall-clock time of an instant in a zone, HH:MM:SS. */
export function formatClock(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

export interface FitContext {
  calendar: ScheduleCalendar;
  /** Everything else already planned on the programme's date (the programme's old version left out). */
  day: DayPlan;
  countyCode: string;
  /** Every township, for names in messages and for the county's per-township checks. */
  townships: ReadonlyArray<{ code: string; name: string }>;
  gapMs: number;
  now: number;
}

/** Where a programme would sound, for one audience (the county's own terminals or one township's). */
interface Placement {
  who: string;
  /** Township code, or null for the county's own terminals. */
  scope: string | null;
  startAt: number;
  durationMs: number;
  limitMs: number | null;
  slotName: string | null;
}

const durationsOf = (slices: ReturnType<typeof scopeSlices>) => slices.map((s) => s.media.durationMs);

function slotPlacements(p: ProgrammeData, ctx: FitContext): Placement[] {
  const { calendar, day, countyCode } = ctx;
  const slotId = p.slotId!;
  const withThis: DayPlan = {
    ...day,
    slotProgrammes: new Map(day.slotProgrammes).set(slotProgrammeKey(slotId, p.scopeCode), p),
  };
  const recurringOf = (scope: string) =>
    withThis.recurring.filter((r) => r.slotId === slotId && r.scopeCode === scope);
  const slicesOf = (scope: string) =>
    scopeSlices(withThis.slotProgrammes.get(slotProgrammeKey(slotId, scope)), recurringOf(scope), p.date);
  const county = durationsOf(slicesOf(countyCode));
  const audiences =
    p.scopeLevel === 'county'
      ? [{ code: null as string | null, name: '全县' }, ...ctx.townships]
      : ctx.townships.filter((t) => t.code === p.scopeCode);
  const out: Placement[] = [];
  for (const a of audiences) {
    const slot = calendar.slot(p.date, slotId, a.code);
    if (!slot) continue;
    const own = a.code ? durationsOf(slicesOf(a.code)) : [];
    out.push({
      who: a.name,
      scope: a.code,
      startAt: slot.startAt,
      durationMs: runningTimeMs([...county, ...own], ctx.gapMs),
      limitMs: slot.maxMs,
      slotName: slot.name,
    });
  }
  return out;
}

/**
 * Refuses a programme that cannot sound as planned: its slot does not exist that day, it has already
 * started, it overruns the slot (the county's part plus a township's own part, for every township it
 * reaches), a one-off collides with a slot, or any of it falls in quiet hours. Messages name the cause.
 */
export function checkProgrammeFits(p: ProgrammeData, ctx: FitContext): void {
  const { calendar } = ctx;
  const tz = calendar.timeZone;
  let placements: Placement[];
  if (p.slotId !== null) {
    const own = calendar.slot(p.date, p.slotId, p.scopeLevel === 'county' ? null : p.scopeCode);
    if (!own) {
      throw unprocessable('no_slot', `${p.date} 没有“${p.slotId}”时段（按当日的时段表与季节设置）`);
    }
    if (own.startAt <= ctx.now) {
      throw unprocessable(
        'slot_started',
        `${p.date} ${own.name}时段已于 ${formatClock(own.startAt, tz)} 开始，不能再修改`,
      );
    }
    placements = slotPlacements(p, ctx);
  } else {
    const startAt = calendar.toInstant(p.date, p.startTime!);
    if (startAt <= ctx.now) {
      throw unprocessable('in_past', `定时播出时间 ${p.date} ${p.startTime} 已过`);
    }
    const durationMs = runningTimeMs(
      p.items.map((i) => i.media.durationMs),
      ctx.gapMs,
    );
    const reaches =
      p.scopeLevel === 'county'
        ? [{ code: null, name: '全县' }, ...ctx.townships]
        : ctx.townships.filter((t) => t.code === p.scopeCode);
    placements = reaches.map((a) => ({
      who: a.name,
      scope: a.code,
      startAt,
      durationMs,
      limitMs: null,
      slotName: null,
    }));
    checkOneOffClear(p, startAt, durationMs, ctx);
  }
  for (const pl of placements) {
    const where = pl.who ? `（${pl.who}）` : '';
    if (pl.limitMs !== null && pl.durationMs > pl.limitMs) {
      throw unprocessable(
        'overruns_slot',
        `节目总长 ${formatDuration(pl.durationMs)}${where}超过${pl.slotName}时段上限 ${formatDuration(pl.limitMs)}，超出 ${formatDuration(pl.durationMs - pl.limitMs)}`,
        { durationMs: pl.durationMs, limitMs: pl.limitMs, who: pl.who || null },
      );
    }
    const endAt = pl.startAt + pl.durationMs;
    const quiet = calendar
      .quietIntervals(pl.startAt, endAt, pl.scope)
      .find((q) => q.from < endAt && q.until > pl.startAt);
    if (quiet) {
      throw unprocessable(
        'quiet_hours',
        `节目${where}将在 ${formatClock(pl.startAt, tz)}–${formatClock(endAt, tz)} 播出，与静默时段 ${formatClock(quiet.from, tz)}–${formatClock(quiet.until, tz)} 冲突`,
      );
    }
  }
}

/** A one-off must not sound inside a slot or another one-off heard by the same terminals. */
function checkOneOffClear(p: ProgrammeData, startAt: number, durationMs: number, ctx: FitContext): void {
  const { calendar, day, countyCode } = ctx;
  const tz = calendar.timeZone;
  const endAt = startAt + durationMs;
  const reaches = p.scopeLevel === 'county' ? [null, ...ctx.townships.map((t) => t.code)] : [p.scopeCode];
  for (const scope of reaches) {
    for (const slot of calendar.slotsOn(p.date, scope)) {
      if (slot.startAt < endAt && slot.endAt > startAt) {
        throw unprocessable(
          'collides_with_slot',
          `定时节目 ${formatClock(startAt, tz)}–${formatClock(endAt, tz)} 与${slot.name}时段 ${formatClock(slot.startAt, tz)}–${formatClock(slot.endAt, tz)} 重叠`,
        );
      }
    }
  }
  for (const other of day.oneOffs) {
    if (other.id === p.id) continue;
    const overlapsScope =
      other.scopeCode === p.scopeCode || other.scopeCode === countyCode || p.scopeCode === countyCode;
    if (!overlapsScope) continue;
    const oStart = calendar.toInstant(other.date, other.startTime!);
    const oEnd =
      oStart +
      runningTimeMs(
        other.items.map((i) => i.media.durationMs),
        ctx.gapMs,
      );
    if (oStart < endAt && oEnd > startAt) {
      throw unprocessable(
        'collides_with_programme',
        `定时节目与“${other.title}”（${formatClock(oStart, tz)}–${formatClock(oEnd, tz)}）重叠`,
      );
    }
  }
}
