import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReplayGuard } from '@dlb/protocol';
import { writeFileAtomic } from './fs-util.ts';

/**
 * Envelope ids seen, each kept until its command expires, in an append-only log (`id expiresAt` per line).
 * `remember` returns only after its line is fsync'd — one fsync on the way to the speaker, instead of
 * rewriting every id — so a command redelivered after a crash is refused. The log is rewritten without the
 * expired ids when it has grown well past the live set; a torn last line from a crash is ignored.
 */
export class DiskReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private fd: number | null = null;
  private lines = 0;
  /** Log length at which expired ids are dropped and the log rewritten. */
  private pruneAt = 64;

  constructor(
    private readonly file: string,
    private readonly now: () => number,
    /** Keep ids this long past expiry, in case the clock is corrected backwards. */
    private readonly graceMs = 5 * 60_000,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // first start
    }
    const t = now();
    for (const line of text.split('\n')) {
      const m = /^([A-Za-z0-9_-]{1,64}) (\d+)$/.exec(line);
      if (m && Number(m[2]) + graceMs >= t) this.seen.set(m[1]!, Number(m[2]));
    }
    this.rewrite();
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  remember(id: string, expiresAt: number): void {
    this.seen.set(id, expiresAt);
    const fd = this.fd ?? this.open();
    const line = Buffer.from(`${id} ${Math.round(expiresAt)}\n`, 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(fd, line, off, line.length - off);
    fsyncSync(fd);
    this.lines += 1;
    if (this.lines >= this.pruneAt) this.prune(this.now());
  }

  /** Forget ids whose command has expired (an expired command is refused anyway) and shrink the log. */
  prune(now: number): void {
    let changed = false;
    for (const [id, exp] of this.seen) {
      if (exp + this.graceMs < now) {
        this.seen.delete(id);
        changed = true;
      }
    }
    if (changed || this.lines > this.seen.size) this.rewrite();
    else this.pruneAt = this.lines + 64;
  }

  get size(): number {
    return this.seen.size;
  }

  /** The ids currently remembered, as stored. */
  ids(): string[] {
    return [...this.seen.keys()];
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    this.fd = openSync(this.file, 'a');
    return this.fd;
  }

  private rewrite(): void {
    this.close();
    const text = [...this.seen].map(([id, exp]) => `${id} ${Math.round(exp)}\n`).join('');
    writeFileAtomic(this.file, text);
    this.lines = this.seen.size;
    this.pruneAt = 2 * this.seen.size + 64;
    this.open();
  }
}
