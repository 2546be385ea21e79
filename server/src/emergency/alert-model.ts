import { ALERT_LEVELS, AreaCodeSchema, EpochMs, Sha256Hex, TerminalIdSchema } from '@dlb/protocol';
import { z } from 'zod';
import { GroupIdSchema } from '../terminals/terminal-groups.ts';

/**
 * The alert as the emergency office (or a department's CAP feed) raises it, aligned with the national
 * emergency-broadcast message: id, type, level, event type code, issuing body, area, validity, language, title,
 * text, audio, repeat and interval. The one schema for the API body and for what the CAP importer produces.
 */
export const ALERT_TYPES = ['alert', 'update', 'cancel'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/**
 * Where an alert sounds: any mix of division codes (county, township, village), single terminals and named
 * terminal groups. A group's members are added to `terminalIds` when the alert is raised or updated, so the
 * alert keeps the terminals it reached if the group changes later; `groups` records which groups were named.
 */
export const AlertAreaSchema = z
  .object({
    codes: z.array(AreaCodeSchema).max(500).default([]),
    terminalIds: z.array(TerminalIdSchema).max(10_000).default([]),
    groups: z.array(GroupIdSchema).max(50).default([]),
  })
  .refine((a) => a.codes.length + a.terminalIds.length + a.groups.length > 0, {
    message: '预警区域不能为空：请选择行政区划、终端或终端分组',
  });
export type AlertArea = z.infer<typeof AlertAreaSchema>;

export const AlertInputSchema = z.strictObject({
  level: z.enum(ALERT_LEVELS, { error: `级别须为 ${ALERT_LEVELS.join('、')} 之一` }),
  /** National event type code (e.g. 11B01 暴雨); free text up to 16 characters of letters and digits. */
  eventCode: z.string().regex(/^[0-9A-Za-z]{1,16}$/, '事件类型代码须为 1-16 位字母或数字'),
  eventName: z.string().trim().max(50).optional(),
  issuer: z.string().trim().min(1, '发布单位不能为空').max(100),
  area: AlertAreaSchema,
  /** Default: now. */
  startsAt: EpochMs.optional(),
  expiresAt: EpochMs,
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, '语言须为 BCP 47 代码，如 zh-CN')
    .default('zh-CN'),
  title: z.string().trim().min(2, '标题至少 2 个字').max(200),
  text: z.string().trim().min(2, '正文至少 2 个字').max(5000),
  /** Uploaded audio; without it the text is synthesised by the offline engine. */
  mediaSha256: Sha256Hex.optional(),
  repeat: z.number().int().min(1).max(10).default(3),
  intervalSec: z.number().int().min(0).max(600).default(10),
  volume: z.number().int().min(0).max(100).default(100),
});
export type AlertInput = z.output<typeof AlertInputSchema>;
