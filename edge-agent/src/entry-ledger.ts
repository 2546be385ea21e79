import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from './fs-util.ts';

/** 'armed': handed to playback (its start may have begun); 'ended': its final outcome is in the outbox. */
export type EntryState = 'armed' | 'ended';

interface LedgerRecord {
  /** Entry id. */
  e: string;
  s: EntryState;
  /** When written (corrected clock). */
  at: number;
  /** The entry's latestStartAt: after it (and `at`) lies beyond the horizon, the record may be forgotten. */
  until: number;
}

/** How long records are kept; the schedule planner ignores entries older than this. */
export const LEDGER_KEEP_MS = 3 * 24 * 3600_000;

/**
 * Which schedule entries were armed or ended, as an append-only JSON-lines file fsync'd before each call
 * returns, so that the same entry is never played twice across restarts, whatever target version carries
 * it again. Compacted at start: records whose entry and writing both lie more than LEDGER_KEEP_MS back are
 * dropped; a torn last line from a crash is ignored.
 */
export class EntryLedger {
  private readonly entries = new Map<string, { state: EntryState; at: number; until: number }>();

  constructor(
    private readonly file: string,
    now: number,
    private readonly keepMs = LEDGER_KEEP_MS,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    let text: string | null = null;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // first start
    }
    let lines = 0;
    for (const line of (text ?? '').split('\n')) {
      if (!line) continue;
      lines++;
      let r: Partial<LedgerRecord>;
      try {
        r = JSON.parse(line) as Partial<LedgerRecord>;
      } catch {
        continue;
      }
      if (typeof r.e !== 'string' || (r.s !== 'armed' && r.s !== 'ended')) continue;
      const at = Number(r.at) || 0;
      const until = Number(r.until) || 0;
      const prev = this.entries.get(r.e);
      if (prev?.state === 'ended') continue; // ended is final
      this.entries.set(r.e, { state: r.s, at, until });
    }
    for (const [id, r] of this.entries) {
      if (Math.max(r.at, r.until) < now - this.keepMs) this.entries.delete(id);
    }
    // Compacted, torn tail dropped, or created (with its directory entry made durable).
    if (text === null || lines !== this.entries.size) this.rewrite();
  }

  get(id: string): EntryState | undefined {
    return this.entries.get(id)?.state;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Record that the entry was handed to playback. */
  armed(id: string, until: number, at: number): void {
    if (this.entries.get(id)?.state === 'ended') return;
    this.append({ e: id, s: 'armed', at, until });
  }

  /** Record that the entry's final outcome is reported: it never plays again. */
  ended(id: string, at: number): void {
    const prev = this.entries.get(id);
    if (prev?.state === 'ended') return;
    this.append({ e: id, s: 'ended', at, until: Math.max(at, prev?.until ?? 0) });
  }

  /** Nothing stays open between appends; kept for symmetry with the other stores. */
  close(): void {}

  /** A few records a day: open, append, fsync and close each time (no descriptor held per terminal). */
  private append(r: LedgerRecord): void {
    this.entries.set(r.e, { state: r.s, at: r.at, until: r.until });
    const fd = openSync(this.file, 'a');
    try {
      const line = Buffer.from(`${JSON.stringify(r)}\n`, 'utf8');
      let off = 0;
      while (off < line.length) off += writeSync(fd, line, off, line.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private rewrite(): void {
    const text = [...this.entries]
      .map(
        ([e, r]) => `${JSON.stringify({ e, s: r.state, at: r.at, until: r.until } satisfies LedgerRecord)}\n`,
      )
      .join('');
    writeFileAtomic(this.file, text);
  }
}
