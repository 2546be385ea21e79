import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  type NewTerminalEvent,
  OutboxIdSchema,
  type TerminalEvent,
  TerminalEventSchema,
} from '@dlb/protocol';
import { readJsonOr, writeFileAtomic, writeJsonAtomic } from './fs-util.ts';

interface OutboxMeta {
  /** This outbox's id (see OutboxIdSchema): made once, when the outbox is created. */
  id: string;
  /** Highest sequence number ever handed out (kept here so compaction never lets a number be reused). */
  lastSeq: number;
  /** Highest sequence number the server has confirmed storing. */
  ackedUpTo: number;
}

export interface OutboxOptions {
  /** Rewrite the log once this many acknowledged lines sit at its head. */
  compactAfter?: number;
}

/**
 * The terminal's outbox of events, on disk: one JSON line per event in `events.jsonl`, fsync'd before
 * `append` returns, and `meta.json` with the last sequence number and the server's acknowledgement.
 * Every operation is synchronous so an append and whatever the caller does next happen in one tick.
 */
export class Outbox {
  private readonly logFile: string;
  private readonly metaFile: string;
  private readonly compactAfter: number;
  private meta: OutboxMeta;
  /** Unacknowledged events, in sequence order. */
  private events: TerminalEvent[] = [];
  /** Lines in the log file that are already acknowledged (dropped at the next compaction). */
  private deadLines = 0;
  private fd: number | null = null;

  constructor(
    readonly dir: string,
    opts: OutboxOptions = {},
  ) {
    this.logFile = join(dir, 'events.jsonl');
    this.metaFile = join(dir, 'meta.json');
    this.compactAfter = opts.compactAfter ?? 200;
    mkdirSync(dir, { recursive: true });
    const meta = readJsonOr<Partial<OutboxMeta>>(this.metaFile, {});
    const id = typeof meta.id === 'string' && OutboxIdSchema.safeParse(meta.id).success ? meta.id : null;
    this.meta = {
      id: id ?? randomBytes(12).toString('base64url'),
      lastSeq: Number(meta.lastSeq) || 0,
      ackedUpTo: Number(meta.ackedUpTo) || 0,
    };
    if (!id) writeJsonAtomic(this.metaFile, this.meta);
    this.load();
  }

  private load(): void {
    this.fd = openSync(this.logFile, 'a+');
    const raw = readFileSync(this.logFile);
    // A crash mid-append leaves a last line without its newline: cut it off so the next append starts clean.
    const end = raw.lastIndexOf(0x0a) + 1;
    if (end < raw.length) {
      ftruncateSync(this.fd, end);
      fsyncSync(this.fd);
    }
    for (const line of raw.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      let parsed: TerminalEvent;
      try {
        parsed = TerminalEventSchema.parse(JSON.parse(line));
      } catch {
        this.deadLines++;
        continue;
      }
      this.meta.lastSeq = Math.max(this.meta.lastSeq, parsed.seq);
      if (parsed.seq <= this.meta.ackedUpTo) this.deadLines++;
      else this.events.push(parsed);
    }
    this.events.sort((a, b) => a.seq - b.seq);
  }

  /** Give the event the next sequence number and make it durable before returning it. */
  append(event: NewTerminalEvent): TerminalEvent {
    const fd = this.requireOpen();
    const full = TerminalEventSchema.parse({ ...event, seq: this.meta.lastSeq + 1 });
    const line = Buffer.from(`${JSON.stringify(full)}\n`, 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(fd, line, off, line.length - off);
    fsyncSync(fd);
    this.meta.lastSeq = full.seq;
    this.events.push(full);
    return full;
  }

  /** The server stored everything up to `upTo`: forget those events (the file is compacted now and then). */
  ack(upTo: number): number {
    if (!Number.isInteger(upTo) || upTo <= this.meta.ackedUpTo) return 0;
    // Never beyond what was handed out: an ack for numbers we never used confirms nothing of ours.
    this.meta.ackedUpTo = Math.min(upTo, this.meta.lastSeq);

    let dropped = 0;
    while (this.events.length > 0 && this.events[0]!.seq <= upTo) {
      this.events.shift();
      dropped++;
    }
    this.deadLines += dropped;
    if (this.deadLines >= this.compactAfter) this.compact();
    else if (this.events.length === 0 && this.deadLines > 0) this.truncate();
    // A lost ack only means re-sending what the server already has (it dedupes), so it need not be fsync'd.
    else writeJsonAtomic(this.metaFile, this.meta, { durable: false });
    return dropped;
  }

  /**
   * Everything is acknowledged: empty the log in place. Only lastSeq must be durable first (the log is the
   * other place that records it); a truncation lost in a power cut just re-sends events the server has.
   */
  private truncate(): void {
    const fd = this.requireOpen();
    writeJsonAtomic(this.metaFile, this.meta);
    ftruncateSync(fd, 0);
    this.deadLines = 0;
  }

  /** Rewrite the log with only the unacknowledged events (tmp + fsync + rename). */
  compact(): void {
    this.requireOpen();
    writeJsonAtomic(this.metaFile, this.meta);
    closeSync(this.fd!);
    this.fd = null;
    writeFileAtomic(this.logFile, this.events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.fd = openSync(this.logFile, 'a');
    this.deadLines = 0;
  }

  /** Unacknowledged events with seq > `after`, in order, at most `limit`. */
  pending(after = 0, limit = Number.POSITIVE_INFINITY): TerminalEvent[] {
    const out: TerminalEvent[] = [];
    for (const e of this.events) {
      if (e.seq <= after) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  get pendingCount(): number {
    return this.events.length;
  }

  /** Sent with every batch; acks for another outbox id are not for us. */
  get id(): string {
    return this.meta.id;
  }

  get lastSeq(): number {
    return this.meta.lastSeq;
  }

  get ackedUpTo(): number {
    return this.meta.ackedUpTo;
  }

  /** Size of the log file in bytes (for diagnostics). */
  fileBytes(): number {
    return this.fd === null ? 0 : fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private requireOpen(): number {
    if (this.fd === null) throw new Error('outbox is closed');
    return this.fd;
  }
}
