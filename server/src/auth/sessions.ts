import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** How long sessions live: `ttlMs` from login at most, and `idleMs` after their last use. */
export interface SessionPolicy {
  ttlMs: number;
  idleMs: number;
}

/** Last use is written at most this often, not on every request. */
export const TOUCH_INTERVAL_MS = 60_000;

/** A live session as the request handling sees it (only hashes are stored). */
export interface Session {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
  csrfHash: string | null;
}

/** What the login answers: the secrets are shown once and never stored. */
export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
}

interface SessionRow {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_used_at: number;
  csrf_hash: string | null;
}

/** Compares a presented CSRF token with the session's stored hash in constant time. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!session.csrfHash || !presented) return false;
  const a = Buffer.from(sha256Hex(presented), 'hex');
  const b = Buffer.from(session.csrfHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Login sessions of staff: random tokens, stored as SHA-256, with an absolute and an idle expiry. */
export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly policy: SessionPolicy,
    private readonly now: () => number,
  ) {}

  get ttlMs(): number {
    return this.policy.ttlMs;
  }

  start(userId: number, ip: string | null = null): NewSession {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.policy.ttlMs;
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at, csrf_hash, ip)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(sha256Hex(token), userId, now, expiresAt, now, sha256Hex(csrfToken), ip);
    this.sweep();
    return { token, csrfToken, expiresAt };
  }

  /** Drops sessions past either expiry. */
  sweep(): void {
    const now = this.now();
    this.db
      .prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_used_at <= ?')
      .run(now, now - this.policy.idleMs);
  }

  /**
   * The live session of a token whose user is enabled, or null. Counts as a use: the idle clock
   * restarts (written at most once a minute).
   */
  use(token: string): Session | null {
    if (!token || token.length > 200) return null;
    const now = this.now();
    const r = this.db
      .prepare(
        `SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, s.last_used_at, s.csrf_hash
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0`,
      )
      .get(sha256Hex(token)) as SessionRow | undefined;
    if (!r) return null;
    if (r.expires_at <= now || now - r.last_used_at >= this.policy.idleMs) {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(r.token_hash);
      return null;
    }
    let lastUsedAt = r.last_used_at;
    if (now - lastUsedAt >= TOUCH_INTERVAL_MS) {
      this.db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?').run(now, r.token_hash);
      lastUsedAt = now;
    }
    return {
      tokenHash: r.token_hash,
      userId: r.user_id,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      lastUsedAt,
      csrfHash: r.csrf_hash,
    };
  }

  end(token: string): void {
    this.endByHash(sha256Hex(token));
  }

  endByHash(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  /** Ends every session of a user, except the one given (the session that asked). */
  endAllOf(userId: number, exceptHash: string | null = null): number {
    return this.db
      .prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?')
      .run(userId, exceptHash ?? '').changes;
  }

  /** Live sessions per user id. */
  liveCounts(): Map<number, number> {
    const now = this.now();
    const rows = this.db
      .prepare(
        'SELECT user_id, COUNT(*) AS n FROM sessions WHERE expires_at > ? AND last_used_at > ? GROUP BY user_id',
      )
      .all(now, now - this.policy.idleMs) as Array<{ user_id: number; n: number }>;
    return new Map(rows.map((r) => [r.user_id, r.n]));
  }
}
