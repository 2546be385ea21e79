import { z } from 'zod';
import { REJECT_REASONS } from './codes.ts';
import { AREA_CODE, TERMINAL_ID } from './divisions.ts';

/** Timestamps on the wire are epoch milliseconds (UTC instants; displayed in Asia/Shanghai). */
export const EpochMs = z.number().int().nonnegative();
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 须为64位小写十六进制');
export const TerminalIdSchema = z.string().regex(TERMINAL_ID, '终端编号须为23位数字');
export const AreaCodeSchema = z.string().regex(AREA_CODE, '行政区划代码须为6、9或12位数字');
export const GroupIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export const PriorityValue = z.number().int().min(0).max(255);

/** Whom a command is addressed to; must match the topic it arrives on (a misrouted command is refused). */
export const AudienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('terminal'), tid: TerminalIdSchema }),
  z.object({ kind: z.literal('area'), code: AreaCodeSchema }),
  z.object({ kind: z.literal('group'), gid: GroupIdSchema }),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export const MediaRefSchema = z.object({
  sha256: Sha256Hex,
  /** Path on the centre's HTTP server, resolved against the agent's serverUrl. */
  path: z.string().regex(/^\/[A-Za-z0-9/_.-]+$/),
  bytes: z.number().int().positive(),
  durationMs: z.number().int().positive(),
  mime: z.string().min(1).max(64),
});
export type MediaRef = z.infer<typeof MediaRefSchema>;

export const PlayBodySchema = z.object({
  broadcastId: z.string().min(1).max(64),
  title: z.string().max(200).optional(),
  priority: PriorityValue,
  media: MediaRefSchema,
  volume: z.number().int().min(0).max(100).optional(),
  audience: AudienceSchema,
  /** Start by the terminal's own (corrected) clock at this instant; absent means as soon as cached. */
  startAt: EpochMs.optional(),
});
export type PlayBody = z.infer<typeof PlayBodySchema>;

export const StopBodySchema = z.object({
  broadcastId: z.string().min(1).max(64),
  audience: AudienceSchema,
});
export type StopBody = z.infer<typeof StopBodySchema>;

export const VolumeBodySchema = z.object({
  volume: z.number().int().min(0).max(100),
  audience: AudienceSchema,
});
export type VolumeBody = z.infer<typeof VolumeBodySchema>;

// ---- terminal -> server ----

export const OutcomeEventSchema = z.object({
  type: z.literal('outcome'),
  seq: z.number().int().positive(),
  at: EpochMs,
  commandId: z.string().min(1).max(64),
  broadcastId: z.string().min(1).max(64),
  outcome: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  reason: z.string().max(200).optional(),
  startedAt: EpochMs.optional(),
  endedAt: EpochMs.optional(),
  /** 'schedule': an entry of the terminal's target (commandId is the entry id, broadcastId the programme). */
  source: z.enum(['command', 'schedule', 'alert']).optional(),
  /**
   * For alerts (source 'alert', broadcastId = alertId, commandId = `alertId@revision`): which part an outcome 2
   * (playing) marks. 'attention' is sent the moment the attention tone starts: the emergency-latency figure.
   */
  phase: z.enum(['attention', 'message']).optional(),
});
export type OutcomeEvent = z.infer<typeof OutcomeEventSchema>;

export const RejectedEventSchema = z.object({
  type: z.literal('rejected'),
  seq: z.number().int().positive(),
  at: EpochMs,
  commandId: z.string().max(64).optional(),
  reason: z.enum(REJECT_REASONS),
  detail: z.string().max(500).optional(),
  topic: z.string().max(200),
});
export type RejectedEvent = z.infer<typeof RejectedEventSchema>;

export const TerminalEventSchema = z.discriminatedUnion('type', [OutcomeEventSchema, RejectedEventSchema]);
export type TerminalEvent = z.infer<typeof TerminalEventSchema>;
/** What a terminal event looks like before the outbox gives it its sequence number. */
export type NewTerminalEvent = TerminalEvent extends infer E
  ? E extends TerminalEvent
    ? Omit<E, 'seq'>
    : never
  : never;

/**
 * Names one outbox's life: made when a terminal's outbox is first created, so a board that is re-imaged (and
 * counts from seq 1 again) is told apart from re-sent reports, which the centre stores once per (outbox, seq).
 */
export const OutboxIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

export const EventsMessageSchema = z.object({
  outbox: OutboxIdSchema,
  events: z.array(TerminalEventSchema).min(1).max(200),
});
export type EventsMessage = z.infer<typeof EventsMessageSchema>;

export const StateMessageSchema = z.object({
  status: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  online: z.boolean(),
  at: EpochMs,
  version: z.string().max(40).optional(),
  volume: z.number().int().min(0).max(100).optional(),
  playing: z
    .object({
      broadcastId: z.string().max(64),
      commandId: z.string().max(64),
      priority: PriorityValue,
      startedAt: EpochMs,
    })
    .nullable()
    .optional(),
  cache: z
    .object({
      bytes: z.number().int().nonnegative(),
      files: z.number().int().nonnegative(),
      limitBytes: z.number().int(),
    })
    .optional(),
  clockOffsetMs: z.number().optional(),
  /** When the offset was last measured (corrected clock); absent if never. */
  clockSyncedAt: EpochMs.optional(),
  /** The target it holds, and whether the audio of its next slot is on the card. */
  target: z
    .object({
      version: z.number().int().nonnegative(),
      entries: z.number().int().nonnegative(),
      nextSlotKey: z.string().max(64).nullable(),
      nextStartAt: EpochMs.nullable(),
      /** Every entry of the next slot has its audio cached and verified. */
      nextSlotCached: z.boolean(),
      nextSlotMissing: z.number().int().nonnegative(),
    })
    .nullable()
    .optional(),
  outboxPending: z.number().int().nonnegative().optional(),
});
export type StateMessage = z.infer<typeof StateMessageSchema>;

// ---- server -> terminal ----

/** The server has stored every event of that outbox up to and including `upTo`; the terminal may drop them. */
export const AckMessageSchema = z.object({ outbox: OutboxIdSchema, upTo: z.number().int().nonnegative() });
export type AckMessage = z.infer<typeof AckMessageSchema>;

/** Largest MQTT payload either side accepts; anything bigger is dropped unparsed. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
