import { z } from 'zod';
import type { Grant } from '../../auth/actor.ts';
import { describeGrants, grantProblems } from '../../auth/grants.ts';
import { passwordProblem } from '../../auth/passwords.ts';
import { ROLES } from '../../auth/roles.ts';
import type { UserSummary } from '../../auth/users.ts';
import { badRequest } from '../../errors.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,11}$/, '须为用户编号')
    .transform(Number),
});

const GrantSchema = z.object({
  role: z.enum(ROLES),
  scopeCode: z.string().max(20).nullable().default(null),
});
const GrantsSchema = z.array(GrantSchema).min(1, '至少授予一个角色').max(10, '最多10个角色');

const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;

const CreateSchema = z.object({
  username: z.string().regex(USERNAME, '用户名须为3-32位小写字母、数字或 _ . -，以字母开头'),
  displayName: z.string().trim().min(1, '姓名不能为空').max(50, '姓名最多50字'),
  password: z.string().min(1).max(1000),
  roles: GrantsSchema,
  mustChangePassword: z.boolean().default(true),
});

const userTarget = (ctx: { params: { id: number } }) => `user:${ctx.params.id}`;

export function userRoutes(s: Services): AnyRoute[] {
  const present = (u: UserSummary) => ({ ...u, roles: describeGrants(u.roles, s.areas) });
  const checkGrants = (grants: Grant[]) => {
    const problems = grantProblems(grants, s.areas);
    if (problems.length > 0) throw badRequest('invalid_grant', problems.join('；'), problems);
  };
  const checkPassword = (password: string, username: string) => {
    const problem = passwordProblem(password, { username });
    if (problem) throw badRequest('weak_password', problem);
  };
  const plainGrants = (grants: Grant[]) => grants.map((g) => ({ role: g.role, scopeCode: g.scopeCode }));

  return [
    defineRoute({
      method: 'get',
      path: '/api/users',
      summary: '用户列表：角色与范围、是否停用、登录锁定到期时间、最近登录、在线会话数',
      auth: { permission: 'user.read' },
      handler: () => ({ users: s.users.list().map(present) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/:id',
      summary: '用户详情',
      auth: { permission: 'user.read' },
      params: IdParams,
      handler: ({ params }) => ({ user: present(s.users.summary(params.id)) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      summary:
        '新建用户：临时密码（默认首次登录须修改）与角色（县级角色 scopeCode 为 null，乡镇角色为乡镇代码）',
      auth: { permission: 'user.manage' },
      audit: {
        action: 'user.create',
        target: (_ctx, out) => `user:${(out as { user: { id: number } }).user.id}`,
        detail: ({ body }) => ({
          username: body.username,
          roles: plainGrants(body.roles),
          mustChangePassword: body.mustChangePassword,
        }),
      },
      status: 201,
      body: CreateSchema,
      handler: async ({ body }) => {
        checkPassword(body.password, body.username);
        checkGrants(body.roles);
        const user = await s.users.create(body);
        return { user: present(s.users.summary(user.id)) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/users/:id/roles',
      summary: '替换用户的全部角色（下一次请求即生效）',
      auth: { permission: 'user.manage' },
      audit: {
        action: 'user.roles',
        target: userTarget,
        detail: (_ctx, out) => (out as { change: Record<string, unknown> }).change,
      },
      params: IdParams,
      body: z.object({ roles: GrantsSchema }),
      handler: ({ params, body, actor }) => {
        s.users.require(params.id);
        checkGrants(body.roles);
        const change = s.users.setRoles(params.id, body.roles, actor!.id);
        return {
          user: present(s.users.summary(params.id)),
          change: { before: plainGrants(change.before), after: plainGrants(change.after) },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/disable',
      summary: '停用用户：其所有会话立即失效',
      auth: { permission: 'user.manage' },
      audit: {
        action: 'user.disable',
        target: userTarget,
        detail: (_ctx, out) => ({ endedSessions: (out as { endedSessions: number }).endedSessions }),
      },
      params: IdParams,
      handler: ({ params, actor }) => {
        const r = s.users.setDisabled(params.id, true, actor!.id);
        return { user: present(s.users.summary(params.id)), endedSessions: r.endedSessions };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/enable',
      summary: '重新启用用户',
      auth: { permission: 'user.manage' },
      audit: { action: 'user.enable', target: userTarget },
      params: IdParams,
      handler: ({ params, actor }) => {
        s.users.setDisabled(params.id, false, actor!.id);
        return { user: present(s.users.summary(params.id)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/password',
      summary: '重置为临时密码：下次登录须修改，其所有会话立即失效，登录锁定一并解除',
      auth: { permission: 'user.manage' },
      audit: {
        action: 'user.password-reset',
        target: userTarget,
        detail: (_ctx, out) => {
          const o = out as { endedSessions: number; unlocked: boolean };
          return { endedSessions: o.endedSessions, unlocked: o.unlocked };
        },
      },
      params: IdParams,
      body: z.object({ password: z.string().min(1).max(1000) }),
      handler: async ({ params, body }) => {
        const r = await s.users.resetPassword(params.id, body.password);
        return { user: present(s.users.summary(params.id)), ...r };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/unlock',
      summary: '解除该用户名的登录锁定',
      auth: { permission: 'user.manage' },
      audit: {
        action: 'user.unlock',
        target: userTarget,
        detail: (_ctx, out) => ({ cleared: (out as { cleared: boolean }).cleared }),
      },
      params: IdParams,
      handler: ({ params }) => {
        const r = s.users.unlock(params.id);
        return { user: present(s.users.summary(params.id)), cleared: r.cleared };
      },
    }),
  ];
}
