import { parseTerminalTopic, topics } from '@dlb/protocol';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import type { EventIngest } from './event-ingest.ts';

/**
 * What terminals send: their reports (stored, then acknowledged up to the highest stored sequence, so the
 * terminal can drop its outbox) and their state. The terminal id comes from the topic, which the broker's ACL
 * lets only that terminal write.
 */
/** Reports stored per transaction: large enough to amortise the commit, small enough not to stall the loop. */
const REPORT_BATCH = 500;

export async function subscribeTerminalReports(
  broker: BrokerLink,
  events: EventIngest,
  log: (msg: string) => void,
): Promise<void> {
  // Reports are stored in batches, one transaction per turn of the event loop (at most REPORT_BATCH each).
  const queue: Array<{ tid: string; payload: Buffer }> = [];
  let draining = false;
  const drain = () => {
    const batch = queue.splice(0, REPORT_BATCH);
    const results = events.ingestBatch(batch);
    for (const [i, r] of results.entries()) {
      if (!r) continue;
      const tid = batch[i]!.tid;
      broker
        .publish(topics.terminalAck(tid), JSON.stringify({ outbox: r.outbox, upTo: r.ackedUpTo }), { qos: 1 })
        .catch((e) => log(`发送回执失败: ${(e as Error).message}`));
    }
    if (queue.length > 0) setImmediate(drain);
    else draining = false;
  };
  await broker.subscribe(topics.allTerminalEvents, (topic, payload) => {
    const t = parseTerminalTopic(topic);
    if (!t) return;
    queue.push({ tid: t.tid, payload });
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
  await broker.subscribe(topics.allTerminalStates, (topic, payload) => {
    const t = parseTerminalTopic(topic);
    if (t) events.ingestState(t.tid, payload);
  });
}
