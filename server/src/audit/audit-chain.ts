import { createHash } from 'node:crypto';

/** The hash the first entry links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** One stored audit row, as the chain hashes it. */
export interface AuditRow {
  seq: number;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  outcome: string;
  target: string | null;
  detail: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

/** SHA-256 over every field but the hash itself, in a fixed order: changing any field breaks the link. */
export function rowHash(r: Omit<AuditRow, 'hash'>): string {
  const fields = [
    r.seq,
    r.at,
    r.actor_kind,
    r.actor_id,
    r.actor_name,
    r.action,
    r.outcome,
    r.target,
    r.detail,
    r.ip,
    r.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
