import type { MediaRef, QuietInterval } from '@dlb/protocol';
import { MediaError } from './media-cache.ts';
import { type Current, plan, type QueueItem } from './planner.ts';
import type { Player } from './player.ts';
import { errorText, type Logger, silentLogger, type TimerHandle, type Timers } from './runtime.ts';

/** The rest of an alert's sequence after its attention tone (the item's `media`). */
export interface AlertParts {
  alertId: string;
  revision: number;
  drillNotice?: MediaRef;
  message: MediaRef;
  repeat: number;
  intervalMs: number;
}

/** Plays an alert's whole sequence; `onMessage` is called the instant the message audio first starts. */
export type SequenceRunner = (
  item: PlayItem,
  volume: number,
  signal: AbortSignal,
  onMessage: () => void,
) => Promise<void>;

export interface PlayItem extends QueueItem {
  media: MediaRef;
  title?: string;
  /** Volume forced by the command (emergencies); otherwise the terminal's volume. */
  volume?: number;
  /** Local path once cached. */
  file?: string;
  /** 'schedule': an entry of the terminal's target (commandId is the entry id, broadcastId its programme). */
  source?: 'command' | 'schedule' | 'alert';
  /** Stop the sound at this instant if it still plays (an alert's expiry): outcome failed 'expired'. */
  cutAt?: number;
  /** An alert: `media` is its attention tone, the rest follows (played by PlaybackDeps.sequence). */
  alert?: AlertParts;
}

export type NewPlayItem = Omit<PlayItem, 'arrival' | 'queuedAt' | 'ready' | 'file'>;

export type PlaybackOutcome =
  | { kind: 'waiting'; item: PlayItem }
  | { kind: 'playing'; item: PlayItem; startedAt: number; phase?: 'attention' | 'message' }
  | { kind: 'played'; item: PlayItem; startedAt: number; endedAt: number }
  | { kind: 'failed'; item: PlayItem; reason: string; startedAt?: number; endedAt?: number }
  | { kind: 'cancelled'; item: PlayItem; reason: string; startedAt?: number; endedAt?: number };

export interface PlaybackSnapshot {
  playing: { item: PlayItem; startedAt: number } | null;
  queue: PlayItem[];
}

export interface PlaybackDeps {
  player: Player;
  /** Corrected clock. */
  now: () => number;
  timers: Timers;
  /** The terminal's current volume, used when a command does not force one. */
  volume: () => number;
  /** Called synchronously for every outcome, before the state it leads to is persisted. */
  onOutcome: (o: PlaybackOutcome) => void;
  /** Called synchronously after every change of what plays or waits. */
  onChange: (s: PlaybackSnapshot) => void;
  /** Quiet intervals of the held target: non-emergency audio does not start inside them. */
  quiet?: () => readonly QuietInterval[];
  /**
   * Run the reports of a start later (e.g. setImmediate): the audio has started, and the fsyncs behind the
   * reports then no longer hold up other timers due at the same instant (other terminals in the simulator).
   * Order is kept: any later call into Playback reports what is pending first. Default: report at once.
   */
  defer?: (fn: () => void) => void;
  /** Plays items that carry `alert` (default: only their attention tone, through the player). */
  sequence?: SequenceRunner;
  log?: Logger;
}

interface Running extends Current<PlayItem> {
  abort: AbortController;
}

/** Carries out the planner's decisions: starts and interrupts the player, and keeps a wake-up timer. */
export class Playback {
  private queue: PlayItem[] = [];
  private current: Running | null = null;
  private wake: TimerHandle = null;
  private arrival = 0;
  private stopped = false;
  /** Reports of a start not yet made (see PlaybackDeps.defer). */
  private pending: Array<() => void> = [];
  private flushQueued = false;
  /** Inside batch(): re-planning waits until it returns. */
  private holding = 0;
  private readonly log: Logger;

  constructor(private readonly deps: PlaybackDeps) {
    this.log = deps.log ?? silentLogger;
  }

