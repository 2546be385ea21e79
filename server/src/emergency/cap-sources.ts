import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AreaCodeSchema } from '@dlb/protocol';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { notFound } from '../errors.ts';
import { CAP_SEVERITY } from './cap/index.ts';

/** What a source's alert of each CAP severity does: sound at once, or wait for an officer's one-click confirmation. */
export const CapPolicySchema = z
  .object(
    Object.fromEntries(CAP_SEVERITY.map((s) => [s, z.enum(['sound', 'confirm'])])) as Record<
      (typeof CAP_SEVERITY)[number],
      z.ZodEnum<{ sound: 'sound'; confirm: 'confirm' }>
    >,
  )
  .partial();
export type CapPolicy = Record<(typeof CAP_SEVERITY)[number], 'sound' | 'confirm'>;

/** Severe and extreme warnings sound at once; lesser ones wait for the duty officer. */
export const DEFAULT_CAP_POLICY: CapPolicy = {
  Extreme: 'sound',
  Severe: 'sound',
  Moderate: 'confirm',
  Minor: 'confirm',
  Unknown: 'confirm',
};

export const CapSourceInputSchema = z.strictObject({
  name: z.string().trim().min(2, '名称至少 2 个字').max(100),
  allowedCodes: z.array(AreaCodeSchema).min(1, '须指定允许的区域').max(200),
  policy: CapPolicySchema.optional(),
});
export type CapSourceInput = z.infer<typeof CapSourceInputSchema>;

export interface CapSource {
  id: string;
  name: string;
  allowedCodes: string[];
  policy: CapPolicy;
  disabled: boolean;
  createdAt: number;
}

interface Row {
  id: string;
  name: string;
  secret_hash: string;
  allowed_codes: string;
  policy: string;
  disabled: number;
  created_at: number;
}

const fromRow = (r: Row): CapSource => ({
  id: r.id,
  name: r.name,
  allowedCodes: JSON.parse(r.allowed_codes) as string[],
  policy: JSON.parse(r.policy) as CapPolicy,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

// The secret is 32 random bytes: a plain hash is enough (no dictionary to try), and it is fast per request.
const hashSecret = (s: string) => createHash('sha256').update(s).digest();

/**
 * Department systems (weather, flood control) registered to send CAP: each has its own credentials, the
 * areas it may alert, and its policy. Credentials: `Authorization: Bearer <id>:<secret>`, shown once.
 */
export class CapSources {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  create(input: CapSourceInput, by: number | null): { source: CapSource; credential: string } {
    const id = `capsrc${randomBytes(5).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const policy: CapPolicy = { ...DEFAULT_CAP_POLICY, ...input.policy };
    this.db
      .prepare(
        `INSERT INTO cap_sources (id, name, secret_hash, allowed_codes, policy, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        hashSecret(secret).toString('hex'),
        JSON.stringify([...new Set(input.allowedCodes)]),
        JSON.stringify(policy),
        this.now(),
        by,
      );
    return { source: this.require(id), credential: `${id}:${secret}` };
  }

  list(): CapSource[] {
    return (this.db.prepare('SELECT * FROM cap_sources ORDER BY created_at').all() as Row[]).map(fromRow);
  }

  require(id: string): CapSource {
    const r = this.db.prepare('SELECT * FROM cap_sources WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw notFound('unknown_cap_source', `预警信息源 ${id} 不存在`);
    return fromRow(r);
  }

  setDisabled(id: string, disabled: boolean): CapSource {
    this.require(id);
    this.db.prepare('UPDATE cap_sources SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
    return this.require(id);
  }

  /** The enabled source a bearer credential names, or null (unknown, wrong secret, disabled, malformed). */
  authenticate(authorization: string | undefined): CapSource | null {
    const m = /^Bearer (capsrc[0-9a-f]{10}):([A-Za-z0-9_-]{20,100})$/.exec(authorization?.trim() ?? '');
    if (!m) return null;
    const r = this.db.prepare('SELECT * FROM cap_sources WHERE id = ?').get(m[1]) as Row | undefined;
    if (!r || r.disabled === 1) return null;
    const given = hashSecret(m[2]!);
    const stored = Buffer.from(r.secret_hash, 'hex');
    return stored.length === given.length && timingSafeEqual(stored, given) ? fromRow(r) : null;
  }
}
