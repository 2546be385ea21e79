import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  backoffDelay,
  errorText,
  type Logger,
  silentLogger,
  type TimerHandle,
  type Timers,
  withTimeout,
} from './runtime.ts';

export interface Publication {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  /** The Last Will, computed afresh for every connection attempt. */
  will: () => Publication;
  subscriptions: readonly string[];
  reconnect: { minMs: number; maxMs: number };
  random: () => number;
  timers: Timers;
  log?: Logger;
  keepaliveSec?: number;
  connect?: (url: string, opts: IClientOptions) => MqttClient;
}

type LinkEvents = {
  connect: [];
  disconnect: [];
  message: [topic: string, payload: Buffer];
};

/**
 * One MQTT connection with a persistent session (clean: false), kept up by our own exponential backoff
 * with jitter; mqtt.js's own reconnect is off. Every attempt is a fresh client with the same client id,
 * so the broker resumes the session and delivers QoS 1 commands sent while we were away.
 */
export class MqttLink extends EventEmitter<LinkEvents> {
  private client: MqttClient | null = null;
  private ready = false;
  private attempt = 0;
  private retryTimer: TimerHandle = null;
  private stopping = false;
  private readonly log: Logger;
  private readonly connectFn: (url: string, opts: IClientOptions) => MqttClient;

  constructor(private readonly opts: MqttLinkOptions) {
    super();
    this.log = opts.log ?? silentLogger;
    this.connectFn = opts.connect ?? mqtt.connect;
  }

  get connected(): boolean {
    return this.ready && this.client?.connected === true;
  }

  /** Failed attempts since the last successful connection. */
  get failedAttempts(): number {
    return this.attempt;
  }

  start(): void {
    this.stopping = false;
    if (!this.client && !this.retryTimer) this.open();
  }

  private open(): void {
    this.retryTimer = null;
    if (this.stopping) return;
    const will = this.opts.will();
    const client = this.connectFn(this.opts.url, {
      clientId: this.opts.clientId,
      username: this.opts.username,
      password: this.opts.password,
      clean: false,
      keepalive: this.opts.keepaliveSec ?? 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      protocolVersion: 4,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain },
    });
    this.client = client;
    client.on('connect', () => {
      if (this.client !== client || this.stopping) return;
      this.attempt = 0;
      client.subscribe([...this.opts.subscriptions], { qos: 1 }, (err, granted) => {
        if (this.client !== client || this.stopping) return;
        if (err) {
          this.log.warn(`订阅失败: ${errorText(err)}`);
          return;
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) this.log.warn('服务器拒绝了部分订阅', { refused });
        this.ready = true;
        this.log.info('MQTT 已连接');
        this.emit('connect');
      });
    });
    client.on('message', (topic, payload) => {
      if (this.client === client) this.emit('message', topic, payload);
    });
    client.on('error', (err) => {
      if (this.client === client) this.log.warn(`MQTT 错误: ${errorText(err)}`);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      const was = this.ready;
      this.ready = false;
      this.client = null;
      client.removeAllListeners('close');
      client.end(true);
      if (was) this.emit('disconnect');
      if (!this.stopping) this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(
      this.attempt,
      this.opts.reconnect.minMs,
      this.opts.reconnect.maxMs,
      this.opts.random,
    );
    this.attempt++;
    this.log.info(`MQTT 断开, ${delay} ms 后重连 (第${this.attempt}次)`);
    this.retryTimer = this.opts.timers.setTimeout(() => this.open(), delay);
  }

  /** Publish when connected; rejects if not connected or the broker does not confirm. */
  publish(p: Publication): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) return Promise.reject(new Error('MQTT 未连接'));
    return new Promise((resolve, reject) => {
      client.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** Publish `last` (if connected, within a short time), then disconnect cleanly (no Last Will). */
  async stop(last?: Publication, timeoutMs = 2000): Promise<void> {
    this.stopping = true;
    this.opts.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    if (!client) return;
    const timers = this.opts.timers;
    if (last && this.connected) {
      const sent = this.publish(last).catch((err) => this.log.warn(`发布离线状态失败: ${errorText(err)}`));
      await withTimeout(timers, sent, timeoutMs);
    }
    this.ready = false;
    this.client = null;
    await withTimeout(
      timers,
      client.endAsync(!client.connected).catch(() => {}),
      timeoutMs,
    );
    client.end(true);
    client.removeAllListeners();
    client.on('error', () => {});
  }
}
