import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  disabled: number;
  password_hash: string;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  disabled: r.disabled === 1,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Accounts and their login sessions. Session tokens are random; only their hashes are stored. */
export class UserService {
  /** A real hash verified for unknown usernames, so timing does not reveal which accounts exist. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly db: Db,
    private readonly sessionTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async create(input: {
    username: string;
    displayName: string;
    password: string;
    role: Role;
  }): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    const info = this.db
      .prepare(
        'INSERT INTO users (username, display_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(input.username, input.displayName, passwordHash, input.role, this.now());
    return {
      id: Number(info.lastInsertRowid),
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      disabled: false,
    };
  }

  byId(id: number): User | null {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  /** Checks a password; the same work is done for unknown users so timing does not reveal which exist. */
  async authenticate(username: string, password: string): Promise<User | null> {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(r?.password_hash ?? (await this.dummyHash), password);
    if (!r || !ok || r.disabled) return null;
    return toUser(r);
  }

  startSession(userId: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.sessionTtlMs;
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(sha256(token), userId, now, expiresAt);
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    return { token, expiresAt };
  }

  userForToken(token: string): User | null {
    const r = this.db
      .prepare(
        'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0',
      )
      .get(sha256(token), this.now()) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  endSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
  }
}
