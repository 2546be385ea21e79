import { type MediaRef, type NewTerminalEvent, Outcome, type TargetEntry } from '@dlb/protocol';
import { type EntryLedger, LEDGER_KEEP_MS } from './entry-ledger.ts';
import { type MediaCache, MediaError } from './media-cache.ts';
import type { NewPlayItem, Playback } from './playback.ts';
import {
  backoffDelay,
  errorText,
  type Logger,
  silentLogger,
  type TimerHandle,
  type Timers,
} from './runtime.ts';
import { planSchedule, summarizeTarget, type TargetSummary } from './schedule-plan.ts';
import type { TargetStore } from './target-store.ts';

export interface SchedulerDeps {
  /** Corrected clock. */
  now: () => number;
  timers: Timers;
  random: () => number;
  store: TargetStore;
  ledger: EntryLedger;
  playback: Playback;
  cache: MediaCache;
  /** Queue a play item (pins its audio, marks it ready once cached). */
  accept: (item: NewPlayItem) => void;
  /** Append an event to the outbox. */
  record: (e: NewTerminalEvent) => void;
  /** The next slot (or its cache status) changed: publish state. */
  onSummaryChange: () => void;
  /** Hand an entry to playback this long before its startAt (default 2000 ms). */
  prerollMs?: number;
  /** Backoff between failed downloads of an entry's audio while it is still ahead. */
  retry?: { minMs: number; maxMs: number };
  /** Re-plan at least this often, whatever the next event (guards against clock steps; default 60 s). */
  maxSleepMs?: number;
  /** Prefetches at a time, earliest needed first (default 2: a 4G link is better used for one file at a time). */
  maxDownloads?: number;
  log?: Logger;
}

interface MediaFailure {
  reason: string;
  attempts: number;
  retryAt: number;
}

/**
 * Carries out the schedule planner's decisions (schedule-plan.ts) against playback, the media cache and the
 * entry ledger: prefetches and pins the audio the target references, arms entries, reports the missed and
 * the superseded, and sleeps on the injected timers until the next thing to do.
 */
