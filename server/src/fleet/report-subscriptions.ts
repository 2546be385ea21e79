import { parseTerminalTopic, topics } from '@dlb/protocol';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import type { EventIngest } from './event-ingest.ts';

/**
 * What terminals send: their reports (stored, then acknowledged up to the highest stored sequence, so the
 * terminal can drop its outbox) and their state. The terminal id comes from the topic, which the broker's ACL
 * lets only that terminal write.
 */
export async function subscribeTerminalReports(
  broker: BrokerLink,
  events: EventIngest,
  log: (msg: string) => void,
): Promise<void> {
  await broker.subscribe(topics.allTerminalEvents, (topic, payload) => {
    const t = parseTerminalTopic(topic);
    if (!t) return;
    const r = events.ingestEvents(t.tid, payload);
    if (!r) return;
    broker
      .publish(topics.terminalAck(t.tid), JSON.stringify({ outbox: r.outbox, upTo: r.ackedUpTo }), { qos: 1 })
      .catch((e) => log(`发送回执失败: ${(e as Error).message}`));
  });
  await broker.subscribe(topics.allTerminalStates, (topic, payload) => {
    const t = parseTerminalTopic(topic);
    if (t) events.ingestState(t.tid, payload);
  });
}
