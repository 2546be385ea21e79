import { Transform, type TransformCallback } from 'node:stream';

/**
 * Watches the MQTT byte stream and fails it as soon as a packet announces a remaining length above the
 * limit, before the broker buffers it (aedes has no packet size limit of its own).
 */
export class PacketSizeGuard extends Transform {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxPacketBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        i += 1;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const b = chunk[i]!;
        i += 1;
        this.length += (b & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes += 1;
        if (this.length > this.maxPacketBytes) {
          cb(new Error(`MQTT packet of ${this.length} bytes exceeds limit ${this.maxPacketBytes}`));
          return;
        }
        if ((b & 0x80) === 0) {
          this.remaining = this.length;
          this.state = this.remaining === 0 ? 'type' : 'body';
        } else if (this.lengthBytes >= 4) {
          cb(new Error('malformed MQTT remaining length'));
          return;
        }
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    cb(null, chunk);
  }
}