  /**
   * Accept an item. Without `file` its audio is still to be fetched: it waits (and may expire) until
   * markReady. With `file` (already cached) it is ready at once and reported waiting (one journal write).
   */
  add(item: NewPlayItem, queuedAt = this.deps.now(), file?: string): void {
    this.flush();
    if (this.stopped) return;
    const queued: PlayItem = { ...item, queuedAt, arrival: this.arrival++, ready: file !== undefined };
    if (file !== undefined) queued.file = file;
    this.queue.push(queued);
    const waiting = () => {
      if (file !== undefined) this.deps.onOutcome({ kind: 'waiting', item: queued });
    };
    if (item.source === 'alert' && this.holding === 0) {
      this.reconcile(waiting); // the attention tone starts before any report is written
      return;
    }
    waiting();
    this.changed();
    this.reconcile();
  }

  /** Run `fn` (several stops and adds) and re-plan once afterwards, so nothing starts in between. */
  batch(fn: () => void): void {
    this.holding++;
    try {
      fn();
    } finally {
      this.holding--;
    }
    this.changed();
    this.reconcile();
  }

  /** The audio is cached: report waiting and let the planner consider it. */
  markReady(commandId: string, file: string): boolean {
    this.flush();
    const item = this.queue.find((i) => i.commandId === commandId);
    if (this.stopped || !item || item.ready) return false;
    item.ready = true;
    item.file = file;
    const waiting = () => this.deps.onOutcome({ kind: 'waiting', item });
    if (item.source === 'alert') {
      this.reconcile(waiting);
      return true;
    }
    waiting();
    this.changed();
    this.reconcile();
    return true;
  }

  /** Fetching the audio failed: drop the item with that reason. */
  fail(commandId: string, reason: string): boolean {
    this.flush();
    const item = this.queue.find((i) => i.commandId === commandId);
    if (this.stopped || !item) return false;
    this.queue = this.queue.filter((i) => i !== item);
    this.deps.onOutcome({ kind: 'failed', item, reason });
    this.changed();
    this.reconcile();
    return true;
  }

  /** Cancel one item that has not started (a schedule entry a newer target dropped). */
  cancel(commandId: string, reason: string): boolean {
    this.flush();
    const item = this.queue.find((i) => i.commandId === commandId);
    if (this.stopped || !item) return false;
    this.queue = this.queue.filter((i) => i !== item);
    this.deps.onOutcome({ kind: 'cancelled', item, reason });
    this.changed();
    this.reconcile();
    return true;
  }

  /** Cancel a broadcast, waiting or playing. Returns how many items it ended. */
  stop(broadcastId: string, reason = 'stopped'): number {
    this.flush();
    if (this.stopped) return 0;
    const now = this.deps.now();
    const hit = this.queue.filter((i) => i.broadcastId === broadcastId);
    this.queue = this.queue.filter((i) => i.broadcastId !== broadcastId);
    for (const item of hit) this.deps.onOutcome({ kind: 'cancelled', item, reason });
    let n = hit.length;
    const cur = this.current;
    if (cur && cur.item.broadcastId === broadcastId) {
      this.current = null;
      cur.abort.abort();
      this.deps.onOutcome({
        kind: 'cancelled',
        item: cur.item,
        reason,
        startedAt: cur.startedAt,
        endedAt: now,
      });
      n++;
    }
    if (n > 0) {
      this.changed();
      this.reconcile();
    }
    return n;
  }

  playing(): { item: PlayItem; startedAt: number } | null {
    return this.current ? { item: this.current.item, startedAt: this.current.startedAt } : null;
  }

  queued(): readonly PlayItem[] {
    return this.queue;
  }

  has(commandId: string): boolean {
    return this.current?.item.commandId === commandId || this.queue.some((i) => i.commandId === commandId);
  }

  snapshot(): PlaybackSnapshot {
    return { playing: this.playing(), queue: [...this.queue] };
  }

