/**
 * Acknowledgements of terminals' reports, held back while reports keep arriving and sent once they pause.
 *
 * An ack only lets a terminal drop events from its on-disk outbox (it re-sends after a minute without one, and
 * the centre stores a re-sent report once), so it is never urgent. When every speaker in the county reports an
 * alert at once, sending 5000 acks in the middle of that burst doubles the broker's and the terminals' work
 * exactly when the reports themselves should come first. Acks for one outbox are coalesced to the highest.
 */
export interface ReportAckDeps {
  send: (tid: string, ack: { outbox: string; upTo: number }) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Send once no report has arrived for this long (default 100 ms). */
  quietMs?: number;
  /** ...or once the oldest held ack is this old, however busy (default 2000 ms). */
  maxHoldMs?: number;
  /** Acks sent per turn of the event loop when flushing (default 500). */
  flushBatch?: number;
}

interface Held {
  tid: string;
  outbox: string;
  upTo: number;
}

export class ReportAcks {
  private readonly held = new Map<string, Held>();
  private oldestAt = 0;
  private lastReportAt = 0;
  private timer: unknown = null;
  private stopped = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: ReportAckDeps) {
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** A report arrived (before it is stored): the burst goes on. */
  noteReport(): void {
    this.lastReportAt = this.now();
  }

  /** Hold an ack for sending; a later one for the same outbox replaces it if higher. */
  add(tid: string, outbox: string, upTo: number): void {
    if (this.stopped) return;
    const key = `${tid}\n${outbox}`;
    const prev = this.held.get(key);
    if (this.held.size === 0) this.oldestAt = this.now();
    if (!prev || upTo > prev.upTo) this.held.set(key, { tid, outbox, upTo });
    this.arm();
  }

  /** Milliseconds since the last report arrived. */
  msSinceReport(): number {
    return this.now() - this.lastReportAt;
  }

  /** How many acks are held now. */
  get pending(): number {
    return this.held.size;
  }

  private arm(): void {
    if (this.timer || this.held.size === 0) return;
    const t = this.now();
    const quietIn = this.lastReportAt + (this.deps.quietMs ?? 100) - t;
    const holdIn = this.oldestAt + (this.deps.maxHoldMs ?? 2000) - t;
    const wait = Math.max(0, Math.min(quietIn, holdIn));
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.due();
    }, wait);
  }

  private due(): void {
    const t = this.now();
    const quiet = t - this.lastReportAt >= (this.deps.quietMs ?? 100);
    const overdue = t - this.oldestAt >= (this.deps.maxHoldMs ?? 2000);
    if (quiet || overdue) this.flush();
    else this.arm();
  }

  /** Sends what is held, a batch per turn of the event loop so that reports still arriving are not held up. */
  private flush(): void {
    const batch = [...this.held.values()].slice(0, this.deps.flushBatch ?? 500);
    for (const h of batch) this.held.delete(`${h.tid}\n${h.outbox}`);
    for (const h of batch) this.deps.send(h.tid, { outbox: h.outbox, upTo: h.upTo });
    // The rest follows on the next turn, still due: it was held as long as this batch.
    if (this.held.size > 0 && !this.stopped)
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.flush();
      }, 0);
  }

  /** Stops the timer; held acks are dropped (their terminals send again and are acked then). */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clearTimer(this.timer);
    this.timer = null;
    this.held.clear();
  }
}
