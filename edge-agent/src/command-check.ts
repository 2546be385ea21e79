import {
  type DecodeMemo,
  type Envelope,
  MAX_PAYLOAD_BYTES,
  type NewTerminalEvent,
  type PlayBody,
  parseCommandTopic,
  type ReplayGuard,
  type SignatureCheck,
  verifyEnvelope,
} from '@dlb/protocol';
import { audienceMatches, type Self } from './audience.ts';
import type { NewPlayItem } from './playback.ts';

export interface CheckContext {
  self: Self;
  keys: ReadonlyMap<string, string>;
  /** Corrected clock. */
  now: number;
  maxSkewMs: number;
  replay: ReplayGuard;
  signatureCheck?: SignatureCheck;
  decodeMemo?: DecodeMemo;
}

export type CheckResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; event: Extract<NewTerminalEvent, { type: 'rejected' }> }
  /** Not a command topic, or too large to look at: dropped without a report. */
  | { ok: false; event: null; why: string };

/**
 * Everything between a raw MQTT message and an action: size, envelope (shape, key, signature, time,
 * replay — the id is persisted by the guard before this returns), and audience against topic and self.
 */
export function checkCommand(topic: string, payload: Uint8Array, ctx: CheckContext): CheckResult {
  const target = parseCommandTopic(topic);
  if (!target) return { ok: false, event: null, why: `不是指令主题: ${topic}` };
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, event: null, why: `消息过大 (${payload.byteLength} 字节), 已丢弃` };
  }
  const rejected = (
    reason: Extract<NewTerminalEvent, { type: 'rejected' }>['reason'],
    id?: string,
    detail?: string,
  ) => ({
    ok: false as const,
    event: {
      type: 'rejected' as const,
      at: ctx.now,
      ...(id ? { commandId: id.slice(0, 64) } : {}),
      reason,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
      topic: topic.slice(0, 200),
    },
  });
  const v = verifyEnvelope(payload, {
    keys: ctx.keys,
    now: ctx.now,
    maxSkewMs: ctx.maxSkewMs,
    replay: ctx.replay,
    ...(ctx.signatureCheck && { signatureCheck: ctx.signatureCheck }),
    ...(ctx.decodeMemo && { decodeMemo: ctx.decodeMemo }),
  });
  if (!v.ok) return rejected(v.reason, v.id, v.detail);
  const env = v.envelope;
  if (!audienceMatches(env.body.audience, target, ctx.self)) {
    return rejected(
      'wrong-audience',
      env.id,
      `指令对象 ${JSON.stringify(env.body.audience)} 与主题或本终端不符`,
    );
  }
  return { ok: true, envelope: env };
}

/** The play item for a checked play command. */
export function playItemOf(env: Envelope, b: PlayBody): NewPlayItem {
  return {
    commandId: env.id,
    broadcastId: b.broadcastId,
    priority: b.priority,
    expiresAt: env.expiresAt,
    media: b.media,
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    ...(b.title !== undefined ? { title: b.title } : {}),
    ...(b.volume !== undefined ? { volume: b.volume } : {}),
  };
}
