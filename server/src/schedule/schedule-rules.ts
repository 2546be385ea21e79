import { allMonthDays, DAY_SECONDS, formatTimeOfDay, monthDayInRange } from './local-time.ts';
import {
  type EffectiveSlot,
  effectiveQuiet,
  effectiveSlots,
  type FieldPath,
  type Level,
  quietSegments,
  type ResolveContext,
  type SeasonRef,
  slotsMayMeet,
  type TownshipRef,
} from './schedule-resolve.ts';
import type { ScheduleDoc } from './schedule-schema.ts';

/**
 * Rules between fields of a schedule whose fields are each valid. Every breach is reported once, on the field
 * that breaks it (the most specific one: a township override before a season's before the base slot).
 */

export type ReportProblem = (path: FieldPath, message: string) => void;

/** 'slots[1].start', 'townships.450323101.slots.noon.maxMinutes'. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(根)' : out;
}

export function checkScheduleRules(doc: ScheduleDoc, report: ReportProblem): void {
  checkUniqueIds(doc.slots, 'slots', '时段', report);
  checkUniqueIds(doc.seasons, 'seasons', '季节', report);
  checkOverrideIds(doc, report);
  checkSeasonsDisjoint(doc, report);
  checkCombinations(doc, report);
}

function checkUniqueIds(items: { id: string }[], list: string, what: string, report: ReportProblem): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const k = first.get(item.id);
    if (k === undefined) first.set(item.id, i);
    else report([list, i, 'id'], `${what} id "${item.id}" 与 ${list}[${k}] 重复，每个${what}的 id 必须唯一`);
  });
}

function checkOverrideIds(doc: ScheduleDoc, report: ReportProblem): void {
  const ids = [...new Set(doc.slots.map((s) => s.id))];
  const check = (overrides: Record<string, unknown>, base: FieldPath) => {
    for (const id of Object.keys(overrides)) {
      if (!ids.includes(id)) {
        report([...base, id], `未定义的时段 id "${id}"，应为 slots 中定义的时段 id 之一：${ids.join('、')}`);
      }
    }
  };
  doc.seasons.forEach((s, i) => {
    check(s.slots, ['seasons', i, 'slots']);
  });
  for (const [code, t] of Object.entries(doc.townships)) check(t.slots, ['townships', code, 'slots']);
}

function checkSeasonsDisjoint(doc: ScheduleDoc, report: ReportProblem): void {
  const days = allMonthDays();
  doc.seasons.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = doc.seasons[i]!;
      const shared = days.find(
        (md) => monthDayInRange(md, a.from, a.to) && monthDayInRange(md, b.from, b.to),
      );
      if (shared !== undefined) {
        report(
          ['seasons', j, 'from'],
          `季节"${b.name}"（${b.from} 至 ${b.to}）与季节"${a.name}"（seasons[${i}]，${a.from} 至 ${a.to}）` +
            `在 ${shared} 等日期重叠，季节的日期范围不能重叠（from 晚于 to 表示跨年）`,
        );
        return;
      }
    }
  });
}

/** Of the fields that together break a rule, the most specific; on a tie, the first given. */
function blame(...candidates: [FieldPath, Level][]): FieldPath {
  let best = candidates[0]!;
  for (const c of candidates) if (c[1] > best[1]) best = c;
  return best[0];
}

function contextLabel(ctx: ResolveContext): string {
  const season = ctx.season ? `季节"${ctx.season.def.name}"` : '基础时间';
  const township = ctx.township ? `乡镇 ${ctx.township.code}` : '全县';
  return `${season}，${township}`;
}

function windowText(startSec: number, endSec: number): string {
  const end =
    endSec > DAY_SECONDS ? `次日 ${formatTimeOfDay(endSec - DAY_SECONDS)}` : formatTimeOfDay(endSec);
  return `${formatTimeOfDay(startSec)}–${end}`;
}

/** Base and every season, for the county and every township: no midnight crossing, no quiet hours, no overlap. */
function checkCombinations(doc: ScheduleDoc, report: ReportProblem): void {
  const seasons: (SeasonRef | null)[] = [null, ...doc.seasons.map((def, index) => ({ def, index }))];
  const townships: (TownshipRef | null)[] = [
    null,
    ...Object.entries(doc.townships).map(([code, def]) => ({ code, def })),
  ];
  const seen = new Set<string>();
  const once = (path: FieldPath, key: string, message: string) => {
    const k = `${formatFieldPath(path)}|${key}`;
    if (seen.has(k)) return;
    seen.add(k);
    report(path, message);
  };
  for (const season of seasons) {
    for (const township of townships) {
      checkOne(doc, { season, township }, once);
    }
  }
}

function checkOne(
  doc: ScheduleDoc,
  ctx: ResolveContext,
  once: (path: FieldPath, key: string, message: string) => void,
): void {
  const label = contextLabel(ctx);
  const quiet = effectiveQuiet(doc, ctx);
  const slots = effectiveSlots(doc, ctx).filter((s) => s.enabled);
  const endOf = (s: EffectiveSlot) => s.startSec + s.maxMinutes * 60;
  const inDay: EffectiveSlot[] = [];
  for (const s of slots) {
    const end = endOf(s);
    const name = `时段"${s.def.name}"（${label}）`;
    if (end > DAY_SECONDS) {
      once(
        blame([s.startField, s.startLevel], [s.maxField, s.maxLevel]),
        `midnight|${s.def.id}`,
        `${name}从 ${formatTimeOfDay(s.startSec)} 开始、最长 ${s.maxMinutes} 分钟，将在次日 ` +
          `${formatTimeOfDay(end - DAY_SECONDS)} 结束；时段不能跨越当地午夜，应在 24:00 前结束`,
      );
      continue;
    }
    inDay.push(s);
    for (const q of quiet) {
      if (quietSegments(q).some(([qs, qe]) => s.startSec < qe && end > qs)) {
        once(
          blame([s.startField, s.startLevel], [s.maxField, s.maxLevel], [q.field, q.level]),
          `quiet|${s.def.id}|${formatFieldPath(q.field)}`,
          `${name}的时间 ${windowText(s.startSec, end)} 与静默时段 ${q.text}（${formatFieldPath(q.field)}）重叠；` +
            `静默时段内不得安排时段，应调整时段的开始时间、最长时长或静默时段`,
        );
      }
    }
  }
  const byStart = [...inDay].sort((a, b) => a.startSec - b.startSec || a.index - b.index);
  byStart.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = byStart[i]!;
      if (endOf(a) <= b.startSec || !slotsMayMeet(a.def, b.def)) continue;
      once(
        blame(
          [b.startField, b.startLevel],
          [a.maxField, a.maxLevel],
          [a.startField, a.startLevel],
          [b.maxField, b.maxLevel],
        ),
        `overlap|${a.def.id}|${b.def.id}`,
        `时段"${b.def.name}"（${label}）的时间 ${windowText(b.startSec, endOf(b))} 与时段"${a.def.name}"` +
          `（slots[${a.index}]）的时间 ${windowText(a.startSec, endOf(a))} 重叠；同一天的时段不能重叠，` +
          `应使前一时段的开始时间加最长时长不晚于后一时段的开始时间`,
      );
    }
  });
}
