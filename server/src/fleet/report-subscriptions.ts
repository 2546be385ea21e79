import { parseTerminalTopic, topics } from '@dlb/protocol';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import type { EventIngest } from './event-ingest.ts';
import { type ReportAckDeps, ReportAcks } from './report-acks.ts';

/** Reports stored per transaction: large enough to amortise the commit, small enough not to stall the loop. */
const REPORT_BATCH = 500;

/**
 * What terminals send: their reports (stored, then acknowledged up to the highest stored sequence, so the
 * terminal can drop its outbox) and their state. The terminal id comes from the topic, which the broker's ACL
 * lets only that terminal write.
 */
export class ReportSubscriptions {
  private readonly queue: Array<{ tid: string; payload: Buffer }> = [];
  private readonly states: Array<{ tid: string; payload: Buffer }> = [];
  private draining = false;
  private readonly acks: ReportAcks;

  constructor(
    private readonly broker: BrokerLink,
    private readonly events: EventIngest,
    log: (msg: string) => void,
    ackTiming: Omit<ReportAckDeps, 'send'> = {},
  ) {
    this.acks = new ReportAcks({
      ...ackTiming,
      send: (tid, ack) => {
        broker
          .publish(topics.terminalAck(tid), JSON.stringify(ack), { qos: 1 })
          .catch((e) => log(`发送回执失败: ${(e as Error).message}`));
      },
    });
  }

  async start(): Promise<void> {
    await this.broker.subscribe(topics.allTerminalEvents, (topic, payload) => {
      const t = parseTerminalTopic(topic);
      if (!t) return;
      this.acks.noteReport();
      this.queue.push({ tid: t.tid, payload });
      this.scheduleDrain();
    });
    await this.broker.subscribe(topics.allTerminalStates, (topic, payload) => {
      const t = parseTerminalTopic(topic);
      if (!t) return;
      this.states.push({ tid: t.tid, payload });
      this.scheduleDrain();
    });
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(this.drain);
  }

  /**
   * Stores queued state messages and reports, one transaction each per turn of the event loop (at most
   * REPORT_BATCH each), so thousands arriving at once never stall the loop for long.
   */
  private readonly drain = (): void => {
    const states = this.states.splice(0, REPORT_BATCH);
    if (states.length > 0) this.events.ingestStates(states);
    const batch = this.queue.splice(0, REPORT_BATCH);
    const results = batch.length > 0 ? this.events.ingestBatch(batch) : [];
    for (const [i, r] of results.entries()) if (r) this.acks.add(batch[i]!.tid, r.outbox, r.ackedUpTo);
    if (this.queue.length > 0 || this.states.length > 0) setImmediate(this.drain);
    else this.draining = false;
  };

  /** Whether reports are still pouring in (one arrived within `withinMs`, or some wait to be stored). */
  busy(withinMs = 250): boolean {
    return this.queue.length > 0 || this.states.length > 0 || this.acks.msSinceReport() < withinMs;
  }

  /** Held acks are dropped: their terminals send again after reconnecting, and are acked then. */
  stop(): void {
    this.acks.stop();
  }
}
