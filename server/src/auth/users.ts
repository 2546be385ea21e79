import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { Grant, User } from './actor.ts';
import { DEFAULT_LOCKOUT, type LockoutPolicy, LoginGuard, lockKey } from './login-guard.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { Role } from './roles.ts';
import { type NewSession, type Session, SessionStore } from './sessions.ts';

export type { User } from './actor.ts';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  disabled: number;
  must_change_password: number;
  password_hash: string;
  created_at: number;
  password_changed_at: number | null;
}

export interface UserOptions {
  /** A session unused this long ends (default 120 minutes). */
  idleMs?: number;
  lockout?: LockoutPolicy;
}

/** A user as the administration pages list them. */
export interface UserSummary extends User {
  createdAt: number;
  passwordChangedAt: number | null;
  /** When the login lock on this name ends; null when not locked. */
  lockedUntil: number | null;
  lastLoginAt: number | null;
  activeSessions: number;
}

export type LoginResult =
  | { ok: true; user: User; session: NewSession }
  | {
      ok: false;
      reason: 'bad_password' | 'locked' | 'disabled';
      /** How long the name stays locked (0 when it is not). */
      remainingMs: number;
      /** This failure locked the name. */
      lockedNow: boolean;
      failures: number;
    };

const LAST_ADMIN =
  '这是最后一个启用的县级管理员账号，不能停用或撤销其县级管理员角色（请先为其他人授予该角色）';

/**
 * Accounts, their roles, their login sessions and the lock-out of names under guessing. Tokens are
 * random and only their hashes are stored; passwords are argon2id hashes.
 */
