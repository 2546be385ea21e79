import type { IncomingHttpHeaders } from 'node:http';
import type { User } from '../auth/actor.ts';
import { originMatchesHost, parseCookies } from '../auth/http-session.ts';
import { TOUCH_INTERVAL_MS } from '../auth/sessions.ts';
import type { UserService } from '../auth/users.ts';
import type { Db } from '../db/database.ts';

/** The browser's session cookie (set by the HTTP login; HttpOnly, so only the handshake carries it). */
export const SESSION_COOKIE = 'dlb_session';

export { sha256Hex } from '../auth/sessions.ts';

/** Why a handshake or a later check refuses a socket: the code goes in the error's message. */
export type RefusalCode = 'unauthorized' | 'password_change_required' | 'origin_mismatch';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export const REFUSALS: Record<RefusalCode, string> = {
  unauthorized: '请先登录（会话不存在、已过期或账号已停用）',
  password_change_required: '请先修改初始密码',
  origin_mismatch: '连接来源 (Origin) 与本站不符，已拒绝',
};

export const refusal = (code: RefusalCode): Refusal => ({ code, message: REFUSALS[code] });

/** One cookie's value from a Cookie header (first occurrence wins), by the HTTP layer's parser. */
export function cookieValue(header: string | undefined, name: string): string | null {
  return parseCookies(header).get(name) || null;
}

export interface HandshakeLike {
  headers: IncomingHttpHeaders;
  auth: Record<string, unknown> | undefined;
}

/**
 * The token a handshake presents: `auth.token` (API clients, or a console that holds it), else the
 * session cookie. A cookie is sent by the browser whatever page opened the socket, and WebSockets
 * are not bound by CORS, so a cookie counts only when the Origin is absent or this site
 * (cross-site WebSocket hijacking). An explicit token that fails never falls back to the cookie.
 */
export function tokenFromHandshake(
  h: HandshakeLike,
): { token: string; via: 'token' | 'cookie' } | { refused: Refusal } {
  const explicit = h.auth?.token;
  if (explicit !== undefined) {
    if (typeof explicit !== 'string' || explicit.length === 0 || explicit.length > 200)
      return { refused: refusal('unauthorized') };
    return { token: explicit, via: 'token' };
  }
  const cookie = cookieValue(h.headers.cookie, SESSION_COOKIE);
  if (!cookie || cookie.length > 200) return { refused: refusal('unauthorized') };
  const origin = h.headers.origin;
  if (!originMatchesHost(origin, h.headers.host)) return { refused: refusal('origin_mismatch') };
  return { token: cookie, via: 'cookie' };
}

/**
 * The live session's user by the token's hash (the socket keeps only the hash), mirroring
 * `UserService.sessionForToken`: not past its absolute or idle expiry, and the user not disabled.
 * Roles are read fresh each time, so a change applies at the next check.
 */
export function userForTokenHash(
  db: Db,
  users: UserService,
  tokenHash: string,
  now: number,
  idleMs: number,
): User | null {
  const r = db
    .prepare(
      `SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_used_at > ? AND u.disabled = 0`,
    )
    .get(tokenHash, now, now - idleMs) as { user_id: number } | undefined;
  if (!r) return null;
  const user = users.byId(r.user_id);
  return user && !user.disabled ? user : null;
}

/**
 * A client event is the user at work, so it restarts the session's idle clock like an HTTP request
 * (written at most once a minute, as the HTTP sessions do). Pushed events alone do not: an unattended
 * console still logs out.
 */
export function touchSession(db: Db, tokenHash: string, now: number): void {
  db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ? AND last_used_at <= ?').run(
    now,
    tokenHash,
    now - TOUCH_INTERVAL_MS,
  );
}

/** A user that may use the console right now, or why not. */
export function admit(user: User | null): { user: User } | { refused: Refusal } {
  if (!user) return { refused: refusal('unauthorized') };
  if (user.mustChangePassword) return { refused: refusal('password_change_required') };
  return { user };
}
