import { readJsonOr, writeJsonAtomic } from './fs-util.ts';
import {
  errorText,
  type Logger,
  realTimers,
  silentLogger,
  type TimerHandle,
  type Timers,
} from './runtime.ts';

/** The terminal's idea of the centre's time. */
export interface Clock {
  /** Server time minus local time, in ms. */
  readonly offsetMs: number;
  /** When the offset was last measured (corrected clock), or null if never. */
  readonly syncedAt?: number | null;
  correctedNow(): number;
}

export interface ClockSample {
  t0: number;
  t3: number;
  serverTime: number;
}

/**
 * NTP-style, robust to a slow or asymmetric sample: take the third of the samples with the shortest round
 * trips (at least one) and the median of their offsets (serverTime - midpoint of the trip). A sample's
 * error is at most half its round trip, so the short ones are the trustworthy ones; the median then
 * discards a single odd one among them.
 */
export function offsetFromSamples(samples: readonly ClockSample[]): number | null {
  if (samples.length === 0) return null;
  const byRtt = [...samples].sort((a, b) => a.t3 - a.t0 - (b.t3 - b.t0));
  const best = byRtt.slice(0, Math.max(1, Math.ceil(samples.length / 3)));
  const offsets = best.map((s) => s.serverTime - (s.t0 + s.t3) / 2).sort((a, b) => a - b);
  const mid = offsets.length >> 1;
  const median = offsets.length % 2 === 1 ? offsets[mid]! : (offsets[mid - 1]! + offsets[mid]!) / 2;
  return Math.round(median) || 0; // never -0
}

export interface ClockSyncOptions {
  /** Full URL of the time endpoint, e.g. `${serverUrl}/t/time`. */
  url: string;
  authorization: string;
  fetch?: typeof fetch;
  /** Local clock. */
  now?: () => number;
  timers?: Timers;
  /** Samples per sync (default 8). */
  samples?: number;
  intervalMs?: number;
  /** After a failed sync, try again after this long, doubling up to intervalMs (default 5 s). */
  retryMinMs?: number;
  /**
   * A sync whose best round trip exceeds this is kept (its error is at most half that trip) but retried
   * soon, like a failure: a loaded link or centre gives poor samples (default 300 ms).
   */
  goodRttMs?: number;
  /** Jitter for the retries, so a village of boards back online together does not sync in lockstep. */
  random?: () => number;
  timeoutMs?: number;
  /** `clock.json`: the last offset and when it was measured, used at once on the next start. */
  file?: string;
  /** Called after every successful sync with the new offset and how much it moved. */
  onSync?: (offsetMs: number, changeMs: number) => void;
  log?: Logger;
}

interface StoredClock {
  offsetMs?: unknown;
  syncedAt?: unknown;
}

/** Estimates the clock offset against the centre now and every `intervalMs`; a failure keeps the last offset. */
export class ClockSync implements Clock {
  offsetMs = 0;
  /** When the offset was last measured (corrected clock), or null if never. */
  syncedAt: number | null = null;
  private timer: TimerHandle = null;
  private running = false;
  /** Failed or poor (slow round trip) syncs in a row. */
  private failures = 0;
  /** Shortest round trip of the last successful sync. */
  lastRttMs: number | null = null;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly opts: ClockSyncOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.log ?? silentLogger;
    this.load();
  }

  /** Whether an offset from an earlier run (or a sync) is known. */
  get known(): boolean {
    return this.syncedAt !== null;
  }

  private load(): void {
    if (!this.opts.file) return;
    const s = readJsonOr<StoredClock | null>(this.opts.file, null);
    if (typeof s?.offsetMs === 'number' && Number.isFinite(s.offsetMs) && typeof s.syncedAt === 'number') {
      this.offsetMs = s.offsetMs;
      this.syncedAt = s.syncedAt;
    }
  }

  correctedNow(): number {
    return this.now() + this.offsetMs;
  }

  /** Take the samples and update the offset; resolves true on success (never rejects). */
  async syncOnce(): Promise<boolean> {
    const samples: ClockSample[] = [];
    const n = this.opts.samples ?? 8;
    for (let i = 0; i < n; i++) {
      try {
        samples.push(await this.sample());
      } catch (err) {
        this.log.warn(`校时失败: ${errorText(err)}`);
        break;
      }
    }
    const offset = offsetFromSamples(samples);
    if (offset === null) {
      this.failures += 1;
      return false;
    }
    this.lastRttMs = Math.min(...samples.map((x) => x.t3 - x.t0));
    this.failures = this.lastRttMs > (this.opts.goodRttMs ?? 300) ? this.failures + 1 : 0;
    const change = offset - this.offsetMs;
    this.offsetMs = offset;
    this.syncedAt = this.correctedNow();
    if (this.opts.file) {
      try {
        writeJsonAtomic(this.opts.file, { offsetMs: offset, syncedAt: this.syncedAt });
      } catch (err) {
        this.log.warn(`保存时钟偏差失败: ${errorText(err)}`);
      }
    }
    this.opts.onSync?.(offset, change);
    return true;
  }

  private async sample(): Promise<ClockSample> {
    const t0 = this.now();
    const res = await this.fetchFn(this.opts.url, {
      headers: { Authorization: this.opts.authorization },
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    });
    const t3 = this.now();
    const body = (await res.json().catch(() => null)) as { serverTime?: unknown } | null;
    if (!res.ok || typeof body?.serverTime !== 'number' || !Number.isFinite(body.serverTime)) {
      throw new Error(`HTTP ${res.status}: 无 serverTime`);
    }
    return { t0, t3, serverTime: body.serverTime };
  }

  /** First sync (awaited; it never rejects, a failure keeps the stored offset), then periodic refresh. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.syncOnce();
    this.schedule();
  }

  /** The regular interval after a success; after failures a shorter, growing, jittered wait. */
  private nextDelay(): number {
    const interval = this.opts.intervalMs ?? 10 * 60_000;
    if (this.failures === 0) return interval;
    const base = Math.min(interval, (this.opts.retryMinMs ?? 5000) * 2 ** Math.min(this.failures - 1, 20));
    return Math.round(base * (0.5 + (this.opts.random ?? Math.random)() / 2));
  }

  private schedule(): void {
    if (!this.running) return;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      void this.syncOnce().finally(() => this.schedule());
    }, this.nextDelay());
  }

  stop(): void {
    this.running = false;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
