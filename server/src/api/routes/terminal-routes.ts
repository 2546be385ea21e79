import { AreaCodeSchema, TerminalIdSchema, topics, VILLAGE_CODE } from '@dlb/protocol';
import { z } from 'zod';
import { newId } from '../../dispatch/command-publisher.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import { areaInScope, terminalInScope } from '../scope.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({ id: TerminalIdSchema });
const terminalTarget = (ctx: { params: { id: string } }) => `terminal:${ctx.params.id}`;

export function terminalRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/terminals',
      summary: '终端列表，可按行政区划筛选',
      auth: { permission: 'terminal.read' },
      query: z.object({ area: AreaCodeSchema.optional() }),
      handler: ({ query, actor }) => {
        const a = actor!;
        if (query.area && !a.canAtOrAbove('terminal.read', s.areas.require(query.area).code))
          areaInScope(s, a, query.area, 'terminal.read');
        return {
          terminals: s.terminals.list(query.area).filter((t) => a.canAt('terminal.read', t.villageCode)),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals',
      summary: '登记终端：返回终端信息和可直接使用的终端配置文件（含密钥，只显示这一次）',
      auth: { permission: 'terminal.manage' },
      audit: {
        action: 'terminal.register',
        target: (_ctx, out) => `terminal:${(out as { terminal: { id: string } }).terminal.id}`,
        detail: ({ body }) => ({ villageCode: body.villageCode }),
      },
      status: 201,
      body: z.object({
        villageCode: z.string().regex(VILLAGE_CODE, '须为12位村级行政区划代码'),
        name: z.string().trim().min(1).max(100).optional(),
      }),
      handler: ({ body, actor }) => {
        areaInScope(s, actor!, body.villageCode, 'terminal.manage');
        return s.terminals.register(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminals/:id',
      summary: '终端详情',
      auth: { permission: 'terminal.read' },
      params: IdParams,
      handler: ({ params, actor }) => ({ terminal: terminalInScope(s, actor!, params.id, 'terminal.read') }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminals/:id/events',
      summary: '终端上报的事件（播放回传、拒收的指令）',
      auth: { permission: 'terminal.read' },
      params: IdParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      handler: ({ params, query, actor }) => {
        terminalInScope(s, actor!, params.id, 'terminal.read');
        return { events: s.events.eventsOf(params.id, query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/volume',
      summary: '设置终端音量（0-100，签名指令）',
      auth: { permission: 'terminal.control' },
      audit: { action: 'terminal.volume', target: terminalTarget, detail: ({ body }) => body },
      params: IdParams,
      body: z.object({ volume: z.number().int().min(0).max(100) }),
      handler: async ({ params, body, actor }) => {
        const t = terminalInScope(s, actor!, params.id, 'terminal.control');
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
      auth: { permission: 'terminal.manage' },
      audit: { action: 'terminal.disable', target: terminalTarget },
      params: IdParams,
      handler: ({ params, actor }) => {
        terminalInScope(s, actor!, params.id, 'terminal.manage');
        return { terminal: s.terminals.setEnabled(params.id, false) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/enable',
      summary: '重新启用终端',
      auth: { permission: 'terminal.manage' },
      audit: { action: 'terminal.enable', target: terminalTarget },
      params: IdParams,
      handler: ({ params, actor }) => {
        terminalInScope(s, actor!, params.id, 'terminal.manage');
        return { terminal: s.terminals.setEnabled(params.id, true) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/terminals/:id/drill',
      summary: '设置终端是否参加应急演练（演练只在这些终端播出）',
      auth: { permission: 'terminal.manage' },
      audit: { action: 'terminal.drill', target: terminalTarget, detail: ({ body }) => body },
      params: IdParams,
      body: z.strictObject({ enabled: z.boolean({ error: 'enabled 须为 true 或 false' }) }),
      handler: ({ params, body, actor }) => {
        const t = terminalInScope(s, actor!, params.id, 'terminal.manage');
        s.terminals.setDrillEnabled(t.id, body.enabled);
        s.targets.touch({ kind: 'terminal', tid: t.id });
        return { terminal: t.id, drillEnabled: body.enabled };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/terminals/:id/location',
      summary: '设置终端位置（WGS-84 经纬度），用于按多边形或圆形区域发布的预警',
      auth: { permission: 'terminal.manage' },
      audit: { action: 'terminal.location', target: terminalTarget, detail: ({ body }) => body },
      params: IdParams,
      body: z.strictObject({
        lat: z.number().min(-90, '纬度须在 -90 到 90 之间').max(90, '纬度须在 -90 到 90 之间').nullable(),
        lon: z
          .number()
          .min(-180, '经度须在 -180 到 180 之间')
          .max(180, '经度须在 -180 到 180 之间')
          .nullable(),
      }),
      handler: ({ params, body, actor }) => {
        const t = terminalInScope(s, actor!, params.id, 'terminal.manage');
        const at = body.lat === null || body.lon === null ? null : { lat: body.lat, lon: body.lon };
        s.terminals.setLocation(t.id, at);
        return { terminal: t.id, location: at };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminals/:id/rotate-credentials',
      summary: '更换终端密钥：旧密钥立即失效，返回新的终端配置文件',
      auth: { permission: 'terminal.manage' },
      audit: { action: 'terminal.rotate-credentials', target: terminalTarget },
      params: IdParams,
      handler: ({ params, actor }) => {
        terminalInScope(s, actor!, params.id, 'terminal.manage');
        return s.terminals.rotateCredentials(params.id);
      },
    }),
  ];
}