export class UserService {
  readonly sessions: SessionStore;
  readonly guard: LoginGuard;
  /** A real hash verified for unknown usernames, so timing does not reveal which accounts exist. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly db: Db,
    sessionTtlMs: number,
    private readonly now: () => number = Date.now,
    opts: UserOptions = {},
  ) {
    this.sessions = new SessionStore(db, { ttlMs: sessionTtlMs, idleMs: opts.idleMs ?? 120 * 60_000 }, now);
    this.guard = new LoginGuard(db, opts.lockout ?? DEFAULT_LOCKOUT, now);
  }

  private toUser(r: UserRow): User {
    const roles = this.db
      .prepare('SELECT role, scope_code FROM user_roles WHERE user_id = ? ORDER BY role, scope_code')
      .all(r.id) as Array<{ role: Role; scope_code: string | null }>;
    return {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      disabled: r.disabled === 1,
      mustChangePassword: r.must_change_password === 1,
      roles: roles.map((g) => ({ role: g.role, scopeCode: g.scope_code })),
    };
  }

  private row(id: number): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  private requireRow(id: number): UserRow {
    const r = this.row(id);
    if (!r) throw notFound('unknown_user', `用户 ${id} 不存在`);
    return r;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  /** Creates an account. The caller checks the password's strength and the grants' scopes. */
  async create(input: {
    username: string;
    displayName: string;
    password: string;
    roles: Grant[];
    mustChangePassword?: boolean;
  }): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    const id = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM users WHERE username = ?').get(input.username))
        throw conflict('username_taken', `用户名 ${input.username} 已被使用`);
      const info = this.db
        .prepare(
          `INSERT INTO users (username, display_name, password_hash, must_change_password, created_at, password_changed_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.username,
          input.displayName,
          passwordHash,
          input.mustChangePassword ? 1 : 0,
          this.now(),
          this.now(),
        );
      const id = Number(info.lastInsertRowid);
      this.writeGrants(id, input.roles);
      return id;
    })();
    return this.byId(id)!;
  }

  private writeGrants(userId: number, grants: readonly Grant[]): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO user_roles (user_id, role, scope_code) VALUES (?, ?, ?)',
    );
    for (const g of grants) insert.run(userId, g.role, g.scopeCode);
  }

  byId(id: number): User | null {
    const r = this.row(id);
    return r ? this.toUser(r) : null;
  }

  require(id: number): User {
    return this.toUser(this.requireRow(id));
  }

  list(): UserSummary[] {
    const rows = this.db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[];
    const locked = this.guard.lockedNames();
    const live = this.sessions.liveCounts();
    return rows.map((r) => this.summarize(r, locked, live));
  }

  summary(id: number): UserSummary {
    return this.summarize(this.requireRow(id), this.guard.lockedNames(), this.sessions.liveCounts());
  }

  private summarize(r: UserRow, locked: Map<string, number>, live: Map<number, number>): UserSummary {
    // The audit trail is the record of logins; its actor index finds a user's latest quickly.
    const last = this.db
      .prepare(
        `SELECT at FROM audit_log WHERE actor_kind = 'user' AND actor_id = ? AND action = 'auth.login'
         AND outcome = 'ok' ORDER BY seq DESC LIMIT 1`,
      )
      .get(String(r.id)) as { at: number } | undefined;
    return {
      ...this.toUser(r),
      createdAt: r.created_at,
      passwordChangedAt: r.password_changed_at,
      lockedUntil: locked.get(lockKey(r.username)) ?? null,
      lastLoginAt: last?.at ?? null,
      activeSessions: live.get(r.id) ?? 0,
    };
  }

  /**
   * A login attempt by the name typed. A locked name is refused without checking the password; an
   * unknown name costs the same hash as a known one and counts failures the same way.
   */
  async login(username: string, password: string, ip: string | null = null): Promise<LoginResult> {
    const refused = (reason: 'locked' | 'disabled', remainingMs = 0): LoginResult => ({
      ok: false,
      reason,
      remainingMs,
      lockedNow: false,
      failures: 0,
    });
    const lockedFor = this.guard.remainingMs(username);
    if (lockedFor > 0) return refused('locked', lockedFor);
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(r?.password_hash ?? (await this.dummyHash), password);
    if (!r || !ok) {
      const f = this.guard.recordFailure(username);
      const remainingMs = f.state.lockedUntil === null ? 0 : Math.max(0, f.state.lockedUntil - this.now());
      return {
        ok: false,
        reason: 'bad_password',
        remainingMs,
        lockedNow: f.lockedNow,
        failures: f.state.failures,
      };
    }
    // Guesses sent in parallel: one that locked the name while this hash was checked wins.
    const lockedMeanwhile = this.guard.remainingMs(username);
    if (lockedMeanwhile > 0) return refused('locked', lockedMeanwhile);
    if (r.disabled) return refused('disabled');
    this.guard.clear(username);
    return { ok: true, user: this.toUser(r), session: this.sessions.start(r.id, ip) };
  }

  startSession(userId: number, ip: string | null = null): NewSession {
    return this.sessions.start(userId, ip);
  }

  /** The live session of a token and its (enabled) user, read fresh: role changes apply at once. */
  sessionForToken(token: string): { session: Session; user: User } | null {
    const session = this.sessions.use(token);
    const r = session ? this.row(session.userId) : undefined;
    if (!session || !r || r.disabled) return null;
    return { session, user: this.toUser(r) };
  }

  userForToken(token: string): User | null {
    return this.sessionForToken(token)?.user ?? null;
  }

  endSession(token: string): void {
    this.sessions.end(token);
  }

  /**
   * The user's own change: the current password must be right and the new one acceptable. Ends the
   * user's other sessions (`keepSessionHash` is the one that asked).
   */
  async changePassword(
    userId: number,
    current: string,
    next: string,
    keepSessionHash: string | null,
  ): Promise<{ endedSessions: number }> {
    const r = this.requireRow(userId);
    if (!(await verifyPassword(r.password_hash, current)))
      throw badRequest('wrong_password', '当前密码不正确');
    const problem = passwordProblem(next, { username: r.username, current });
    if (problem) throw badRequest('weak_password', problem);
    const hashed = await hashPassword(next);
    return this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE users SET password_hash = ?, must_change_password = 0, password_changed_at = ? WHERE id = ?',
        )
        .run(hashed, this.now(), userId);
      return { endedSessions: this.sessions.endAllOf(userId, keepSessionHash) };
    })();
  }

  /**
   * An administrator's reset to a temporary password: it must be changed at the next login, every
   * session of the user ends, and a lock on the name is lifted so the new password can be used.
   */
  async resetPassword(
    userId: number,
    temporary: string,
  ): Promise<{ endedSessions: number; unlocked: boolean }> {
    const r = this.requireRow(userId);
    const problem = passwordProblem(temporary, { username: r.username });
    if (problem) throw badRequest('weak_password', problem);
    const hashed = await hashPassword(temporary);
    return this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE users SET password_hash = ?, must_change_password = 1, password_changed_at = ? WHERE id = ?',
        )
        .run(hashed, this.now(), userId);
      return { endedSessions: this.sessions.endAllOf(userId), unlocked: this.guard.clear(r.username) };
    })();
  }

  /** Enabled users other than `exceptId` holding the county administrator role. */
  private otherEnabledAdmins(exceptId: number): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(DISTINCT u.id) AS n FROM users u JOIN user_roles g ON g.user_id = u.id
           WHERE g.role = 'county_admin' AND g.scope_code IS NULL AND u.disabled = 0 AND u.id <> ?`,
        )
        .get(exceptId) as { n: number }
    ).n;
  }

  private isAdmin(user: User): boolean {
    return user.roles.some((g) => g.role === 'county_admin' && g.scopeCode === null);
  }

  /** Replaces a user's grants; `byUserId` is the administrator asking. */
  setRoles(userId: number, grants: readonly Grant[], byUserId: number): { before: Grant[]; after: Grant[] } {
    return this.db.transaction(() => {
      const before = this.require(userId);
      const losesAdmin =
        this.isAdmin(before) && !grants.some((g) => g.role === 'county_admin' && g.scopeCode === null);
      if (losesAdmin && userId === byUserId)
        throw conflict('self_demotion', '不能撤销自己的县级管理员角色（请由另一位管理员操作）');
      if (losesAdmin && !before.disabled && this.otherEnabledAdmins(userId) === 0)
        throw conflict('last_admin', LAST_ADMIN);
      this.db.prepare('DELETE FROM user_roles WHERE user_id = ?').run(userId);
      this.writeGrants(userId, grants);
      return { before: before.roles, after: this.require(userId).roles };
    })();
  }

  /** Disables (every session ends at once) or re-enables an account. */
  setDisabled(
    userId: number,
    disabled: boolean,
    byUserId: number,
  ): { changed: boolean; endedSessions: number } {
    return this.db.transaction(() => {
      const user = this.require(userId);
      if (disabled && userId === byUserId) throw conflict('self_disable', '不能停用自己的账号');
      if (disabled && !user.disabled && this.isAdmin(user) && this.otherEnabledAdmins(userId) === 0)
        throw conflict('last_admin', LAST_ADMIN);
      const changed = user.disabled !== disabled;
      if (changed)
        this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, userId);
      return { changed, endedSessions: disabled ? this.sessions.endAllOf(userId) : 0 };
    })();
  }

  /** Lifts the login lock on a user's name; says whether there was a count to clear. */
  unlock(userId: number): { username: string; cleared: boolean } {
    const r = this.requireRow(userId);
    return { username: r.username, cleared: this.guard.clear(r.username) };
  }
}
