import { MAX_PAYLOAD_BYTES, terminalReadTopics, terminalWriteTopics } from '@dlb/protocol';

/**
 * Pure ACL rules for terminals, used by the embedded broker and mirrored in the Mosquitto ACL file.
 * Exact topics only: a terminal can never use wildcards to widen what it reads.
 */
export function terminalMaySubscribe(
  tid: string,
  access: { areaChain: readonly string[]; groups: readonly string[] },
  filter: string,
): boolean {
  if (filter.includes('+') || filter.includes('#')) return false;
  return terminalReadTopics(tid, access.areaChain, access.groups).includes(filter);
}

export type PublishDecision = { ok: true } | { ok: false; why: string };

export function terminalMayPublish(
  tid: string,
  topic: string,
  payloadBytes: number,
  retain: boolean,
): PublishDecision {
  const [stateTopic, eventsTopic] = terminalWriteTopics(tid);
  if (topic !== stateTopic && topic !== eventsTopic)
    return { ok: false, why: `终端 ${tid} 无权发布到 ${topic}` };
  if (payloadBytes > MAX_PAYLOAD_BYTES) return { ok: false, why: `消息过大 (${payloadBytes} 字节)` };
  if (retain && topic !== stateTopic) return { ok: false, why: '只有状态消息可以保留' };
  return { ok: true };
}
