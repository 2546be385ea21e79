import { EventsMessageSchema, type StateMessage, type TerminalEvent, topics } from '@dlb/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export interface TestCentre {
  client: MqttClient;
  /** Every event received, duplicates included, in arrival order. */
  received: TerminalEvent[];
  /** Events stored once per (terminal, seq), as a deduplicating server keeps them. */
  stored: Map<string, Map<number, TerminalEvent>>;
  /** Latest state per terminal. */
  states: Map<string, StateMessage>;
  stateLog: StateMessage[];
  /** Acknowledge automatically after each events message. */
  autoAck: boolean;
  publish(topic: string, payload: string | Buffer): Promise<void>;
  ack(tid: string, upTo: number): Promise<void>;
  close(): Promise<void>;
}

/** A stand-in for the centre's MQTT side: collects events and states, publishes commands and acks. */
export async function connectCentre(url: string, autoAck = true): Promise<TestCentre> {
  const client = mqtt.connect(url, {
    clientId: `centre-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync([topics.allTerminalEvents, topics.allTerminalStates], { qos: 1 });
  const outboxes = new Map<string, string>();
  const c: TestCentre = {
    client,
    received: [],
    stored: new Map(),
    states: new Map(),
    stateLog: [],
    autoAck,
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    ack: async (tid, upTo) => {
      const outbox = outboxes.get(tid) ?? 'unknown-outbox';
      await client.publishAsync(topics.terminalAck(tid), JSON.stringify({ outbox, upTo }), { qos: 1 });
    },
    close: () => client.endAsync(true),
  };
  client.on('message', (topic, payload) => {
    const parts = topic.split('/');
    const tid = parts[3]!;
    if (parts[4] === 'state') {
      if (payload.length === 0) return;
      const s = JSON.parse(payload.toString()) as StateMessage;
      c.states.set(tid, s);
      c.stateLog.push(s);
      return;
    }
    if (parts[4] !== 'events') return;
    const msg = EventsMessageSchema.parse(JSON.parse(payload.toString()));
    outboxes.set(tid, msg.outbox);
    let mine = c.stored.get(tid);
    if (!mine) {
      mine = new Map();
      c.stored.set(tid, mine);
    }
    for (const e of msg.events) {
      c.received.push(e);
      if (!mine.has(e.seq)) mine.set(e.seq, e);
    }
    if (c.autoAck) c.ack(tid, Math.max(...mine.keys())).catch(() => {}); // closing meanwhile: fine
  });
  return c;
}
