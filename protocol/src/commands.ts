import type { z } from 'zod';
import { type AlertBody, AlertBodySchema, type AlertCancelBody, AlertCancelBodySchema } from './alert.ts';
import {
  type PlayBody,
  PlayBodySchema,
  type StopBody,
  StopBodySchema,
  type VolumeBody,
  VolumeBodySchema,
} from './messages.ts';

/** Every command a terminal accepts, by envelope kind. */
export const COMMAND_KINDS = ['play', 'stop', 'volume', 'alert', 'alert-cancel'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const CommandBodySchemas = {
  play: PlayBodySchema,
  stop: StopBodySchema,
  volume: VolumeBodySchema,
  alert: AlertBodySchema,
  'alert-cancel': AlertCancelBodySchema,
} as const satisfies Record<CommandKind, z.ZodType>;

export type Command =
  | { kind: 'play'; body: PlayBody }
  | { kind: 'stop'; body: StopBody }
  | { kind: 'volume'; body: VolumeBody }
  | { kind: 'alert'; body: AlertBody }
  | { kind: 'alert-cancel'; body: AlertCancelBody };
