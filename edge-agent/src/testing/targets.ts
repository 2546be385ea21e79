import { randomBytes } from 'node:crypto';
import {
  type AlertBody,
  type MediaRef,
  type QuietInterval,
  type Signer,
  signTarget,
  type TargetEntry,
  type TargetEnvelope,
} from '@dlb/protocol';

export interface EntrySpec {
  id: string;
  startAt: number;
  media: MediaRef;
  slotKey?: string;
  programmeId?: string;
  priority?: number;
  /** Default startAt + 10 minutes. */
  latestStartAt?: number;
  volume?: number;
  title?: string;
  slotEndsAt?: number;
}

export function entry(s: EntrySpec): TargetEntry {
  return {
    id: s.id,
    programmeId: s.programmeId ?? `prog-${s.id}`,
    slotKey: s.slotKey ?? `2026-11-23/${s.id}`,
    priority: s.priority ?? 150,
    startAt: s.startAt,
    latestStartAt: s.latestStartAt ?? s.startAt + 10 * 60_000,
    media: s.media,
    ...(s.volume !== undefined ? { volume: s.volume } : {}),
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.slotEndsAt !== undefined ? { slotEndsAt: s.slotEndsAt } : {}),
  };
}

export interface TargetSpec {
  tid: string;
  version: number;
  entries: TargetEntry[];
  /** Issue time (default Date.now()); the window and expiry follow from it. */
  issuedAt?: number;
  /** Default issuedAt + 48 h. */
  expiresAt?: number;
  volume?: number;
  quiet?: QuietInterval[];
  id?: string;
  attention?: MediaRef;
  drillEnabled?: boolean;
  alerts?: AlertBody[];
}

/** A target signed as the centre signs it. */
export function signedTarget(key: Signer, s: TargetSpec): TargetEnvelope {
  const issuedAt = s.issuedAt ?? Date.now();
  const expiresAt = s.expiresAt ?? issuedAt + 48 * 3600_000;
  return signTarget(
    {
      id: s.id ?? `tgt_${randomBytes(8).toString('hex')}`,
      kind: 'target',
      issuedAt,
      expiresAt,
      body: {
        tid: s.tid,
        version: s.version,
        generatedAt: issuedAt,
        windowFrom: issuedAt,
        windowUntil: issuedAt + 48 * 3600_000,
        timeZone: 'Asia/Shanghai',
        volume: s.volume ?? 70,
        quiet: s.quiet ?? [],
        groups: [],
        entries: s.entries,
        ...(s.attention ? { attention: s.attention } : {}),
        ...(s.drillEnabled !== undefined ? { drillEnabled: s.drillEnabled } : {}),
        ...(s.alerts ? { alerts: s.alerts } : {}),
      },
    },
    key,
  );
}
