import { z } from 'zod';
import { AlertInputSchema } from '../../emergency/alert-model.ts';
import type { AlertRecord } from '../../emergency/alert-store.ts';
import { alertView, coverageOf } from '../../emergency/alert-view.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const AlertIdParams = z.object({ id: z.string().regex(/^a[a-z0-9]{8,40}$/, '预警编号格式不正确') });
const alertTarget = (_ctx: unknown, out: unknown) => `alert:${(out as { alert: { id: string } }).alert.id}`;
const summary = (a: AlertRecord) => ({
  level: a.level,
  drill: a.drill,
  revision: a.revision,
  area: a.area,
  state: a.state,
  expiresAt: a.expiresAt,
});

/**
 * The emergency office's routes. Real alerts and drills are separate paths (separate routes, permissions,
 * audit actions and publication: a drill goes only to terminals chosen for drills).
 */
export function alertRoutes(s: Services): AnyRoute[] {
  const view = (a: AlertRecord) => alertView(a, s.now());
  return [
    defineRoute({
      method: 'post',
      path: '/api/alerts',
      summary: '发布真实应急预警：立即在区域内所有终端强制播出（县级Ⅰ/Ⅱ级可配置为须第二人确认）',
      auth: { permission: 'alert.raise' },
      audit: {
        action: 'alert.raise',
        target: alertTarget,
        detail: (_c, out) => summary((out as { alert: AlertRecord }).alert),
      },
      status: 201,
      body: AlertInputSchema,
      handler: async ({ body, actor }) => ({
        alert: view(await s.alerts.raise(body, { kind: 'user', actor: actor! }, { drill: false })),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/drills',
      summary: '发布应急演练：只在标为参加演练的终端播出，并先播“这是演练”提示',
      auth: { permission: 'alert.drill' },
      audit: {
        action: 'alert.drill',
        target: alertTarget,
        detail: (_c, out) => summary((out as { alert: AlertRecord }).alert),
      },
      status: 201,
      body: AlertInputSchema,
      handler: async ({ body, actor }) => ({
        alert: view(await s.alerts.raise(body, { kind: 'user', actor: actor! }, { drill: true })),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts',
      summary: '预警与演练列表（最新在前）',
      auth: { permission: 'alert.read' },
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      handler: ({ actor, query }) => ({ alerts: s.alerts.list(actor!, query.limit).map(view) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/:id',
      summary: '预警详情和覆盖情况：多少终端正在播出，哪些没有、为什么（离线、故障、失败）',
      auth: { permission: 'alert.read' },
      params: AlertIdParams,
      handler: ({ params, actor }) => {
        const a = s.alerts.readable(params.id, actor!);
        return { alert: view(a), coverage: coverageOf(a.revision, s.alertStore.targets(a.id)) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/alerts/:id',
      summary: '更新预警（新版本立即替换各终端正在播的内容）',
      auth: { permission: 'alert.raise' },
      audit: {
        action: 'alert.update',
        target: ({ params }) => `alert:${params.id}`,
        detail: (_c, out) => summary((out as { alert: AlertRecord }).alert),
      },
      params: AlertIdParams,
      body: AlertInputSchema,
      handler: async ({ params, body, actor }) => ({
        alert: view(await s.alerts.update(params.id, body, { kind: 'user', actor: actor! })),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/:id/confirm',
      summary: '第二名值守员确认待确认的预警，确认后立即播出',
      auth: { permission: 'alert.confirm' },
      audit: { action: 'alert.confirm', target: ({ params }) => `alert:${params.id}` },
      params: AlertIdParams,
      handler: async ({ params, actor }) => ({ alert: view(await s.alerts.confirm(params.id, actor!)) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/:id/cancel',
      summary: '取消预警：各终端立即停播（待确认的预警则被驳回）',
      auth: { permission: 'alert.raise' },
      audit: {
        action: 'alert.cancel',
        target: ({ params }) => `alert:${params.id}`,
        detail: ({ body }) => ({ reason: body.reason ?? null }),
      },
      params: AlertIdParams,
      body: z.strictObject({ reason: z.string().trim().max(500).optional() }).prefault({}),
      handler: async ({ params, body, actor }) => ({
        alert: view(await s.alerts.cancel(params.id, { kind: 'user', actor: actor! }, body.reason)),
      }),
    }),
  ];
}
