/**
 * The playback planner: pure, no IO. Given what is playing, what waits, and the time by the corrected
 * clock, it says what to expire, whether to preempt, what to start, and when to look again.
 * Rules (DESIGN.md §5): a higher priority preempts a lower one at once; an equal or lower one waits its
 * turn (first come, first served within a priority); `startAt` holds an item back until that instant;
 * an item whose command expired before it could start is dropped as expired; an item whose audio is
 * not yet downloaded waits without blocking others; a non-emergency item (priority below 220) that would
 * start inside a quiet interval is refused instead (emergencies ignore quiet hours). A schedule entry with
 * `slotEndsAt` that an emergency holds back (due while an emergency plays, or behind such an entry of its own
 * slot) becomes `overdue`: it may then start after its `expiresAt` (latestStartAt), until its slot ends.
 */

import { inQuietHours, Priority, type QuietInterval } from '@dlb/protocol';

/** The lowest priority that ignores quiet hours (emergency blue). */
export const EMERGENCY_MIN_PRIORITY: number = Priority.emergencyBlue;

export interface QueueItem {
  commandId: string;
  broadcastId: string;
  priority: number;
  /** The command's expiresAt: if it has not started by then, it never will. */
  expiresAt: number;
  /** Start no earlier than this instant (corrected clock). */
  startAt?: number;
  /** When the item joined the queue (corrected clock). */
  queuedAt: number;
  /** Arrival order, to keep FIFO among items queued in the same millisecond. */
  arrival: number;
  /** False while its audio is still downloading: it can expire but cannot start. */
  ready: boolean;
  /** Schedule entries: their slot, and when it ends (see `overdue`). */
  slotKey?: string;
  slotEndsAt?: number;
  /** Held back by an emergency: it may start up to slotEndsAt instead of expiresAt. */
  overdue?: boolean;
}

export interface Current<T extends QueueItem = QueueItem> {
  item: T;
  startedAt: number;
}

export interface Plan<T extends QueueItem = QueueItem> {
  /** Items that expired while waiting: outcome failed, reason 'expired'. */
  expire: T[];
  /** Items that would have started inside quiet hours: outcome failed, reason 'quiet-hours'. */
  refuse: T[];
  /** The playing item to interrupt: outcome cancelled, reason 'preempted'. */
  preempt: Current<T> | null;
  /** The item to start now. */
  start: T | null;
  /** What still waits once the plan is carried out. */
  queue: T[];
  /** When to plan again if nothing else happens (a startAt arriving, a waiting item expiring). */
  wakeAt: number | null;
  /** Items held back by an emergency from now on (the caller sets their `overdue`). */
  overdue: T[];
}

const dueTime = (item: QueueItem): number => item.startAt ?? item.queuedAt;

/** Ordering among startable items: priority first, then who was due first, then arrival. */
export function compareItems(a: QueueItem, b: QueueItem): number {
  return b.priority - a.priority || dueTime(a) - dueTime(b) || a.arrival - b.arrival;
}

export function plan<T extends QueueItem>(
  current: Current<T> | null,
  queue: readonly T[],
  now: number,
  quiet: readonly QuietInterval[] = [],
): Plan<T> {
  const expire: T[] = [];
  let alive: T[] = [];
  const overdue: T[] = [];
  const cur = current?.item;
  const emergencyNow = cur !== undefined && cur.priority >= EMERGENCY_MIN_PRIORITY;
  for (const item of queue) {
    if (
      !item.overdue &&
      item.slotEndsAt !== undefined &&
      dueTime(item) <= now &&
      (emergencyNow || (cur?.overdue === true && cur.slotKey === item.slotKey))
    ) {
      overdue.push(item);
    }
    const held = item.overdue || overdue.includes(item);
    (now > deadline(item, held) ? expire : alive).push(item);
  }

  const quietNow = quiet.length > 0 && inQuietHours(quiet, now);
  const refuse: T[] = [];
  let start: T | null = null;
  let preempt: Current<T> | null = null;
  for (;;) {
    let best: T | null = null;
    for (const item of alive) {
      if (!item.ready || (item.startAt !== undefined && item.startAt > now)) continue;
      if (best === null || compareItems(item, best) < 0) best = item;
    }
    if (best === null) break;
    const wouldStart = current === null || best.priority > current.item.priority;
    if (!wouldStart) break;
    if (quietNow && best.priority < EMERGENCY_MIN_PRIORITY) {
      refuse.push(best);
      alive = alive.filter((i) => i !== best);
      continue;
    }
    start = best;
    if (current !== null) preempt = current;
    break;
  }
  const rest = start === null ? alive : alive.filter((i) => i !== start);

  let wakeAt: number | null = null;
  for (const item of rest) {
    const held = item.startAt !== undefined && item.startAt > now ? item.startAt : Number.POSITIVE_INFINITY;
    const next = Math.min(held, deadline(item, item.overdue || overdue.includes(item)) + 1);
    if (wakeAt === null || next < wakeAt) wakeAt = next;
  }
  return { expire, refuse, preempt, start, queue: rest, wakeAt, overdue };
}

/** The last instant an item may start: its slot's end once an emergency held it back. */
function deadline(item: QueueItem, overdue: boolean | undefined): number {
  return overdue && item.slotEndsAt !== undefined
    ? Math.max(item.expiresAt, item.slotEndsAt)
    : item.expiresAt;
}
