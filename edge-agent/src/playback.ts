import type { MediaRef } from '@dlb/protocol';
import { type Current, plan, type QueueItem } from './planner.ts';
import type { Player } from './player.ts';
import { errorText, type Logger, silentLogger, type TimerHandle, type Timers } from './runtime.ts';

export interface PlayItem extends QueueItem {
  media: MediaRef;
  title?: string;
  /** Volume forced by the command (emergencies); otherwise the terminal's volume. */
  volume?: number;
  /** Local path once cached. */
  file?: string;
}

export type NewPlayItem = Omit<PlayItem, 'arrival' | 'queuedAt' | 'ready' | 'file'>;

export type PlaybackOutcome =
  | { kind: 'waiting'; item: PlayItem }
  | { kind: 'playing'; item: PlayItem; startedAt: number }
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
  private readonly log: Logger;

  constructor(private readonly deps: PlaybackDeps) {
    this.log = deps.log ?? silentLogger;
  }

  /** Accept an item whose audio is still to be fetched; it waits (and may expire) until markReady. */
  add(item: NewPlayItem, queuedAt = this.deps.now()): void {
    if (this.stopped) return;
    this.queue.push({ ...item, queuedAt, arrival: this.arrival++, ready: false });
    this.changed();
    this.reconcile();
  }

  /** The audio is cached: report waiting and let the planner consider it. */
  markReady(commandId: string, file: string): boolean {
    const item = this.queue.find((i) => i.commandId === commandId);
    if (this.stopped || !item || item.ready) return false;
    item.ready = true;
    item.file = file;
    this.deps.onOutcome({ kind: 'waiting', item });
    this.changed();
    this.reconcile();
    return true;
  }

  /** Fetching the audio failed: drop the item with that reason. */
  fail(commandId: string, reason: string): boolean {
    const item = this.queue.find((i) => i.commandId === commandId);
    if (this.stopped || !item) return false;
    this.queue = this.queue.filter((i) => i !== item);
    this.deps.onOutcome({ kind: 'failed', item, reason });
    this.changed();
    this.reconcile();
    return true;
  }

  /** Cancel a broadcast, waiting or playing. Returns how many items it ended. */
  stop(broadcastId: string, reason = 'stopped'): number {
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

  /** Re-plan now (also called by the wake-up timer). */
  reconcile(): void {
    if (this.stopped) return;
    this.deps.timers.clearTimeout(this.wake);
    this.wake = null;
    const now = this.deps.now();
    const p = plan(this.current, this.queue, now);
    this.queue = p.queue;
    for (const item of p.expire) {
      this.deps.onOutcome({ kind: 'failed', item, reason: 'expired' });
    }
    if (p.preempt && this.current) {
      const cur = this.current;
      this.current = null;
      cur.abort.abort();
      this.deps.onOutcome({
        kind: 'cancelled',
        item: cur.item,
        reason: 'preempted',
        startedAt: cur.startedAt,
        endedAt: now,
      });
    }
    if (p.start) this.begin(p.start, now);
    if (p.expire.length > 0 || p.preempt || p.start) this.changed();
    if (p.wakeAt !== null) {
      this.wake = this.deps.timers.setTimeout(
        () => this.reconcile(),
        Math.max(0, p.wakeAt - this.deps.now()),
      );
    }
  }

  private begin(item: PlayItem, startedAt: number): void {
    const abort = new AbortController();
    const running: Running = { item, startedAt, abort };
    this.current = running;
    this.deps.onOutcome({ kind: 'playing', item, startedAt });
    const req = {
      commandId: item.commandId,
      broadcastId: item.broadcastId,
      file: item.file ?? '',
      durationMs: item.media.durationMs,
      volume: item.volume ?? this.deps.volume(),
    };
    let promise: Promise<void>;
    try {
      promise = this.deps.player.play(req, abort.signal);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      () => this.finish(running, null),
      (err: unknown) => this.finish(running, err),
    );
  }

  private finish(running: Running, err: unknown): void {
    if (this.current !== running || this.stopped) return; // already preempted, stopped or shut down
    this.current = null;
    const endedAt = this.deps.now();
    const { item, startedAt } = running;
    if (err) {
      this.log.warn(`播放失败: ${errorText(err)}`, { commandId: item.commandId });
      this.deps.onOutcome({ kind: 'failed', item, reason: 'player-failed', startedAt, endedAt });
    } else {
      this.deps.onOutcome({ kind: 'played', item, startedAt, endedAt });
    }
    this.changed();
    this.reconcile();
  }

  private changed(): void {
    if (!this.stopped) this.deps.onChange(this.snapshot());
  }

  /**
   * Stop everything without reporting: the journal keeps what was playing and waiting, so a restart
   * reports the interrupted play as 'agent-restarted' and resumes the queue.
   */
  shutdown(): void {
    this.stopped = true;
    this.deps.timers.clearTimeout(this.wake);
    this.wake = null;
    this.current?.abort.abort();
  }
}
