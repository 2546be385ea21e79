import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { describeGrants } from '../../auth/grants.ts';
import { clearSessionCookie, sessionOf, setSessionCookie } from '../../auth/http-session.ts';
import { minutesLeft } from '../../auth/login-guard.ts';
import { PERMISSIONS } from '../../auth/roles.ts';
import { AppError, unauthorized } from '../../errors.ts';
import { type AnyRoute, auditActorOf, clientIp, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const LoginSchema = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
});

const PasswordChangeSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(1000),
});

const locked = (remainingMs: number) =>
  new AppError(
    429,
    'account_locked',
    `登录失败次数过多，该账号已被暂时锁定，请 ${minutesLeft(remainingMs)} 分钟后再试，或联系管理员解锁`,
  );

/** The logged-in person as the console shows them: roles with their Chinese names, and what they may do. */
export function describeActor(s: Services, actor: Actor) {
  return {
    user: { ...actor.user, roles: describeGrants(actor.user.roles, s.areas) },
    permissions: PERMISSIONS.filter((p) => actor.has(p)),
  };
}

export function authRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary:
        '登录：返回会话令牌（API 用 Bearer）并设置会话 Cookie（浏览器用，修改类请求须带 X-CSRF-Token）',
      auth: 'public',
      audit: 'handler',
      body: LoginSchema,
      handler: async ({ body, req, res }) => {
        const ip = clientIp(req);
        const r = await s.users.login(body.username, body.password, ip);
        if (!r.ok) {
          const anonymous = { kind: 'anonymous' as const, name: body.username };
          s.audit.append({
            actor: anonymous,
            action: 'auth.login',
            outcome: 'failed',
            detail: { reason: r.reason, ...(r.reason === 'bad_password' ? { failures: r.failures } : {}) },
            ip,
          });
          if (r.lockedNow) {
            s.audit.append({
              actor: anonymous,
              action: 'auth.lockout',
              outcome: 'denied',
              target: `username:${body.username}`,
              detail: { failures: r.failures, lockedUntil: s.now() + r.remainingMs },
              ip,
            });
          }
          if (r.remainingMs > 0) {
            res.set('Retry-After', String(Math.ceil(r.remainingMs / 1000)));
            throw locked(r.remainingMs);
          }
          if (r.reason === 'disabled')
            throw new AppError(403, 'account_disabled', '该账号已停用，请联系管理员');
          throw unauthorized('用户名或密码错误');
        }
        s.audit.append({
          actor: { kind: 'user', id: r.user.id, name: r.user.username },
          action: 'auth.login',
          detail: { via: 'password' },
          ip,
        });
        setSessionCookie(res, req, r.session.token, r.session.expiresAt, s.now());
        return { ...r.session, user: r.user };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: '退出登录：本会话立即失效，并清除会话 Cookie',
      auth: 'session',
      audit: { action: 'auth.logout', detail: ({ req }) => ({ via: sessionOf(req)?.via ?? null }) },
      handler: ({ req, res }) => {
        const current = sessionOf(req);
        if (current) s.users.sessions.endByHash(current.session.tokenHash);
        clearSessionCookie(res, req);
        return { ok: true };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/password',
      summary:
        '修改自己的密码（首次登录须先修改初始密码）：至少10位，不能是用户名、当前密码、常见密码；其他会话随之失效',
      auth: 'session',
      audit: 'handler',
      body: PasswordChangeSchema,
      handler: async ({ body, req, actor }) => {
        const a = actor!;
        const base = { actor: auditActorOf(a, null), action: 'auth.password-change', ip: clientIp(req) };
        try {
          const r = await s.users.changePassword(
            a.id,
            body.currentPassword,
            body.newPassword,
            sessionOf(req)?.session.tokenHash ?? null,
          );
          s.audit.append({ ...base, target: `user:${a.id}`, detail: { endedSessions: r.endedSessions } });
          return { ok: true, endedSessions: r.endedSessions };
        } catch (e) {
          if (e instanceof AppError)
            s.audit.append({ ...base, outcome: 'failed', target: `user:${a.id}`, detail: { code: e.code } });
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me',
      summary: '当前用户：角色（含中文名称与范围）、是否须修改密码、拥有的权限、会话到期时间',
      auth: 'session',
      handler: ({ actor, req }) => {
        const current = sessionOf(req);
        return {
          ...describeActor(s, actor!),
          session: current ? { via: current.via, expiresAt: current.session.expiresAt } : null,
        };
      },
    }),
  ];
}
