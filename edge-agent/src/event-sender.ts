import { AckMessageSchema, MAX_PAYLOAD_BYTES, type TerminalEvent } from '@dlb/protocol';
import type { Outbox } from './outbox.ts';
import { errorText, type Logger, silentLogger, type TimerHandle, type Timers } from './runtime.ts';

export const MAX_EVENTS_PER_MESSAGE = 200;
/** Room left for `{"events":[...]}` and commas. */
const BATCH_BYTES = MAX_PAYLOAD_BYTES - 1024;

/** Split off the longest head of `events` that fits one message (≤ 200 events, under the payload limit). */
export function takeBatch(events: readonly TerminalEvent[]): TerminalEvent[] {
  const out: TerminalEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (out.length > 0 && (out.length >= MAX_EVENTS_PER_MESSAGE || bytes + size > BATCH_BYTES)) break;
    out.push(e);
    bytes += size;
  }
  return out;
}

export interface EventSenderDeps {
  outbox: Outbox;
  topic: string;
  /** Publish QoS 1; resolves when the broker confirms. */
  publish: (topic: string, payload: string) => Promise<void>;
  isConnected: () => boolean;
  timers: Timers;
  /** Send again from the last acknowledgement if the server stays silent this long. */
  resendAfterMs?: number;
  log?: Logger;
}

/**
 * Moves the outbox to the server: one batch in flight at a time while connected; everything not yet
 * acknowledged is sent again after a reconnect, or if no acknowledgement comes for a while. The server
 * dedupes by (terminal, seq), so re-sending is safe.
 */
export class EventSender {
  private sentUpTo = 0;
  private sending = false;
  private generation = 0;
  private resendTimer: TimerHandle = null;
  private readonly log: Logger;

  constructor(private readonly deps: EventSenderDeps) {
    this.log = deps.log ?? silentLogger;
  }

  /** A new connection: everything unacknowledged goes again. */
  onConnect(): void {
    this.generation++;
    this.sending = false;
    this.sentUpTo = this.deps.outbox.ackedUpTo;
    this.flush();
  }

  onDisconnect(): void {
    this.generation++;
    this.sending = false;
    this.clearResend();
  }

  /** Handle a message on the ack topic. Returns how many events it let us drop. */
  onAck(payload: Buffer): number {
    let upTo: number;
    try {
      const ack = AckMessageSchema.parse(JSON.parse(payload.toString('utf8')));
      if (ack.outbox !== this.deps.outbox.id) {
        this.log.warn(`忽略另一个发件箱 (${ack.outbox}) 的确认`);
        return 0;
      }
      upTo = ack.upTo;
    } catch (err) {
      this.log.warn(`无效的确认消息: ${errorText(err)}`);
      return 0;
    }
    const dropped = this.deps.outbox.ack(upTo);
    if (this.deps.outbox.ackedUpTo >= this.sentUpTo) this.clearResend();
    this.sentUpTo = Math.max(this.sentUpTo, this.deps.outbox.ackedUpTo);
    return dropped;
  }

  flush(): void {
    if (this.sending || !this.deps.isConnected()) return;
    const batch = takeBatch(this.deps.outbox.pending(this.sentUpTo, MAX_EVENTS_PER_MESSAGE));
    if (batch.length === 0) return;
    this.sending = true;
    const gen = this.generation;
    const last = batch[batch.length - 1]!.seq;
    this.deps.publish(this.deps.topic, JSON.stringify({ outbox: this.deps.outbox.id, events: batch })).then(
      () => {
        if (gen !== this.generation) return;
        this.sending = false;
        this.sentUpTo = Math.max(this.sentUpTo, last);
        this.armResend();
        this.flush();
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        this.sending = false;
        this.log.warn(`发送回传事件失败: ${errorText(err)}`);
      },
    );
  }

  private armResend(): void {
    if (this.resendTimer) return;
    this.resendTimer = this.deps.timers.setTimeout(() => {
      this.resendTimer = null;
      if (this.deps.outbox.ackedUpTo < this.sentUpTo) {
        this.log.warn('服务器长时间未确认, 重发未确认的事件');
        this.sentUpTo = this.deps.outbox.ackedUpTo;
        this.flush();
      }
    }, this.deps.resendAfterMs ?? 60_000);
  }

  private clearResend(): void {
    this.deps.timers.clearTimeout(this.resendTimer);
    this.resendTimer = null;
  }

  stop(): void {
    this.onDisconnect();
  }
}
