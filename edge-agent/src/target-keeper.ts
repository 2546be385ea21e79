import { join } from 'node:path';
import type { NewTerminalEvent, TargetEnvelope, TerminalEvent } from '@dlb/protocol';
import { EntryLedger } from './entry-ledger.ts';
import type { JournalContent } from './journal.ts';
import type { MediaCache } from './media-cache.ts';
import type { NewPlayItem, Playback } from './playback.ts';
import type { Logger, Timers } from './runtime.ts';
import type { TargetSummary } from './schedule-plan.ts';
import { Scheduler } from './scheduler.ts';
import type { TargetStore } from './target-store.ts';

export interface ScheduleSettings {
  /** Hand an entry to playback this long before its startAt (default 2000 ms). */
  prerollMs?: number;
  /** Backoff between failed downloads of a scheduled entry's audio (default 30 s .. 10 min). */
  retry?: { minMs: number; maxMs: number };
  /** Prefetches at a time, earliest needed first (default 2). */
  maxDownloads?: number;
}

export interface TargetKeeperDeps {
  dataDir: string;
  store: TargetStore;
  /** Corrected clock. */
  now: () => number;
  timers: Timers;
  random: () => number;
  log: Logger;
  playback: Playback;
  cache: MediaCache;
  accept: (item: NewPlayItem) => void;
  record: (e: NewTerminalEvent) => void;
  /** A newer target was accepted and saved. */
  onAccepted: (env: TargetEnvelope, previous: TargetEnvelope | null) => void;
  onSummaryChange: () => void;
  settings?: ScheduleSettings;
}

const FINAL = new Set<number>([3, 4, 5]);

/**
 * The agent's side of its signed target for one run: intake (target-store.ts), the entry ledger
 * (entry-ledger.ts) and the scheduler that arms entries on time (scheduler.ts, schedule-plan.ts).
 */
export class TargetKeeper {
  readonly ledger: EntryLedger;
  readonly scheduler: Scheduler;
  readonly store: TargetStore;

  constructor(private readonly deps: TargetKeeperDeps) {
    this.store = deps.store;
    this.ledger = new EntryLedger(join(deps.dataDir, 'entries.jsonl'), deps.now());
    this.scheduler = new Scheduler({
      now: deps.now,
      timers: deps.timers,
      random: deps.random,
      store: deps.store,
      ledger: this.ledger,
      playback: deps.playback,
      cache: deps.cache,
      accept: deps.accept,
      record: deps.record,
      onSummaryChange: deps.onSummaryChange,
      log: deps.log,
      ...deps.settings,
    });
  }

  /**
   * Before anything plays (and before recovery clears the journal): entries the journal still holds were
   * armed in the last run, and the ledger is told so (arming itself writes only the journal); entries whose
   * final report already sits in the outbox are ended (the agent may have died between writing the report and
   * the ledger). Then `target.json` is loaded.
   */
  open(pending: readonly TerminalEvent[], journal: JournalContent): void {
    const now = this.deps.now();
    const armed = [...journal.queue, ...(journal.playing ? [journal.playing.item] : [])];
    for (const item of armed) {
      if (item.source === 'schedule') this.ledger.armed(item.commandId, item.expiresAt, now);
    }
    for (const e of pending) this.recorded(e);
    const t = this.store.load();
    if (t) {
      const expired = now > t.expiresAt ? ' (已过期)' : '';
      this.deps.log.info(`已载入目标 版本 ${t.body.version}, ${t.body.entries.length} 条节目${expired}`);
    }
  }

  /** Start keeping to the held target. */
  start(): void {
    this.scheduler.reconcile();
  }

  /** Every event written to the outbox: a schedule entry's final outcome ends it in the ledger. */
  recorded(e: TerminalEvent | NewTerminalEvent): void {
    if (e.type === 'outcome' && e.source === 'schedule' && FINAL.has(e.outcome)) {
      this.ledger.ended(e.commandId, e.at);
    }
  }

  /** A message on this terminal's target topic. */
  onMessage(topic: string, payload: Uint8Array): void {
    const r = this.store.offer(topic, payload, this.deps.now());
    switch (r.kind) {
      case 'ignored':
        return;
      case 'rejected':
        if (r.event) {
          this.deps.log.warn(`拒绝目标: ${r.event.reason} ${r.event.detail ?? ''}`, {
            targetId: r.event.commandId,
          });
          this.deps.record(r.event);
        }
        return;
      case 'accepted': {
        const b = r.envelope.body;
        this.deps.log.info(
          `收到新目标 版本 ${b.version}${r.previous ? ` (原 ${r.previous.body.version})` : ''}, ${b.entries.length} 条节目`,
        );
        this.deps.onAccepted(r.envelope, r.previous);
        this.scheduler.reconcile();
        return;
      }
    }
  }

  summary(): TargetSummary | null {
    return this.scheduler.summary();
  }

  stop(): void {
    this.scheduler.stop();
    this.ledger.close();
  }
}
