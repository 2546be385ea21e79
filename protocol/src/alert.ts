import { z } from 'zod';
import { AudienceSchema, EpochMs, MediaRefSchema, PriorityValue } from './messages.ts';

/**
 * Emergency alerts on the wire (issue 5). Levels follow the national scheme: I red, II orange, III yellow,
 * IV blue. A drill is a flag, not a level: it carries the level it rehearses, but sounds only on terminals
 * whose signed target says `drillEnabled`, and plays `drillNotice` ("this is a drill") first.
 */
export const ALERT_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_LEVEL_PRIORITY: Record<AlertLevel, number> = {
  red: 250,
  orange: 240,
  yellow: 230,
  blue: 220,
};

/** Priorities at or above this are emergencies: they ignore quiet hours and force the volume. */
export const EMERGENCY_MIN_PRIORITY = 220;

export const ALERT_LEVEL_LABEL_ZH: Record<AlertLevel, string> = {
  red: 'Ⅰ级（红色）',
  orange: 'Ⅱ级（橙色）',
  yellow: 'Ⅲ级（黄色）',
  blue: 'Ⅳ级（蓝色）',
};

export const AlertIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, '预警编号格式不正确');

/**
 * What a terminal must sound: the attention tone (held in every terminal's cache, so sound starts before any
 * download), then on a drill the drill notice, then the message `repeat` times with `intervalMs` of silence
 * between, at `volume` whatever the terminal's own volume, from `startsAt` until `expiresAt`.
 */
export const AlertBodySchema = z
  .object({
    alertId: AlertIdSchema,
    /** Raised by each update; a terminal ignores a revision not above the one it holds for this alert. */
    revision: z.number().int().min(1).max(1_000_000),
    level: z.enum(ALERT_LEVELS),
    drill: z.boolean(),
    priority: PriorityValue,
    title: z.string().max(200),
    attention: MediaRefSchema,
    drillNotice: MediaRefSchema.optional(),
    media: MediaRefSchema,
    volume: z.number().int().min(0).max(100),
    repeat: z.number().int().min(1).max(10),
    intervalMs: z.number().int().min(0).max(600_000),
    startsAt: EpochMs,
    expiresAt: EpochMs,
    audience: AudienceSchema,
  })
  .refine((a) => a.priority === ALERT_LEVEL_PRIORITY[a.level], {
    message: '预警优先级与级别不符',
    path: ['priority'],
  })
  .refine((a) => a.expiresAt > a.startsAt, { message: '预警结束时间须晚于开始时间', path: ['expiresAt'] })
  .refine((a) => !a.drill || a.drillNotice !== undefined, {
    message: '演练须带“这是演练”提示音频',
    path: ['drillNotice'],
  });
export type AlertBody = z.infer<typeof AlertBodySchema>;

/** Silences an alert (every revision) wherever it sounds or waits. */
export const AlertCancelBodySchema = z.object({
  alertId: AlertIdSchema,
  audience: AudienceSchema,
});
export type AlertCancelBody = z.infer<typeof AlertCancelBodySchema>;

/** Largest number of active alerts one target carries. */
export const MAX_TARGET_ALERTS = 8;

/** Why an alert did not sound on a terminal (reported as an outcome's reason). */
export const ALERT_FAILURE_REASONS = [
  'drill-not-enabled',
  'alert-cancelled',
  'superseded',
  'expired',
] as const;