  /**
   * Re-plan now (also called by the wake-up timer). The audio starts first and is reported after: the
   * reports are fsync'd (slow on an SD card) and must not delay the start that neighbours share.
   */
  reconcile(before?: () => void): void {
    if (this.stopped || this.holding > 0) {
      before?.();
      return;
    }
    this.flush();
    this.deps.timers.clearTimeout(this.wake);
    this.wake = null;
    const now = this.deps.now();
    const cut =
      this.current?.item.cutAt !== undefined && now >= this.current.item.cutAt ? this.current : null;
    if (cut) {
      this.current = null;
      cut.abort.abort();
    }
    const p = plan(this.current, this.queue, now, this.deps.quiet?.() ?? []);
    this.queue = p.queue;
    for (const item of p.overdue) item.overdue = true;
    const preempted = p.preempt ? this.current : null;
    if (preempted) {
      this.current = null;
      preempted.abort.abort();
    }
    const started = p.start ? this.begin(p.start) : null;
    const report = () => {
      before?.();
      if (cut) {
        const { item, startedAt } = cut;
        this.deps.onOutcome({ kind: 'failed', item, reason: 'expired', startedAt, endedAt: now });
      }
      if (preempted) {
        this.deps.onOutcome({
          kind: 'cancelled',
          item: preempted.item,
          reason: 'preempted',
          startedAt: preempted.startedAt,
          endedAt: started?.startedAt ?? now,
        });
      }
      for (const item of p.expire) {
        this.deps.onOutcome({
          kind: 'failed',
          item,
          reason: item.source === 'schedule' ? 'missed' : 'expired',
        });
      }
      for (const item of p.refuse) this.deps.onOutcome({ kind: 'failed', item, reason: 'quiet-hours' });
      if (started) this.deps.onOutcome({ kind: 'playing', item: started.item, startedAt: started.startedAt });
      if (before || cut || p.expire.length > 0 || p.refuse.length > 0 || preempted || started) {
        this.changed();
      }
    };
    if (started && this.deps.defer) {
      this.pending.push(report);
      if (!this.flushQueued) {
        this.flushQueued = true;
        this.deps.defer(() => {
          this.flushQueued = false;
          this.flush();
        });
      }
    } else report();
    const cutAt = this.current?.item.cutAt;
    const wakeAt = cutAt !== undefined && (p.wakeAt === null || cutAt < p.wakeAt) ? cutAt : p.wakeAt;
    if (wakeAt !== null && !this.stopped) {
      this.deps.timers.clearTimeout(this.wake); // an outcome handler may have re-planned meanwhile
      this.wake = this.deps.timers.setTimeout(() => this.reconcile(), Math.max(0, wakeAt - this.deps.now()));
    }
  }

  /** Make the reports still pending from a start, in order. */
  private flush(): void {
    while (this.pending.length > 0 && !this.stopped) this.pending.shift()!();
  }

  /** Start the player at once; the caller reports 'playing' afterwards. */
  private begin(item: PlayItem): Running {
    const abort = new AbortController();
    const startedAt = this.deps.now();
    const running: Running = { item, startedAt, abort };
    this.current = running;
    const volume = item.volume ?? this.deps.volume();
    const req = {
      commandId: item.commandId,
      broadcastId: item.broadcastId,
      file: item.file ?? '',
      durationMs: item.media.durationMs,
      volume,
      ...(item.alert ? { part: 'attention' as const } : {}),
    };
    let promise: Promise<void>;
    try {
      const seq = item.alert ? this.deps.sequence : undefined;
      promise = seq
        ? seq(item, volume, abort.signal, () => this.phase(running))
        : this.deps.player.play(req, abort.signal);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      () => this.finish(running, null),
      (err: unknown) => this.finish(running, err),
    );
    return running;
  }

  private finish(running: Running, err: unknown): void {
    this.flush();
    if (this.current !== running || this.stopped) return; // already preempted, stopped or shut down
    this.current = null;
    const endedAt = this.deps.now();
    const { item, startedAt } = running;
    if (err) {
      this.log.warn(`播放失败: ${errorText(err)}`, { commandId: item.commandId });
      const reason = err instanceof MediaError ? err.reason : 'player-failed';
      this.deps.onOutcome({ kind: 'failed', item, reason, startedAt, endedAt });
    } else {
      this.deps.onOutcome({ kind: 'played', item, startedAt, endedAt });
    }
    this.changed();
    this.reconcile();
  }

  /** An alert's message audio started (its attention tone was reported first). */
  private phase(running: Running): void {
    this.flush();
    if (this.current !== running || this.stopped) return;
    const { item, startedAt } = running;
    this.deps.onOutcome({ kind: 'playing', item, startedAt, phase: 'message' });
  }

  private changed(): void {
    if (!this.stopped) this.deps.onChange(this.snapshot());
  }

  /**
   * Stop everything without reporting: the journal keeps what was playing and waiting, so a restart
   * reports the interrupted play as 'agent-restarted' and resumes the queue.
   */
  shutdown(): void {
    this.flush(); // the journal must show what started
    this.stopped = true;
    this.deps.timers.clearTimeout(this.wake);
    this.wake = null;
    this.current?.abort.abort();
  }
}
