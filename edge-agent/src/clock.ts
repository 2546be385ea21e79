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
  correctedNow(): number;
}

export interface ClockSample {
  t0: number;
  t3: number;
  serverTime: number;
}

/** NTP-style: keep the sample with the shortest round trip; offset = serverTime - midpoint of the trip. */
export function offsetFromSamples(samples: readonly ClockSample[]): number | null {
  let best: ClockSample | null = null;
  for (const s of samples) {
    if (best === null || s.t3 - s.t0 < best.t3 - best.t0) best = s;
  }
  return best === null ? null : Math.round(best.serverTime - (best.t0 + best.t3) / 2);
}

export interface ClockSyncOptions {
  /** Full URL of the time endpoint, e.g. `${serverUrl}/t/time`. */
  url: string;
  authorization: string;
  fetch?: typeof fetch;
  now?: () => number;
  timers?: Timers;
  samples?: number;
  intervalMs?: number;
  timeoutMs?: number;
  log?: Logger;
}

/** Estimates the clock offset against the centre now and every `intervalMs`; a failure keeps the last offset. */
export class ClockSync implements Clock {
  offsetMs = 0;
  /** When the offset was last measured (local clock), or null if never. */
  syncedAt: number | null = null;
  private timer: TimerHandle = null;
  private running = false;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly opts: ClockSyncOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.log ?? silentLogger;
  }

  correctedNow(): number {
    return this.now() + this.offsetMs;
  }

  /** Take the samples and update the offset; resolves true on success. */
  async syncOnce(): Promise<boolean> {
    const samples: ClockSample[] = [];
    const n = this.opts.samples ?? 4;
    for (let i = 0; i < n; i++) {
      try {
        samples.push(await this.sample());
      } catch (err) {
        this.log.warn(`校时失败: ${errorText(err)}`);
        break;
      }
    }
    const offset = offsetFromSamples(samples);
    if (offset === null) return false;
    this.offsetMs = offset;
    this.syncedAt = this.now();
    return true;
  }

  private async sample(): Promise<ClockSample> {
    const t0 = this.now();
    const res = await this.fetchFn(this.opts.url, {
      headers: { Authorization: this.opts.authorization },
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    });
    const body = (await res.json().catch(() => null)) as { serverTime?: unknown } | null;
    const t3 = this.now();
    if (!res.ok || typeof body?.serverTime !== 'number' || !Number.isFinite(body.serverTime)) {
      throw new Error(`HTTP ${res.status}: 无 serverTime`);
    }
    return { t0, t3, serverTime: body.serverTime };
  }

  /** First sync (awaited), then periodic refresh. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.syncOnce();
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.timers.setTimeout(
      () => {
        void this.syncOnce().finally(() => this.schedule());
      },
      this.opts.intervalMs ?? 10 * 60_000,
    );
  }

  stop(): void {
    this.running = false;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
