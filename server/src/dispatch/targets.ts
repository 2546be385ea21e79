import { AreaCodeSchema, TerminalIdSchema } from '@dlb/protocol';
import { z } from 'zod';

/** Where an operator sends a broadcast: one terminal, an area (village/township/county), a list, or the county. */
export const BroadcastTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('terminal'), tid: TerminalIdSchema }),
  z.object({ kind: z.literal('area'), code: AreaCodeSchema }),
  z.object({ kind: z.literal('terminals'), tids: z.array(TerminalIdSchema).min(1).max(2000) }),
  z.object({ kind: z.literal('county') }),
]);
export type BroadcastTarget = z.infer<typeof BroadcastTargetSchema>;
