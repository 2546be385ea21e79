import { z } from 'zod';
import { parseCircle, parsePolygon } from './geo.ts';

/**
 * The CAP 1.2 alert message (OASIS CAP-v1.2-os, section 3) as we read it. CAP 1.1 documents take the same
 * shape (1.2 only tightened it). Text stays text: no number or date coercion, times are kept as written and
 * checked to carry a zone, because CAP times always state their offset and we must never guess one.
 */

export const CAP12_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
export const CAP11_NS = 'urn:oasis:names:tc:emergency:cap:1.1';

export const CAP_STATUS = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
/** "Very Likely" was CAP 1.0's and is still met in 1.1 feeds; read it, never write it. */
export const CAP_CERTAINTY = [
  'Observed',
  'Likely',
  'Possible',
  'Unlikely',
  'Unknown',
  'Very Likely',
] as const;

export type CapSeverity = (typeof CAP_SEVERITY)[number];
export type CapUrgency = (typeof CAP_URGENCY)[number];
export type CapCertainty = (typeof CAP_CERTAINTY)[number];
export type CapCategory = (typeof CAP_CATEGORIES)[number];

const MISSING = '缺少必需元素或为空';

const required = () => z.string({ error: MISSING }).min(1, MISSING).max(100_000, '内容过长');
const optional = () => z.string().max(200_000, '内容过长').optional();

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) =>
      iss.input === undefined || iss.input === ''
        ? MISSING
        : `取值“${String(iss.input).slice(0, 40)}”无效，须为 ${values.join('、')} 之一`,
  });
}

/** CAP dateTime: "2003-04-02T14:39:01-05:00"; "Z" is tolerated since xs:dateTime allows it. */
export const CAP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;
const time = () =>
  z
    .string({ error: MISSING })
    .regex(CAP_TIME, '时间格式须为 YYYY-MM-DDThh:mm:ss+hh:mm（须带时区）')
    .refine((s) => !Number.isNaN(Date.parse(s)), '不是有效的时间');

/** Identifiers and senders may not hold spaces or commas: the references element is built from them. */
const token = () => required().regex(/^[^\s,<&]+$/, '不得包含空白、逗号、< 或 &');

export const CapValueSchema = z.object({ valueName: required(), value: z.string().max(10_000) });
export type CapValue = z.infer<typeof CapValueSchema>;

export const CapReferenceSchema = z.object({ sender: z.string(), identifier: z.string(), sent: z.string() });
export type CapReference = z.infer<typeof CapReferenceSchema>;

/** "sender,identifier,sent" triples separated by whitespace. */
const references = z
  .string()
  .optional()
  .transform((s, ctx): CapReference[] => {
    const out: CapReference[] = [];
    for (const triple of (s ?? '').trim().split(/\s+/).filter(Boolean)) {
      const [sender, identifier, sent, ...rest] = triple.split(',');
      if (!sender || !identifier || !sent || rest.length > 0 || !CAP_TIME.test(sent)) {
        ctx.addIssue({
          code: 'custom',
          message: `引用“${triple.slice(0, 80)}”格式不正确，须为 sender,identifier,sent`,
        });
        return out;
      }
      out.push({ sender, identifier, sent });
    }
    return out;
  });

const polygon = z.string().transform((s, ctx) => {
  const r = parsePolygon(s);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
  return typeof r === 'string' ? [] : r;
});

const circle = z.string().transform((s, ctx) => {
  const r = parseCircle(s);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
  return typeof r === 'string' ? { lat: 0, lon: 0, radiusKm: 0 } : r;
});

export const CapAreaSchema = z.object({
  areaDesc: required(),
  polygon: z.array(polygon).max(100),
  circle: z.array(circle).max(100),
  geocode: z.array(CapValueSchema).max(1000),
  altitude: optional(),
  ceiling: optional(),
});
export type CapArea = z.infer<typeof CapAreaSchema>;

export const CapResourceSchema = z.object({
  resourceDesc: required(),
  mimeType: required(),
  size: optional(),
  uri: optional(),
  /** Base64 of the resource itself, kept as written (whitespace and all); decoded by the importer. */
  derefUri: optional(),
  digest: optional(),
});
export type CapResource = z.infer<typeof CapResourceSchema>;

export const CapInfoSchema = z.object({
  /** CAP's default when the element is absent. */
  language: z
    .string()
    .regex(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/, '语言须为 RFC 3066 代码，如 zh-CN')
    .default('en-US'),
  category: z.array(oneOf(CAP_CATEGORIES)).min(1, MISSING),
  event: required(),
  responseType: z.array(oneOf(CAP_RESPONSE_TYPES)),
  urgency: oneOf(CAP_URGENCY),
  severity: oneOf(CAP_SEVERITY),
  certainty: oneOf(CAP_CERTAINTY),
  audience: optional(),
  eventCode: z.array(CapValueSchema).max(100),
  effective: time().optional(),
  onset: time().optional(),
  expires: time().optional(),
  senderName: optional(),
  headline: optional(),
  description: optional(),
  instruction: optional(),
  web: optional(),
  contact: optional(),
  parameter: z.array(CapValueSchema).max(1000),
  resource: z.array(CapResourceSchema).max(100),
  area: z.array(CapAreaSchema).max(1000),
});
export type CapInfo = z.infer<typeof CapInfoSchema>;

export const CapAlertSchema = z
  .object({
    version: z.enum(['1.2', '1.1']),
    identifier: token(),
    sender: token(),
    sent: time(),
    status: oneOf(CAP_STATUS),
    msgType: oneOf(CAP_MSG_TYPES),
    source: optional(),
    scope: oneOf(CAP_SCOPES),
    restriction: optional(),
    addresses: optional(),
    code: z.array(z.string()).max(100),
    note: optional(),
    references,
    incidents: optional(),
    info: z.array(CapInfoSchema).max(20, 'info 块过多（上限 20）'),
  })
  .refine((a) => !['Update', 'Cancel', 'Ack', 'Error'].includes(a.msgType) || a.references.length > 0, {
    message: 'Update、Cancel、Ack、Error 消息须在 references 中给出所指的原消息',
    path: ['references'],
  });
export type CapAlert = z.output<typeof CapAlertSchema>;

/** "info[2]/area[1]/areaDesc" (1-based, as a person counts) from a zod issue path. */
export function elementPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p + 1}]`;
    else out += (out ? '/' : '') + String(p);
  }
  return out || 'alert';
}
