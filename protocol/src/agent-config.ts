import { z } from 'zod';
import { AreaCodeSchema, GroupIdSchema, TerminalIdSchema } from './messages.ts';

export const PlayerConfigSchema = z.discriminatedUnion('kind', [
  /** Takes the audio's real duration and records start/stop, without a sound card. */
  z.object({ kind: z.literal('silent') }),
  /** A player program, e.g. mpg123 -q {file}, ffplay -nodisp -autoexit {file}; {file} is replaced by the path. */
  z.object({
    kind: z.literal('command'),
    command: z.string().min(1),
    args: z.array(z.string()).default(['{file}']),
  }),
]);
export type PlayerConfig = z.infer<typeof PlayerConfigSchema>;

/** The file the centre generates when a terminal is registered; the agent reads it at start. */
export const AgentConfigSchema = z.object({
  terminalId: TerminalIdSchema,
  name: z.string().max(100).optional(),
  serverUrl: z.url(),
  mqtt: z.object({ url: z.string().min(1), username: z.string().min(1), password: z.string().min(1) }),
  mediaToken: z.string().min(16),
  areaChain: z.array(AreaCodeSchema).min(1),
  groups: z.array(GroupIdSchema).default([]),
  /** Pinned public keys of the centre (SM2, uncompressed hex); commands signed by any other key are refused. */
  serverKeys: z
    .array(
      z.object({ kid: z.string().regex(/^[0-9a-f]{16}$/), publicKey: z.string().regex(/^04[0-9a-f]{128}$/) }),
    )
    .min(1),
  dataDir: z.string().min(1).default('./agent-data'),
  cacheLimitBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  player: PlayerConfigSchema.default({ kind: 'silent' }),
  /** Allowed clock difference when judging issuedAt/notBefore. */
  maxSkewMs: z.number().int().nonnegative().default(30_000),
  reconnect: z
    .object({ minMs: z.number().int().positive(), maxMs: z.number().int().positive() })
    .default({ minMs: 1000, maxMs: 60_000 }),
  /** How often to publish state while connected. */
  stateIntervalMs: z.number().int().positive().default(30_000),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
