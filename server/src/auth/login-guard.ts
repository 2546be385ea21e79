import type { Db } from '../db/database.ts';

/** How many failed logins lock a name, within what window, and for how long. */
export interface LockoutPolicy {
  maxFailures: number;
  windowMinutes: number;
  lockMinutes: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 };

/** Failed logins of one name. */
export interface AttemptState {
  failures: number;
  firstFailureAt: number;
  lockedUntil: number | null;
}

/** Milliseconds the name stays locked at `now` (0 when it is not locked). */
export function lockRemainingMs(state: AttemptState | null, now: number): number {
  return state?.lockedUntil != null && state.lockedUntil > now ? state.lockedUntil - now : 0;
}

/**
 * The state after one more failure at `now`. A failure after the window (or after a lock ran out)
 * starts a fresh count; the `maxFailures`th failure within the window locks the name.
 */
export function afterFailure(prev: AttemptState | null, now: number, policy: LockoutPolicy): AttemptState {
  if (prev && lockRemainingMs(prev, now) > 0) return prev;
  const fresh =
    !prev || prev.lockedUntil !== null || now - prev.firstFailureAt >= policy.windowMinutes * 60_000;
  const failures = fresh ? 1 : prev.failures + 1;
  const firstFailureAt = fresh ? now : prev.firstFailureAt;
  const lockedUntil = failures >= policy.maxFailures ? now + policy.lockMinutes * 60_000 : null;
  return { failures, firstFailureAt, lockedUntil };
}

/** Whole minutes left of a lock, rounded up, for the message shown to the person locked out. */
export function minutesLeft(remainingMs: number): number {
  return Math.max(1, Math.ceil(remainingMs / 60_000));
}

/** The key failures are counted under: the name as typed, trimmed and without case. */
export function lockKey(username: string): string {
  return username.trim().toLowerCase().slice(0, 100);
}

interface AttemptRow {
  failures: number;
  first_failure_at: number;
  locked_until: number | null;
}

/**
 * Counts failed logins per name typed, whether or not such an account exists, so the answers never
 * reveal which accounts exist. Kept in the database: a restart does not reset a lock.
 */
export class LoginGuard {
  constructor(
    private readonly db: Db,
    private readonly policy: LockoutPolicy,
    private readonly now: () => number,
  ) {}

  private state(key: string): AttemptState | null {
    const r = this.db
      .prepare('SELECT failures, first_failure_at, locked_until FROM login_attempts WHERE username = ?')
      .get(key) as AttemptRow | undefined;
    return r
      ? { failures: r.failures, firstFailureAt: r.first_failure_at, lockedUntil: r.locked_until }
      : null;
  }

  /** Milliseconds the name stays locked (0 when it may try). */
  remainingMs(username: string): number {
    return lockRemainingMs(this.state(lockKey(username)), this.now());
  }

  /** When the name's lock ends, or null when it is not locked. */
  lockedUntil(username: string): number | null {
    const ms = this.remainingMs(username);
    return ms > 0 ? this.now() + ms : null;
  }

  /** Counts a failure; says whether this one locked the name. */
  recordFailure(username: string): { state: AttemptState; lockedNow: boolean } {
    const key = lockKey(username);
    return this.db.transaction(() => {
      const now = this.now();
      const prev = this.state(key);
      const next = afterFailure(prev, now, this.policy);
      this.db
        .prepare(
          `INSERT INTO login_attempts (username, failures, first_failure_at, locked_until) VALUES (?, ?, ?, ?)
           ON CONFLICT(username) DO UPDATE SET failures = excluded.failures,
             first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until`,
        )
        .run(key, next.failures, next.firstFailureAt, next.lockedUntil);
      // Names tried once and then forgotten must not pile up: drop counts that can no longer lock.
      this.db
        .prepare(
          'DELETE FROM login_attempts WHERE username <> ? AND IFNULL(locked_until, 0) <= ? AND first_failure_at < ?',
        )
        .run(key, now, now - this.policy.windowMinutes * 60_000);
      const lockedNow = next.lockedUntil !== null && lockRemainingMs(prev, now) === 0;
      return { state: next, lockedNow };
    })();
  }

  /** A successful login, or an administrator's unlock: the count starts again. */
  clear(username: string): boolean {
    return (
      this.db.prepare('DELETE FROM login_attempts WHERE username = ?').run(lockKey(username)).changes > 0
    );
  }

  /** Every name locked now, with the time its lock ends. */
  lockedNames(): Map<string, number> {
    const rows = this.db
      .prepare('SELECT username, locked_until FROM login_attempts WHERE locked_until > ?')
      .all(this.now()) as Array<{ username: string; locked_until: number }>;
    return new Map(rows.map((r) => [r.username, r.locked_until]));
  }
}
