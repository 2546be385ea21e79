import type { AlertLevel } from '@dlb/protocol';
import { unprocessable } from '../../errors.ts';
import { type AlertInput, AlertInputSchema } from '../alert-model.ts';
import { mapArea } from './cap-area.ts';
import { capTime, DLB_EVENT_CODE_NAME } from './cap-export.ts';
import type { CapAlert, CapCertainty, CapInfo, CapReference, CapSeverity, CapUrgency } from './cap-schema.ts';

/**
 * capToAlert: a parsed CAP message → what our system would raise, or an AppError saying why not.
 * Pure: the clock, the source's allowance, the known divisions and the terminals all come in `ctx`.
 */

export interface CapTerminal {
  id: string;
  lat: number;
  lon: number;
  villageCode: string;
}

export interface CapImportContext {
  now: number;
  /** The source's allowance: a code is allowed if it equals one of these or lies under it (by prefix). */
  allowedAreaCodes: string[];
  knownAreaCodes: (code: string) => boolean;
  terminals: CapTerminal[];
  preferLanguage?: 'zh-CN';
}

export interface CapImport {
  kind: 'alert' | 'update' | 'cancel';
  identifier: string;
  sender: string;
  /** The CAP `sent` time, epoch ms. */
  sentAt: number;
  references: CapReference[];
  drill: boolean;
  /** Absent for a cancel: it names earlier messages in `references` and raises nothing itself. */
  input?: AlertInput;
  severity: CapSeverity;
  urgency: CapUrgency;
  certainty: CapCertainty;
  /** Audio carried inline (derefUri). */
  audio?: { mimeType: string; data: Buffer };
  /** Audio referenced by URI only: we do not fetch it here (the importer is pure). */
  audioUri?: { mimeType: string; uri: string };
  /** Language of the info block used. */
  language?: string;
  /** What was assumed or dropped, in Chinese, for the operator to see. */
  notes: string[];
}

export const SEVERITY_LEVEL: Record<CapSeverity, AlertLevel> = {
  Extreme: 'red',
  Severe: 'orange',
  Moderate: 'yellow',
  Minor: 'blue',
  Unknown: 'blue',
};

/** Used when a CAP message gives no `expires`: our alerts must end. */
export const DEFAULT_VALIDITY_MS = 6 * 3600_000;

const STATUS_REFUSAL: Record<string, string> = {
  Test: 'Test（技术测试消息，公众应忽略）',
  System: 'System（系统消息，只用于网络内部）',
  Draft: 'Draft（草稿，不是正式发布）',
};

export function capToAlert(cap: CapAlert, ctx: CapImportContext): CapImport {
  const refusal = STATUS_REFUSAL[cap.status];
  if (refusal) {
    throw unprocessable(
      'cap_not_actual',
      `CAP 消息状态为 ${refusal}，不会播发；只接受 Actual（正式）和 Exercise（演练）`,
    );
  }
  if (cap.msgType === 'Ack' || cap.msgType === 'Error') {
    throw unprocessable(
      'cap_unsupported_msgtype',
      `不支持 CAP 消息类型 ${cap.msgType}：只接受 Alert（发布）、Update（更新）和 Cancel（解除）`,
    );
  }
  const notes: string[] = [];
  const sentAt = Date.parse(cap.sent);
  const info = chooseInfo(cap.info, notes);
  const base = {
    identifier: cap.identifier,
    sender: cap.sender,
    sentAt,
    references: cap.references,
    drill: cap.status === 'Exercise',
    severity: info?.severity ?? 'Unknown',
    urgency: info?.urgency ?? 'Unknown',
    certainty: info?.certainty ?? 'Unknown',
    notes,
  } as const;
  if (cap.msgType === 'Cancel') {
    return { kind: 'cancel', ...base, ...(info ? { language: info.language } : {}) };
  }
  if (!info) throw unprocessable('cap_no_info', `CAP ${cap.msgType} 消息没有 info 块，无法得知预警内容`);

  const startsAt = Date.parse(info.onset ?? info.effective ?? cap.sent);
  let expiresAt: number;
  if (info.expires) expiresAt = Date.parse(info.expires);
  else {
    expiresAt = startsAt + DEFAULT_VALIDITY_MS;
    notes.push('CAP 消息未给出 expires（失效时间），按开始时间后 6 小时失效');
  }
  if (expiresAt <= startsAt) {
    throw unprocessable(
      'cap_bad_times',
      'CAP 消息的失效时间（expires）不晚于开始时间（onset/effective/sent）',
    );
  }
  if (expiresAt <= ctx.now) throw unprocessable('cap_expired', `CAP 消息已于 ${capTime(expiresAt)} 失效`);

  const area = mapArea(info.area, ctx, notes);
  const title = clip(oneLine(info.headline || info.event), 200, notes, '标题');
  const body = [info.description, info.instruction]
    .filter((s): s is string => Boolean(s))
    .map(plainText)
    .join('\n');
  const candidate = {
    level: SEVERITY_LEVEL[info.severity],
    eventCode: eventCodeOf(info, notes),
    eventName: clip(oneLine(info.event), 50, notes, '事件名称'),
    issuer: clip(oneLine(info.senderName || cap.sender), 100, notes, '发布单位'),
    area,
    startsAt,
    expiresAt,
    language: languageTag(info.language),
    title: title.length < 2 ? `${title}预警` : title,
    text: clip(body.length >= 2 ? body : title, 5000, notes, '正文'),
  };
  const parsed = AlertInputSchema.safeParse(candidate);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw unprocessable('cap_unmappable', `CAP 消息无法转为预警：${i.path.join('.')} ${i.message}`, {
      issues: parsed.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })),
    });
  }
  const media = audioOf(info, notes);
  return {
    kind: cap.msgType === 'Update' ? 'update' : 'alert',
    ...base,
    input: parsed.data,
    language: info.language,
    ...media,
  };
}

