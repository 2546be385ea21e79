import type { AlertLevel } from '@dlb/protocol';
import { badRequest } from '../../errors.ts';
import type { CapCategory, CapCertainty, CapSeverity, CapUrgency } from './cap-schema.ts';
import { CAP_CATEGORIES, CAP_TIME, CAP12_NS } from './cap-schema.ts';

/**
 * alertToCap: one of our alerts as a CAP 1.2 document for other systems (and for our own import, which
 * reads it back). Times are written in China's zone (+08:00) whatever the host's zone, to the second.
 */

export interface CapExportAlert {
  id: string;
  sender: string;
  /** Epoch ms. */
  sentAt: number;
  status: 'Actual' | 'Exercise';
  msgType: 'Alert' | 'Update' | 'Cancel';
  /** Earlier messages an Update or Cancel refers to; `sent` as epoch ms, or a CAP time as CapImport gives it. */
  references?: Array<{ sender: string; identifier: string; sent: number | string }>;
  level: AlertLevel;
  eventCode: string;
  eventName?: string;
  issuer: string;
  language: string;
  title: string;
  text: string;
  startsAt: number;
  expiresAt: number;
  areaDescs: string[];
  areaCodes: string[];
  audioUrl?: string;
  /** Defaults: category from the national event code, urgency by level, certainty Likely. */
  category?: CapCategory;
  urgency?: CapUrgency;
  certainty?: Exclude<CapCertainty, 'Very Likely'>;
  audioMimeType?: string;
}

/** eventCode valueName we write (and read first); our own, as no Chinese CAP profile name is fixed yet. */
export const DLB_EVENT_CODE_NAME = 'DLB:EventType';
/** geocode valueName we write for GB/T 2260 codes (one of the names the importer recognises). */
export const EXPORT_GEOCODE_NAME = 'GB/T2260';

export const LEVEL_SEVERITY: Record<AlertLevel, CapSeverity> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};

const CN_OFFSET_MS = 8 * 3600_000;

/** "2026-07-01T08:30:00+08:00" */
export function capTime(ms: number): string {
  if (!Number.isFinite(ms)) throw badRequest('cap_export_invalid', '导出 CAP 失败：时间无效');
  const d = new Date(Math.floor(ms / 1000) * 1000 + CN_OFFSET_MS);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

/** National event type codes: 11 natural disasters (A flood/drought, B weather, C quake, ...), 12 accidents, ... */
export function categoryOfEventCode(code: string): CapCategory {
  const prefix = code.slice(0, 3).toUpperCase();
  const byPrefix: Record<string, CapCategory> = {
    '11A': 'Met',
    '11B': 'Met',
    '11C': 'Geo',
    '11D': 'Geo',
    '11E': 'Met',
    '11F': 'Env',
    '11G': 'Fire',
    '12A': 'Safety',
    '12B': 'Transport',
    '12C': 'Infra',
    '12D': 'Env',
  };
  if (byPrefix[prefix]) return byPrefix[prefix];
  if (code.startsWith('13')) return 'Health';
  if (code.startsWith('14')) return 'Security';
  // "CAPMet" is what the importer makes from a category when a message had no usable eventCode.
  const fromImport = /^CAP([A-Za-z]+)$/.exec(code)?.[1];
  return CAP_CATEGORIES.find((c) => c === fromImport) ?? 'Other';
}

/** Escapes markup and drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const TOKEN = /^[^\s,<&]+$/;

export function alertToCap(alert: CapExportAlert): string {
  for (const [what, v] of [
    ['id', alert.id],
    ['sender', alert.sender],
  ] as const) {
    if (!TOKEN.test(v))
      throw badRequest('cap_export_invalid', `导出 CAP 失败：${what} 不得为空或包含空白、逗号`);
  }
  const refs = alert.references ?? [];
  if (alert.msgType !== 'Alert' && refs.length === 0) {
    throw badRequest(
      'cap_export_invalid',
      `导出 CAP 失败：${alert.msgType} 消息须带所指原消息（references）`,
    );
  }
  for (const r of refs) {
    if (!TOKEN.test(r.sender) || !TOKEN.test(r.identifier)) {
      throw badRequest('cap_export_invalid', '导出 CAP 失败：引用的 sender/identifier 不得包含空白或逗号');
    }
    if (typeof r.sent === 'string' && !CAP_TIME.test(r.sent)) {
      throw badRequest('cap_export_invalid', `导出 CAP 失败：引用的发送时间“${r.sent}”格式不正确`);
    }
  }
  if (!alert.title.trim() || !alert.text.trim()) {
    throw badRequest('cap_export_invalid', '导出 CAP 失败：标题和正文不能为空');
  }
  if (alert.areaDescs.length === 0) throw badRequest('cap_export_invalid', '导出 CAP 失败：缺少区域描述');

  const el = (name: string, value: string | undefined, indent: string) =>
    value === undefined || value === '' ? '' : `${indent}<${name}>${xmlEscape(value)}</${name}>\n`;
  const i1 = '  ';
  const i2 = '    ';
  const i3 = '      ';
  const pair = (tag: string, name: string, value: string, indent: string) =>
    `${indent}<${tag}>\n${el('valueName', name, `${indent}  `)}${el('value', value, `${indent}  `)}${indent}</${tag}>\n`;

  let info = `${i1}<info>\n`;
  info += el('language', alert.language, i2);
  info += el('category', alert.category ?? categoryOfEventCode(alert.eventCode), i2);
  info += el('event', alert.eventName || alert.title, i2);
  info += el(
    'urgency',
    alert.urgency ?? (alert.level === 'red' || alert.level === 'orange' ? 'Immediate' : 'Expected'),
    i2,
  );
  info += el('severity', LEVEL_SEVERITY[alert.level], i2);
  info += el('certainty', alert.certainty ?? 'Likely', i2);
  info += pair('eventCode', DLB_EVENT_CODE_NAME, alert.eventCode, i2);
  info += el('effective', capTime(alert.sentAt), i2);
  info += el('onset', capTime(alert.startsAt), i2);
  info += el('expires', capTime(alert.expiresAt), i2);
  info += el('senderName', alert.issuer, i2);
  info += el('headline', alert.title, i2);
  info += el('description', alert.text, i2);
  if (alert.audioUrl) {
    info += `${i2}<resource>\n${el('resourceDesc', '预警音频', i3)}${el('mimeType', alert.audioMimeType ?? 'audio/mpeg', i3)}${el('uri', alert.audioUrl, i3)}${i2}</resource>\n`;
  }
  // One area: CAP has one areaDesc per area, and our descriptions and codes are not paired one to one.
  info += `${i2}<area>\n${el('areaDesc', alert.areaDescs.join('、'), i3)}`;
  for (const code of alert.areaCodes) info += pair('geocode', EXPORT_GEOCODE_NAME, code, i3);
  info += `${i2}</area>\n${i1}</info>\n`;

  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<alert xmlns="${CAP12_NS}">\n` +
    el('identifier', alert.id, i1) +
    el('sender', alert.sender, i1) +
    el('sent', capTime(alert.sentAt), i1) +
    el('status', alert.status, i1) +
    el('msgType', alert.msgType, i1) +
    el('scope', 'Public', i1) +
    el(
      'references',
      refs
        .map((r) => `${r.sender},${r.identifier},${typeof r.sent === 'string' ? r.sent : capTime(r.sent)}`)
        .join(' '),
      i1,
    ) +
    info +
    '</alert>\n'
  );
}
