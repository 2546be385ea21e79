import { z } from 'zod';
import {
  isKnownTimeZone,
  isLocalDate,
  isMonthDay,
  parseTimeOfDay,
  WEEKDAYS,
  type Weekday,
} from './local-time.ts';
import { checkScheduleRules } from './schedule-rules.ts';

/**
 * The schedule file's schema: the one place the human-edited YAML is validated, and the source of its type.
 * Field checks live here with Chinese messages naming the value and what is allowed; rules that relate fields
 * to each other (unique ids, overlaps, quiet hours) are in schedule-rules.ts and run once the fields are sound.
 */

export const SLOT_ID_RE = /^[a-z][a-z0-9-]{0,15}$/;
export const TOWNSHIP_CODE_RE = /^\d{9}$/;
export const MAX_SLOTS = 8;
export const MAX_SLOT_MINUTES = 180;
export const DAY_KEYWORDS = ['daily', 'weekdays', 'weekends'] as const;

export type DayKeyword = (typeof DAY_KEYWORDS)[number];
export type DaySpec = DayKeyword | Weekday[];

/** A value as shown in a message: strings quoted, collections named. */
export function describeValue(v: unknown): string {
  if (v === undefined) return '（缺失）';
  if (v === null) return '空值';
  if (Array.isArray(v)) return `列表 ${JSON.stringify(v)}`;
  if (typeof v === 'object') return '映射';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** Error for a missing or wrongly typed field. */
function typed(expected: string) {
  return {
    error: (iss: { input?: unknown }) =>
      iss.input === undefined
        ? `缺少必填字段，应为${expected}`
        : `应为${expected}，实际为 ${describeValue(iss.input)}`,
  };
}

const TimeOfDay = z.string(typed('时间字符串 HH:MM 或 HH:MM:SS')).refine((s) => parseTimeOfDay(s) !== null, {
  error: (iss) =>
    `${describeValue(iss.input)} 不是有效的时间，应为 HH:MM 或 HH:MM:SS（00:00 至 23:59:59，需补零，如 "06:30"）`,
});

const LocalDate = z.string(typed('日期字符串 YYYY-MM-DD')).refine(isLocalDate, {
  error: (iss) => `${describeValue(iss.input)} 不是有效的日期，应为存在的日期 YYYY-MM-DD，如 "2026-10-01"`,
});

const MonthDay = z.string(typed('月-日字符串 MM-DD')).refine(isMonthDay, {
  error: (iss) => `${describeValue(iss.input)} 不是有效的月-日，应为 MM-DD，如 "05-01"`,
});

/** Whole minutes normally; quarter minutes allowed (0.25 = 15 s) for short announcement slots. */
const MaxMinutes = (() => {
  const msg = {
    error: (iss: { input?: unknown }) =>
      `${describeValue(iss.input)} 不是有效的最长时长（分钟），应为 0.25 到 ${MAX_SLOT_MINUTES} 之间、0.25 的整数倍`,
  };
  return z
    .number(typed(`最长时长（分钟，0.25 到 ${MAX_SLOT_MINUTES}）`))
    .min(0.25, msg)
    .max(MAX_SLOT_MINUTES, msg)
    .refine((n) => Number.isInteger(n * 4), msg);
})();

const Id = z.string(typed('id 字符串')).regex(SLOT_ID_RE, {
  error: (iss) =>
    `${describeValue(iss.input)} 不是有效的 id，应以小写字母开头、只含小写字母、数字和连字符，最长 16 个字符，如 morning`,
});

const Name = z.string(typed('名称字符串')).refine((s) => s.trim() !== '' && [...s].length <= 20, {
  error: (iss) =>
    `名称 ${describeValue(iss.input)} 长度为 ${[...String(iss.input)].length} 个字符，应为 1 到 20 个字符（不能全为空白）`,
});

const DateRange = z.strictObject({ from: LocalDate, to: LocalDate }).superRefine((r, ctx) => {
  if (r.to < r.from) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      input: r.to,
      message: `结束日期 "${r.to}" 早于开始日期 "${r.from}"，应不早于开始日期（范围含首尾两天）`,
    });
  }
});

const DateRanges = z.array(DateRange, typed('日期范围列表，如 [{ from: "2026-01-01", to: "2026-12-31" }]'));

const QuietInterval = z.strictObject({ from: TimeOfDay, to: TimeOfDay }).superRefine((q, ctx) => {
  if (parseTimeOfDay(q.from) !== null && parseTimeOfDay(q.from) === parseTimeOfDay(q.to)) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      input: q.to,
      message: `静默时段的开始与结束相同（"${q.from}"），应为不同的时间；跨午夜写作 { from: "22:00", to: "06:00" }`,
    });
  }
});

const QuietHours = z.array(
  QuietInterval,
  typed('静默时段列表（可为空列表 []），如 [{ from: "22:00", to: "06:00" }]'),
);

