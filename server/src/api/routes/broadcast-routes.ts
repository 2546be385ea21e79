import { z } from 'zod';
import { BroadcastTargetSchema } from '../../dispatch/targets.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const ContentId = z.string().regex(/^c[0-9a-f]{16}$/, '内容条目编号无效');
const BroadcastIdParams = z.object({ id: z.string().regex(/^b[a-z0-9]{8,40}$/) });

export function broadcastRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/broadcasts',
      summary: '立即播发：到一个终端、一个村/乡镇/全县，或一组终端',
      auth: { permission: 'broadcast.send' },
      audit: {
        action: 'broadcast.send',
        target: (_ctx, out) => `broadcast:${(out as { broadcast: { id: string } }).broadcast.id}`,
        detail: ({ body }, out) => ({
          contentId: body.contentId,
          target: body.target,
          priority: (out as { broadcast: { priority: number } }).broadcast.priority,
          terminals: (out as { broadcast: { total: number } }).broadcast.total,
        }),
      },
      status: 201,
      body: z.object({
        contentId: ContentId,
        target: BroadcastTargetSchema,
        title: z.string().trim().max(200).optional(),
        priority: z.number().int().min(0).max(255).optional(),
        volume: z.number().int().min(0).max(100).optional(),
      }),
      handler: async ({ body, actor }) => ({ broadcast: await s.broadcasts.create(body, actor!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts',
      summary: '最近的播发',
      auth: { permission: 'broadcast.read' },
      handler: ({ actor }) => ({ broadcasts: s.broadcasts.list(actor!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/broadcasts/:id/stop',
      summary: '停止播发：各终端立即停播，尚未收到的标为已取消',
      auth: { permission: 'broadcast.send' },
      audit: { action: 'broadcast.stop', target: ({ params }) => `broadcast:${params.id}` },
      params: BroadcastIdParams,
      handler: async ({ params, actor }) => ({ broadcast: await s.broadcasts.stop(params.id, actor!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts/:id',
      summary: '播发详情和每个终端的回传结果（0 未处理 1 等待 2 播放中 3 已播 4 失败 5 取消）',
      auth: { permission: 'broadcast.read' },
      params: BroadcastIdParams,
      handler: ({ params, actor }) => ({
        broadcast: s.broadcasts.visible(params.id, actor!),
        outcomes: s.broadcasts.outcomesFor(params.id, actor!),
      }),
    }),
  ];
}
