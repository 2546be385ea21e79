import { TERMINAL_ID } from '@dlb/protocol';
import type { Request, Response } from 'express';
import { type Authenticator, clientIp } from '../api/route-registry.ts';
import type { Services } from '../api/services.ts';
import { AppError } from '../errors.ts';
import { Actor } from './actor.ts';
import { csrfMatches, type Session } from './sessions.ts';

export const SESSION_COOKIE = 'dlb_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Methods a browser may send across sites without side effects; everything else needs the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The Cookie header as name → value (first occurrence wins). Garbage is skipped, never thrown on:
 * pairs without `=`, empty names, undecodable percent-escapes (kept as sent), and overlong headers.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded after all: keep it as sent
    }
    out.set(name, value);
  }
  return out;
}

/** The Set-Cookie value for a new session (`Secure` when the request came over TLS). */
export function sessionCookie(token: string, maxAgeSec: number, secure: boolean): string {
  const attrs = [
    `${SESSION_COOKIE}=${token}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAgeSec}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** The Set-Cookie value that makes the browser forget its session. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

export function setSessionCookie(res: Response, req: Request, token: string, expiresAt: number, now: number) {
  res.append(
    'Set-Cookie',
    sessionCookie(token, Math.max(0, Math.floor((expiresAt - now) / 1000)), req.secure),
  );
}

export function clearSessionCookie(res: Response, req: Request): void {
  res.append('Set-Cookie', clearedSessionCookie(req.secure));
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/** An `Origin` that is absent, or names the host the request was sent to. */
export function originMatchesHost(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** The session a request was authenticated with, and how it was presented. */
export interface RequestSession {
  session: Session;
  via: 'bearer' | 'cookie';
}

const sessionsOfRequests = new WeakMap<Request, RequestSession>();

/** The session behind an authenticated request (for logout and password change), if any. */
export function sessionOf(req: Request): RequestSession | null {
  return sessionsOfRequests.get(req) ?? null;
}

const csrfFailed = (message: string) => new AppError(403, 'csrf_failed', message);

/**
 * How a request proves who sends it: a staff session (Bearer header, else the session cookie with
 * CSRF protection on state-changing methods), or a terminal's media token.
 */
export function createAuthenticator(s: Services): Authenticator {
  return {
    actorFromRequest: (req) => {
      const fromHeader = bearer(req);
      // A browser never attaches an Authorization header on its own, so a Bearer token needs no CSRF check.
      const token = fromHeader ?? parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
      const found = token ? s.users.sessionForToken(token) : null;
      if (!found) return null;
      const via = fromHeader ? 'bearer' : 'cookie';
      if (via === 'cookie' && !SAFE_METHODS.has(req.method)) {
        const problem = !originMatchesHost(req.headers.origin, req.headers.host)
          ? '请求来源 (Origin) 与本站不符，已拒绝'
          : csrfMatches(found.session, req.get(CSRF_HEADER))
            ? null
            : '缺少或错误的 X-CSRF-Token 请求头（登录时返回的 csrfToken）';
        if (problem) {
          s.audit.append({
            actor: { kind: 'user', id: found.user.id, name: found.user.username },
            action: 'auth.csrf',
            outcome: 'denied',
            target: req.path,
            detail: { method: req.method, origin: req.headers.origin ?? null },
            ip: clientIp(req),
          });
          throw csrfFailed(problem);
        }
      }
      sessionsOfRequests.set(req, { session: found.session, via });
      return new Actor(found.user, s.areas);
    },
    terminalFromRequest: (req) => {
      const token = bearer(req);
      const sep = token?.indexOf(':') ?? -1;
      if (!token || sep < 0) return null;
      const tid = token.slice(0, sep);
      return TERMINAL_ID.test(tid) && s.terminals.checkMediaToken(tid, token.slice(sep + 1)) ? tid : null;
    },
  };
}