const DAYS_ALLOWED = `daily、weekdays、weekends，或星期列表（${WEEKDAYS.join('、')} 的组合，如 [mon, wed, fri]）`;

const Days = z.custom<DaySpec>().superRefine((v, ctx) => {
  if (typeof v === 'string' && (DAY_KEYWORDS as readonly string[]).includes(v)) return;
  if (!Array.isArray(v)) {
    ctx.addIssue({
      code: 'custom',
      input: v,
      message: `${describeValue(v)} 不是有效的日期规则，应为 ${DAYS_ALLOWED}`,
    });
    return;
  }
  if (v.length === 0) {
    ctx.addIssue({ code: 'custom', input: v, message: `星期列表不能为空，应为 ${DAYS_ALLOWED}` });
  }
  const seen = new Set<unknown>();
  v.forEach((d: unknown, i) => {
    if (typeof d !== 'string' || !(WEEKDAYS as readonly string[]).includes(d)) {
      ctx.addIssue({
        code: 'custom',
        path: [i],
        input: d,
        message: `${describeValue(d)} 不是有效的星期，应为 ${WEEKDAYS.join('、')} 之一`,
      });
    } else if (seen.has(d)) {
      ctx.addIssue({
        code: 'custom',
        path: [i],
        input: d,
        message: `星期 "${d}" 重复出现，每个星期只能写一次`,
      });
    }
    seen.add(d);
  });
});

export const SlotSchema = z.strictObject({
  id: Id,
  name: Name,
  start: TimeOfDay,
  maxMinutes: MaxMinutes,
  days: Days.optional().default('daily'),
  dates: DateRanges.optional(),
  except: DateRanges.optional(),
});

const SeasonSlotOverride = z.strictObject(
  { start: TimeOfDay.optional(), maxMinutes: MaxMinutes.optional() },
  typed('时段覆盖（可含 start、maxMinutes 的映射）'),
);

export const SeasonSchema = z.strictObject({
  id: Id,
  name: Name,
  from: MonthDay,
  to: MonthDay,
  slots: z.record(z.string(), SeasonSlotOverride, typed('按时段 id 的映射')).optional().default({}),
  quietHours: QuietHours.optional(),
});

const TownshipSlotOverride = z.strictObject(
  {
    start: TimeOfDay.optional(),
    maxMinutes: MaxMinutes.optional(),
    enabled: z.boolean(typed('布尔值 true 或 false')).optional(),
  },
  typed('时段覆盖（可含 start、maxMinutes、enabled 的映射）'),
);

const TownshipCode = z.string().regex(TOWNSHIP_CODE_RE, {
  error: (iss) =>
    `${describeValue(iss.input)} 不是有效的乡镇代码，应为 9 位数字的乡镇区划代码，如 "450323101"`,
});

export const TownshipSchema = z.strictObject(
  {
    slots: z.record(z.string(), TownshipSlotOverride, typed('按时段 id 的映射')).optional().default({}),
    quietHours: QuietHours.optional(),
  },
  typed('乡镇覆盖（可含 slots、quietHours 的映射）'),
);

const TimeZone = z.string(typed('IANA 时区名称，如 Asia/Shanghai')).refine(isKnownTimeZone, {
  error: (iss) => `${describeValue(iss.input)} 不是已知的时区，应为 IANA 时区名称，如 Asia/Shanghai`,
});

/** Structure and field formats, without the cross-field rules. */
export const ScheduleShape = z.strictObject(
  {
    timeZone: TimeZone,
    quietHours: QuietHours,
    slots: z
      .array(SlotSchema, typed('时段列表'))
      .min(1, { error: '至少需要定义 1 个时段' })
      .max(MAX_SLOTS, {
        error: (iss) => `最多 ${MAX_SLOTS} 个时段，实际 ${(iss.input as unknown[]).length} 个`,
      }),
    seasons: z.array(SeasonSchema, typed('季节列表')).optional().default([]),
    townships: z.record(TownshipCode, TownshipSchema, typed('按乡镇代码的映射')).optional().default({}),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `文件为空或顶层不是映射，应为含 timeZone、quietHours、slots 的映射，实际为 ${describeValue(iss.input)}`
        : undefined,
  },
);

export type ScheduleDoc = z.output<typeof ScheduleShape>;
export type SlotDef = ScheduleDoc['slots'][number];
export type SeasonDef = ScheduleDoc['seasons'][number];
export type TownshipDef = ScheduleDoc['townships'][string];
export type QuietDef = ScheduleDoc['quietHours'][number];
export type DateRangeDef = NonNullable<SlotDef['dates']>[number];

/** The whole file: fields, then (only when every field is sound) the rules between them. */
export const ScheduleSchema = ScheduleShape.superRefine(
  (doc, ctx) => checkScheduleRules(doc, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  { when: (payload) => payload.issues.length === 0 },
);