/** zh-CN first, then plain zh, then any Chinese, else the first block (CAP lists the main one first). */
export function chooseInfo(infos: readonly CapInfo[], notes: string[] = []): CapInfo | undefined {
  const lang = (i: CapInfo) => i.language.toLowerCase();
  const chosen =
    infos.find((i) => lang(i) === 'zh-cn') ??
    infos.find((i) => lang(i) === 'zh') ??
    infos.find((i) => lang(i).startsWith('zh-')) ??
    infos[0];
  if (infos.length > 1 && chosen) {
    notes.push(`CAP 消息有 ${infos.length} 个 info 块，采用语言 ${chosen.language} 的第一块`);
    // Same-language blocks are separate events or areas in CAP, not translations: say one was left out.
    const same = infos.filter((i) => i !== chosen && lang(i) === lang(chosen)).length;
    if (same > 0) notes.push(`另有 ${same} 个同为 ${chosen.language} 的 info 块未采用，请人工核对`);
  }
  return chosen;
}

/** The first eventCode whose value survives sanitising, else one made from the category ("CAPMet"). */
function eventCodeOf(info: CapInfo, notes: string[]): string {
  const ours = info.eventCode.filter((ec) => ec.valueName === DLB_EVENT_CODE_NAME);
  for (const ec of [...ours, ...info.eventCode]) {
    const code = ec.value.replace(/[^0-9A-Za-z]/g, '').slice(0, 16);
    if (code) return code;
  }
  const derived = `CAP${info.category[0] ?? 'Other'}`;
  notes.push(`CAP 消息未给出可用的 eventCode，事件类型代码取 ${derived}`);
  return derived;
}

/** AlertInput wants a lower-case primary subtag ("EN-us" is legal BCP 47 but not our pattern). */
function languageTag(lang: string): string {
  const [primary = 'zh', ...rest] = lang.split('-');
  return [primary.toLowerCase(), ...rest].join('-');
}

/** Feeds put HTML line breaks into descriptions; a loudspeaker should not read them out. */
function plainText(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|span|b|i|strong|em)\b[^>]*>/gi, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Feeds wrap long names over indented lines; a title or issuer is one line. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function clip(s: string, max: number, notes: string[], what: string): string {
  const t = s.trim();
  if (t.length <= max) return t;
  notes.push(`${what}超过 ${max} 字，已截断`);
  return t.slice(0, max);
}

function audioOf(info: CapInfo, notes: string[]): Pick<CapImport, 'audio' | 'audioUri'> {
  const res = info.resource.find((r) => r.mimeType.toLowerCase().startsWith('audio/'));
  if (!res) return {};
  if (res.derefUri) {
    const b64 = res.derefUri.replace(/\s+/g, '');
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(b64) && b64.length % 4 === 0) {
      return { audio: { mimeType: res.mimeType, data: Buffer.from(b64, 'base64') } };
    }
    notes.push('CAP 音频资源的 derefUri 不是有效的 Base64，已忽略');
  }
  if (res.uri) return { audioUri: { mimeType: res.mimeType, uri: res.uri } };
  return {};
}
