import { Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import { BroadcastTargetSchema } from '../../dispatch/targets.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const READERS = ['admin', 'operator', 'viewer'] as const;
const BroadcastIdParams = z.object({ id: z.string().regex(/^b[a-z0-9]{8,40}$/) });

export function broadcastRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/broadcasts',
      summary: '立即播发：到一个终端、一个村/乡镇/全县，或一组终端',
      auth: { roles: ['admin', 'operator'] },
      status: 201,
      body: z.object({
        mediaSha256: Sha256Hex,
        target: BroadcastTargetSchema,
        title: z.string().trim().max(200).optional(),
        priority: z.number().int().min(0).max(255).optional(),
        volume: z.number().int().min(0).max(100).optional(),
      }),
      handler: async ({ body, user }) => ({ broadcast: await s.broadcasts.create(body, user?.id ?? null) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts',
      summary: '最近的播发',
      auth: { roles: READERS },
      handler: () => ({ broadcasts: s.broadcasts.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/broadcasts/:id/stop',
      summary: '停止播发：各终端立即停播，尚未收到的标为已取消',
      auth: { roles: ['admin', 'operator'] },
      params: BroadcastIdParams,
      handler: async ({ params }) => ({ broadcast: await s.broadcasts.stop(params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts/:id',
      summary: '播发详情和每个终端的回传结果（0 未处理 1 等待 2 播放中 3 已播 4 失败 5 取消）',
      auth: { roles: READERS },
      params: BroadcastIdParams,
      handler: ({ params }) => ({
        broadcast: s.broadcasts.require(params.id),
        outcomes: s.broadcasts.outcomes(params.id),
      }),
    }),
  ];
}
