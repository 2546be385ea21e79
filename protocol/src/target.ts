import { z } from 'zod';
import { AlertBodySchema, MAX_TARGET_ALERTS } from './alert.ts';
import { EpochMs, GroupIdSchema, MediaRefSchema, PriorityValue, TerminalIdSchema } from './messages.ts';

/**
 * The desired state of one terminal (DESIGN.md §3, `terminal/{tid}/target`, retained): what it must play in
 * the next 48 hours, by its own corrected clock, with or without a connection. A newer `version`
 * supersedes every older one; an entry keeps its `id` across versions, so a terminal never plays one twice.
 */
export const TargetEntrySchema = z.object({
  /** Stable for the same programme item on the same day, whatever version carries it. */
  id: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/),
  /** The programme it belongs to (reported as the outcome's broadcastId). */
  programmeId: z.string().min(1).max(64),
  /** One slot instance, e.g. `2026-11-23/morning`: entries sharing it are "the next slot". */
  slotKey: z.string().min(1).max(64),
  title: z.string().max(200).optional(),
  priority: PriorityValue,
  /** Start at this instant by the terminal's corrected clock. */
  startAt: EpochMs,
  /** If it cannot start by then (terminal was off, something higher was playing), it is skipped: neighbours
   * already played it, and starting late would echo. */
  latestStartAt: EpochMs,
  media: MediaRefSchema,
  /** Forced volume for this entry; absent means the target's volume. */
  volume: z.number().int().min(0).max(100).optional(),
  /**
   * When its slot ends. An entry held back by an emergency may still start after `latestStartAt`, as soon as
   * the alert ends, while its slot lasts: a programme still inside its slot continues.
   */
  slotEndsAt: EpochMs.optional(),
});
export type TargetEntry = z.infer<typeof TargetEntrySchema>;

/** A span in which no non-emergency audio may start (concrete instants, already resolved from local times). */
export const QuietIntervalSchema = z.object({ from: EpochMs, until: EpochMs });
export type QuietInterval = z.infer<typeof QuietIntervalSchema>;

/** Largest number of entries one target carries, so it stays well under MAX_PAYLOAD_BYTES. */
export const MAX_TARGET_ENTRIES = 120;

export const TargetBodySchema = z.object({
  tid: TerminalIdSchema,
  /** Increases whenever the content changes; a terminal ignores any version not above the one it holds. */
  version: z.number().int().positive(),
  generatedAt: EpochMs,
  /** The span the target covers; nothing outside it is known to be scheduled. */
  windowFrom: EpochMs,
  windowUntil: EpochMs,
  /** The zone the schedule was written in (informational: every instant here is already absolute). */
  timeZone: z.string().min(1).max(64),
  volume: z.number().int().min(0).max(100),
  quiet: z.array(QuietIntervalSchema).max(32),
  groups: z.array(GroupIdSchema).max(32),
  entries: z.array(TargetEntrySchema).max(MAX_TARGET_ENTRIES),
  /** The attention tone every alert starts with: pinned in the cache so an alert sounds before any download. */
  attention: MediaRefSchema.optional(),
  /** Whether this terminal is one chosen for drills; a drill alert sounds nowhere else. */
  drillEnabled: z.boolean().optional(),
  /**
   * Alerts in force for this terminal (audience: this terminal). A terminal that was offline when an alert was
   * raised sounds it from here when it comes back, if it has not expired and it has not sounded this revision.
   */
  alerts: z.array(AlertBodySchema).max(MAX_TARGET_ALERTS).optional(),
});
export type TargetBody = z.infer<typeof TargetBodySchema>;

/** Whether `at` falls inside a quiet interval. */
export function inQuietHours(quiet: readonly QuietInterval[], at: number): boolean {
  return quiet.some((q) => at >= q.from && at < q.until);
}
