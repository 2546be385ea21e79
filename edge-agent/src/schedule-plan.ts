/**
 * The schedule planner: pure, no IO (like planner.ts for playback). Given the held target, what the entry
 * ledger says, which entries playback holds, what audio is cached, and the corrected time, it says which
 * entries to hand to playback now, which to report as failed or cancel, which audio must be kept and
 * fetched, and when to look again. Rules:
 * - an entry is armed `prerollMs` before its startAt (later, up to its latestStartAt, if its audio came late
 *   or the terminal was off); playback then starts it on the instant;
 * - an entry never plays twice: once ended (final outcome reported) it is left alone, and one armed before a
 *   restart whose startAt has passed is reported 'agent-restarted', never replayed;
 * - an entry not armed by its latestStartAt is reported once: 'missed' (terminal off, target expired,
 *   outranked), or the download's failure if its audio was fetched and never arrived;
 * - nothing is armed from an expired target; an armed entry that has not started is cancelled when the
 *   target expires ('expired') or a newer target no longer carries it ('superseded').
 */
import type { MediaRef, TargetEntry } from '@dlb/protocol';
import type { EntryState } from './entry-ledger.ts';

export interface ScheduleInput {
  /** The held target's entries ([] when none is held). */
  entries: readonly TargetEntry[];
  /** A target is held and not past its expiry. */
  valid: boolean;
  /** The held target's expiry (ignored when not valid). */
  expiresAt: number;
  /** Corrected clock. */
  now: number;
  prerollMs: number;
  /** Entries whose latestStartAt lies further back than this are forgotten (the ledger forgets them too). */
  horizonMs: number;
  ledger: (id: string) => EntryState | undefined;
  /** Schedule entries playback holds now, by id. */
  live: ReadonlyMap<string, 'waiting' | 'playing'>;
  cached: (sha256: string) => boolean;
  /** Why the entry's audio is not here although it was tried ('download-failed' while still in flight). */
  mediaFailure: (sha256: string) => string | undefined;
}

export interface SchedulePlan {
  /** Hand to playback now (their audio is cached). */
  arm: TargetEntry[];
  /** Report once as failed with this reason (never armed in this run). */
  fail: Array<{ entry: TargetEntry; reason: string }>;
  /** Cancel in playback (armed, not started). */
  cancel: Array<{ id: string; reason: 'superseded' | 'expired' }>;
  /** Audio of entries still ahead, earliest needed first: keep it pinned, fetch what is missing. */
  keep: MediaRef[];
  /** When to plan again if nothing else happens. */
  wakeAt: number | null;
}

export function planSchedule(s: ScheduleInput): SchedulePlan {
  const arm: TargetEntry[] = [];
  const fail: SchedulePlan['fail'] = [];
  const cancel: SchedulePlan['cancel'] = [];
  const keep = new Map<string, MediaRef>();
  let wakeAt: number | null = null;
  const wake = (at: number) => {
    if (wakeAt === null || at < wakeAt) wakeAt = at;
  };

  const carried = new Set<string>();
  // Earliest first, so `keep` lists the audio in the order it will be needed.
  for (const e of [...s.entries].sort((a, b) => a.startAt - b.startAt)) {
    carried.add(e.id);
    if (e.latestStartAt < s.now - s.horizonMs) continue;
    const state = s.ledger(e.id);
    if (state === 'ended' || s.live.has(e.id)) continue;
    if (state === 'armed' && e.startAt <= s.now) {
      // Armed before a restart and its instant has passed: it may have sounded; never again.
      fail.push({ entry: e, reason: 'agent-restarted' });
      continue;
    }
    const cached = s.cached(e.media.sha256);
    if (s.now > e.latestStartAt) {
      fail.push({
        entry: e,
        reason: (cached ? undefined : s.mediaFailure(e.media.sha256)) ?? 'missed',
      });
      continue;
    }
    wake(e.latestStartAt + 1);
    if (!s.valid) continue;
    keep.set(e.media.sha256, e.media);
    const armAt = e.startAt - s.prerollMs;
    if (s.now >= armAt) {
      if (cached) arm.push(e);
      // else: armed as soon as the download lands, or reported at latestStartAt
    } else wake(armAt);
  }
  for (const [id, status] of s.live) {
    if (status !== 'waiting') continue; // a started entry plays out
    if (!s.valid) cancel.push({ id, reason: 'expired' });
    else if (!carried.has(id)) cancel.push({ id, reason: 'superseded' });
  }
  if (s.valid) wake(s.expiresAt + 1);
  arm.sort((a, b) => a.startAt - b.startAt);
  return { arm, fail, cancel, keep: [...keep.values()], wakeAt };
}

export interface TargetSummary {
  version: number;
  entries: number;
  nextSlotKey: string | null;
  nextStartAt: number | null;
  nextSlotCached: boolean;
  nextSlotMissing: number;
}

/**
 * The target as the state message shows it. The next slot is the slot of the earliest entry not yet
 * ended (playing, armed or ahead); it is cached when every such entry of that slot has its audio on the card.
 */
export function summarizeTarget(
  t: { version: number; entries: readonly TargetEntry[]; valid: boolean },
  now: number,
  ledger: (id: string) => EntryState | undefined,
  live: ReadonlyMap<string, 'waiting' | 'playing'>,
  cached: (sha256: string) => boolean,
): TargetSummary {
  const pending = t.valid
    ? t.entries.filter((e) => live.has(e.id) || (ledger(e.id) !== 'ended' && e.latestStartAt >= now))
    : [];
  let first: TargetEntry | null = null;
  for (const e of pending) if (first === null || e.startAt < first.startAt) first = e;
  const slot = first ? pending.filter((e) => e.slotKey === first.slotKey) : [];
  const missing = slot.filter((e) => !cached(e.media.sha256)).length;
  return {
    version: t.version,
    entries: t.entries.length,
    nextSlotKey: first?.slotKey ?? null,
    nextStartAt: first?.startAt ?? null,
    nextSlotCached: first !== null && missing === 0,
    nextSlotMissing: missing,
  };
}
