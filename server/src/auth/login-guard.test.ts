import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../db/database.ts';
import {
  type AttemptState,
  afterFailure,
  LoginGuard,
  lockKey,
  lockRemainingMs,
  minutesLeft,
} from './login-guard.ts';

const POLICY = { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 };
const MIN = 60_000;

describe('lock-out arithmetic', () => {
  it('locks on the fifth failure within the window, for the lock period', () => {
    let s: AttemptState | null = null;
    for (let i = 0; i < 4; i++) s = afterFailure(s, 1000 + i * MIN, POLICY);
    expect(s).toEqual({ failures: 4, firstFailureAt: 1000, lockedUntil: null });
    s = afterFailure(s, 1000 + 10 * MIN, POLICY);
    expect(s.lockedUntil).toBe(1000 + 25 * MIN);
    expect(lockRemainingMs(s, 1000 + 10 * MIN)).toBe(15 * MIN);
    expect(lockRemainingMs(s, 1000 + 25 * MIN)).toBe(0);
  });

  it('starts a fresh count when the window has passed', () => {
    let s: AttemptState | null = null;
    for (let i = 0; i < 4; i++) s = afterFailure(s, i * 1000, POLICY);
    s = afterFailure(s, 15 * MIN, POLICY);
    expect(s).toEqual({ failures: 1, firstFailureAt: 15 * MIN, lockedUntil: null });
  });

  it('leaves a running lock alone, and counts afresh once it has run out', () => {
    const locked: AttemptState = { failures: 5, firstFailureAt: 0, lockedUntil: 20 * MIN };
    expect(afterFailure(locked, 10 * MIN, POLICY)).toBe(locked);
    expect(afterFailure(locked, 20 * MIN, POLICY)).toEqual({
      failures: 1,
      firstFailureAt: 20 * MIN,
      lockedUntil: null,
    });
  });

  it('shows whole minutes, rounded up, never zero', () => {
    expect(minutesLeft(15 * MIN)).toBe(15);
    expect(minutesLeft(14 * MIN + 1)).toBe(15);
    expect(minutesLeft(1)).toBe(1);
  });

  it('counts a name without case or surrounding spaces', () => {
    expect(lockKey('  Admin ')).toBe('admin');
  });
});

describe('LoginGuard', () => {
  let db: Db;
  let t = 1_000_000;
  let guard: LoginGuard;
  beforeEach(() => {
    db = openDatabase(':memory:');
    t = 1_000_000;
    guard = new LoginGuard(db, POLICY, () => t);
  });
  afterEach(() => db.close());

  it('locks a name, reports the end of the lock, and forgets it when it runs out', () => {
    for (let i = 1; i <= 4; i++) expect(guard.recordFailure('nobody').lockedNow).toBe(false);
    expect(guard.remainingMs('nobody')).toBe(0);
    expect(guard.recordFailure('NoBody').lockedNow).toBe(true);
    expect(guard.remainingMs('nobody')).toBe(15 * MIN);
    expect(guard.lockedUntil('nobody')).toBe(t + 15 * MIN);
    expect(guard.lockedNames().get('nobody')).toBe(t + 15 * MIN);
    expect(guard.recordFailure('nobody').lockedNow).toBe(false);
    t += 15 * MIN;
    expect(guard.remainingMs('nobody')).toBe(0);
    expect(guard.lockedUntil('nobody')).toBeNull();
    expect(guard.recordFailure('nobody').state.failures).toBe(1);
  });

  it('clears a count, and sweeps out stale counts of other names', () => {
    guard.recordFailure('a');
    guard.recordFailure('b');
    expect(guard.clear('A')).toBe(true);
    expect(guard.clear('a')).toBe(false);
    t += 16 * MIN;
    guard.recordFailure('c');
    const names = db.prepare('SELECT username FROM login_attempts').all() as Array<{ username: string }>;
    expect(names.map((r) => r.username)).toEqual(['c']);
  });
});
