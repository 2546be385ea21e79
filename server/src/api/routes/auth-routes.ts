import { z } from 'zod';
import { unauthorized } from '../../errors.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const ALL_ROLES = ['admin', 'operator', 'viewer'] as const;

const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

export function authRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: '登录，返回会话令牌',
      auth: 'public',
      body: LoginSchema,
      handler: async ({ body }) => {
        const user = await s.users.authenticate(body.username, body.password);
        if (!user) throw unauthorized('用户名或密码错误');
        const session = s.users.startSession(user.id);
        return { ...session, user };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: '退出登录，令牌立即失效',
      auth: { roles: ALL_ROLES },
      handler: ({ req }) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        s.users.endSession(token);
        return { ok: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me',
      summary: '当前用户',
      auth: { roles: ALL_ROLES },
      handler: ({ user }) => ({ user }),
    }),
  ];
}
