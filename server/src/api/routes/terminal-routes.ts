import { AreaCodeSchema, TerminalIdSchema, topics, VILLAGE_CODE } from '@dlb/protocol';
import { z } from 'zod';
import { newId } from '../../dispatch/command-publisher.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({ id: TerminalIdSchema });
const READERS = ['admin', 'operator', 'viewer'] as const;

export function terminalRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/terminals',
      summary: '终端列表，可按行政区划筛选',
      auth: { roles: READERS },
      query: z.object({ area: AreaCodeSchema.optional() }),
      handler: ({ query }) => {
        if (query.area) s.areas.require(query.area);
        return { terminals: s.terminals.list(query.area) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals',
      summary: '登记终端：返回终端信息和可直接使用的终端配置文件（含密钥，只显示这一次）',
      auth: { roles: ['admin'] },
      status: 201,
      body: z.object({
        villageCode: z.string().regex(VILLAGE_CODE, '须为12位村级行政区划代码'),
        name: z.string().trim().min(1).max(100).optional(),
      }),
      handler: ({ body }) => s.terminals.register(body),
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminals/:id',
      summary: '终端详情',
      auth: { roles: READERS },
      params: IdParams,
      handler: ({ params }) => ({ terminal: s.terminals.require(params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminals/:id/events',
      summary: '终端上报的事件（播放回传、拒收的指令）',
      auth: { roles: READERS },
      params: IdParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      handler: ({ params, query }) => {
        s.terminals.require(params.id);
        return { events: s.events.eventsOf(params.id, query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/volume',
      summary: '设置终端音量（0-100，签名指令）',
      auth: { roles: ['admin', 'operator'] },
      params: IdParams,
      body: z.object({ volume: z.number().int().min(0).max(100) }),
      handler: async ({ params, body }) => {
        const t = s.terminals.require(params.id);
        await s.publisher.send(
          newId('v'),
          [{ topic: topics.terminalCmd(t.id), audience: { kind: 'terminal', tid: t.id } }],
          (audience) => ({
            kind: 'volume',
            body: { volume: body.volume, audience },
          }),
        );
        // Its target carries the volume too, so a terminal that missed the command still gets it.
        s.terminals.setVolume(t.id, body.volume);
        s.targets.touch({ kind: 'terminal', tid: t.id });
        return { sent: true, terminal: t.id, volume: body.volume };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/disable',
      summary: '停用终端：立即断开，不能再连接',
      auth: { roles: ['admin'] },
      params: IdParams,
      handler: ({ params }) => ({ terminal: s.terminals.setEnabled(params.id, false) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/enable',
      summary: '重新启用终端',
      auth: { roles: ['admin'] },
      params: IdParams,
      handler: ({ params }) => ({ terminal: s.terminals.setEnabled(params.id, true) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/rotate-credentials',
      summary: '更换终端密钥：旧密钥立即失效，返回新的终端配置文件',
      auth: { roles: ['admin'] },
      params: IdParams,
      handler: ({ params }) => s.terminals.rotateCredentials(params.id),
    }),
  ];
}