export class Scheduler {
  private timer: TimerHandle = null;
  private stopped = false;
  private busy = false;
  private again = false;
  private queued = false;
  private readonly pinned = new Set<string>();
  private readonly inflight = new Set<string>();
  private readonly failures = new Map<string, MediaFailure>();
  private lastSummary = '';
  private readonly log: Logger;
  private readonly prerollMs: number;
  private readonly maxDownloads: number;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log ?? silentLogger;
    this.prerollMs = deps.prerollMs ?? 2000;
    this.maxDownloads = deps.maxDownloads ?? 2;
  }

  /** Schedule entries playback holds now. */
  private live(): Map<string, 'waiting' | 'playing'> {
    const m = new Map<string, 'waiting' | 'playing'>();
    for (const i of this.deps.playback.queued()) if (i.source === 'schedule') m.set(i.commandId, 'waiting');
    const p = this.deps.playback.playing();
    if (p?.item.source === 'schedule') m.set(p.item.commandId, 'playing');
    return m;
  }

  private readonly cached = (sha: string): boolean => this.deps.cache.has(sha);

  /** Re-plan soon (after the current call stack: outcome handlers call this). */
  poke(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.reconcile();
    });
  }

  /** Re-plan now and carry the plan out. */
  reconcile(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        this.step();
      } while (this.again && !this.stopped);
    } finally {
      this.busy = false;
    }
  }

  private step(): void {
    const d = this.deps;
    const now = d.now();
    const held = d.store.held;
    const valid = d.store.valid(now);
    const p = planSchedule({
      entries: held?.body.entries ?? [],
      valid,
      expiresAt: held?.expiresAt ?? 0,
      now,
      prerollMs: this.prerollMs,
      horizonMs: LEDGER_KEEP_MS,
      ledger: (id) => d.ledger.get(id),
      live: this.live(),
      cached: this.cached,
      mediaFailure: (sha) =>
        this.failures.get(sha)?.reason ?? (this.inflight.has(sha) ? 'download-failed' : undefined),
    });
    for (const c of p.cancel) {
      this.log.info(`取消已排定的节目 (${c.reason === 'superseded' ? '新目标已不含此条' : '目标已过期'})`, {
        entryId: c.id,
      });
      d.playback.cancel(c.id, c.reason);
    }
    for (const f of p.fail) {
      this.log.warn(`节目未能播出: ${f.reason}`, { entryId: f.entry.id, startAt: f.entry.startAt });
      d.record({
        type: 'outcome',
        at: now,
        commandId: f.entry.id,
        broadcastId: f.entry.programmeId,
        outcome: Outcome.failed,
        reason: f.reason,
        source: 'schedule',
      });
    }
    for (const e of p.arm) this.arm(e);
    // The attention tone every alert starts with is kept on the card, first of all.
    const attention = valid ? held?.body.attention : undefined;
    const keep = attention ? [attention, ...p.keep] : p.keep;
    this.keepMedia(keep, now);
    this.sleepUntil(this.nextWake(p.wakeAt, keep));
    this.checkSummary();
  }

  /** Hand to playback. Its journal (written before this returns) is the record that it was armed. */
  private arm(e: TargetEntry): void {
    this.deps.accept({
      commandId: e.id,
      broadcastId: e.programmeId,
      priority: e.priority,
      startAt: e.startAt,
      expiresAt: e.latestStartAt,
      media: e.media,
      source: 'schedule',
      slotKey: e.slotKey,
      ...(e.slotEndsAt !== undefined ? { slotEndsAt: e.slotEndsAt } : {}),
      ...(e.title !== undefined ? { title: e.title } : {}),
      ...(e.volume !== undefined ? { volume: e.volume } : {}),
    });
  }

  /** Pin exactly the audio still needed; fetch what is missing (with backoff after a failure). */
  private keepMedia(keep: readonly MediaRef[], now: number): void {
    const want = new Set(keep.map((m) => m.sha256));
    for (const sha of this.pinned) {
      if (!want.has(sha)) {
        this.deps.cache.unpin(sha);
        this.pinned.delete(sha);
      }
    }
    for (const sha of [...this.failures.keys()]) if (!want.has(sha)) this.failures.delete(sha);
    for (const m of keep) {
      if (!this.pinned.has(m.sha256)) {
        this.deps.cache.pin(m.sha256);
        this.pinned.add(m.sha256);
      }
      if (this.deps.cache.has(m.sha256) || this.inflight.has(m.sha256)) continue;
      const f = this.failures.get(m.sha256);
      if ((f && now < f.retryAt) || this.inflight.size >= this.maxDownloads) continue;
      this.fetch(m);
    }
  }

  private fetch(m: MediaRef): void {
    this.inflight.add(m.sha256);
    this.deps.cache.ensure(m).then(
      () => {
        this.inflight.delete(m.sha256);
        this.failures.delete(m.sha256);
        this.reconcile();
      },
      (err: unknown) => {
        this.inflight.delete(m.sha256);
        if (this.stopped) return;
        const prev = this.failures.get(m.sha256);
        const attempts = (prev?.attempts ?? 0) + 1;
        const r = this.deps.retry ?? { minMs: 30_000, maxMs: 10 * 60_000 };
        const delay = backoffDelay(attempts - 1, r.minMs, r.maxMs, this.deps.random);
        const reason = err instanceof MediaError ? err.reason : 'download-failed';
        this.failures.set(m.sha256, { reason, attempts, retryAt: this.deps.now() + delay });
        this.log.warn(
          `预取节目音频失败 (第${attempts}次), ${Math.round(delay / 1000)} 秒后重试: ${errorText(err)}`,
          {
            sha256: m.sha256,
          },
        );
        this.reconcile();
      },
    );
  }

  private nextWake(planWake: number | null, keep: readonly MediaRef[]): number | null {
    let at = planWake;
    for (const m of keep) {
      const f = this.failures.get(m.sha256);
      if (f && !this.inflight.has(m.sha256) && (at === null || f.retryAt < at)) at = f.retryAt;
    }
    return at;
  }

  private sleepUntil(at: number | null): void {
    this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    if (at === null && !this.deps.store.held) return;
    const max = this.deps.maxSleepMs ?? 60_000;
    const delay = at === null ? max : Math.min(max, Math.max(0, at - this.deps.now()));
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.reconcile();
    }, delay);
  }

  /** The target as the state message shows it, or null when none is held. */
  summary(): TargetSummary | null {
    const held = this.deps.store.held;
    if (!held) return null;
    const now = this.deps.now();
    return summarizeTarget(
      { version: held.body.version, entries: held.body.entries, valid: this.deps.store.valid(now) },
      now,
      (id) => this.deps.ledger.get(id),
      this.live(),
      this.cached,
    );
  }

  private checkSummary(): void {
    const s = this.summary();
    const key = s
      ? `${s.version}|${s.nextSlotKey}|${s.nextStartAt}|${s.nextSlotCached}|${s.nextSlotMissing}`
      : '';
    if (key === this.lastSummary) return;
    this.lastSummary = key;
    this.deps.onSummaryChange();
  }

  /** Stop planning (on agent stop); pins are dropped with the cache. */
  stop(): void {
    this.stopped = true;
    this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
