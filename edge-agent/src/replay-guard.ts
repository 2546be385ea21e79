import type { ReplayGuard } from '@dlb/protocol';
import { readJsonOr, writeJsonAtomic } from './fs-util.ts';

/**
 * Envelope ids seen, each kept until its command expires, in one JSON file rewritten atomically.
 * `remember` returns only after the id is on disk, so a command redelivered after a crash is refused.
 */
export class DiskReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly now: () => number,
    /** Keep ids this long past expiry, in case the clock is corrected backwards. */
    private readonly graceMs = 5 * 60_000,
  ) {
    const stored = readJsonOr<Record<string, unknown>>(this.file, {});
    const t = now();
    for (const [id, exp] of Object.entries(stored ?? {})) {
      if (typeof exp === 'number' && exp + graceMs >= t) this.seen.set(id, exp);
    }
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  remember(id: string, expiresAt: number): void {
    this.seen.set(id, expiresAt);
    this.prune(this.now(), false);
    this.persist();
  }

  /** Forget ids whose command has expired (an expired command is refused anyway). */
  prune(now: number, persist = true): void {
    let changed = false;
    for (const [id, exp] of this.seen) {
      if (exp + this.graceMs < now) {
        this.seen.delete(id);
        changed = true;
      }
    }
    if (changed && persist) this.persist();
  }

  get size(): number {
    return this.seen.size;
  }

  private persist(): void {
    writeJsonAtomic(this.file, Object.fromEntries(this.seen));
  }
}
