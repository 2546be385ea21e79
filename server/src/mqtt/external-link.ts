import { MAX_PAYLOAD_BYTES } from '@dlb/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { BrokerLink } from './broker-link.ts';

/**
 * The server as a client of an external broker (e.g. Mosquitto). A persistent session (clean: false)
 * keeps terminal reports queued at the broker while the server restarts.
 */
/** The server's session (its subscriptions and the reports queued while it restarts) outlives a week's outage. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

export class ExternalBrokerLink implements BrokerLink {
  private client: MqttClient | null = null;
  private readonly handlers: Array<{
    filter: string;
    match: RegExp;
    handler: (t: string, p: Buffer) => void;
  }> = [];

  constructor(
    private readonly opts: {
      url: string;
      username: string;
      password: string;
      startTimeoutMs?: number;
      log?: (msg: string) => void;
    },
  ) {}

  /** Retries until the broker admits us: it may start after us, or still be reloading its password file. */
  async start(): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30_000);
    let client: MqttClient | null = null;
    while (!client) {
      try {
        client = await mqtt.connectAsync(this.opts.url, {
          clientId: this.opts.username,
          username: this.opts.username,
          password: this.opts.password,
          clean: false,
          // MQTT 5, so the broker's window of unacknowledged messages to us is our Receive Maximum, not
          // Mosquitto's max_inflight_messages (20) with max_queued_messages behind it: when thousands of
          // terminals report at once (every speaker sounding an alert), a v3.1.1 session overflowed that queue
          // and Mosquitto dropped the reports, which then waited for the terminals' re-send timer.
          protocolVersion: 5,
          properties: { receiveMaximum: 65535, sessionExpiryInterval: SESSION_EXPIRY_S },
          reconnectPeriod: 2000,
          connectTimeout: 10_000,
        });
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`无法连接消息服务器 ${this.opts.url}: ${(e as Error).message}`);
        this.opts.log?.(`连接消息服务器失败，稍后重试: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    client.on('message', (topic, payload) => {
      if (payload.length > MAX_PAYLOAD_BYTES) return;
      for (const h of this.handlers) if (h.match.test(topic)) h.handler(topic, payload);
    });
    client.on('error', (e) => this.opts.log?.(`MQTT 连接错误: ${e.message}`));
    this.client = client;
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync();
  }

  async publish(
    topic: string,
    payload: Buffer | string,
    opts: { qos: 0 | 1; retain?: boolean },
  ): Promise<void> {
    if (!this.client) throw new Error('broker link not started');
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain ?? false });
  }

  async subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void> {
    if (!this.client) throw new Error('broker link not started');
    this.handlers.push({ filter, match: filterToRegExp(filter), handler });
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  disconnectClient(_clientId: string): void {
    // An external broker drops a terminal when its reloaded password file no longer admits it.
  }
}

/** MQTT filter (+ and #) to a RegExp over topics. */
export function filterToRegExp(filter: string): RegExp {
  const parts = filter.split('/').map((p) => {
    if (p === '+') return '[^/]+';
    if (p === '#') return '.*';
    return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`);
}
