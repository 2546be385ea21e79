import { AreaCodeSchema } from '@dlb/protocol';
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const ContentId = z.string().regex(/^c[0-9a-f]{16}$/, '内容条目编号无效');
const programmeTarget = (_ctx: unknown, out: unknown) =>
  `programme:${(out as { programme: { id: string } }).programme.id}`;

export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, '不是有效的日期');
const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, '时间格式应为 HH:MM 或 HH:MM:SS');
const SlotId = z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, '时段编号无效');
const ItemId = z.string().regex(/^i[0-9a-f]{12}$/);
const ProgrammeId = z.object({ id: z.string().regex(/^p[a-z0-9]{6,40}$/) });

const Item = z.object({
  id: ItemId.optional(),
  contentId: ContentId,
  title: z.string().trim().max(200).optional(),
  volume: z.number().int().min(0).max(100).optional(),
});
const Items = z.array(Item).min(1, '节目至少要有一条').max(50, '一个节目最多 50 条');

const DaysRule = z
  .string()
  .regex(
    /^(daily|weekdays|weekends|(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*)$/,
    '应为 daily、weekdays、weekends 或 mon,wed,... ',
  );

export function programmeRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/programmes',
      summary: '节目单：日期范围内的节目（可按范围筛选）',
      auth: { permission: 'programme.read' },
      query: z.object({ from: LocalDate, to: LocalDate, scope: AreaCodeSchema.optional() }),
      handler: ({ query, actor }) => ({
        programmes: s.programmes.list(query.from, query.to, actor!, query.scope),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/programmes',
      summary: '新建节目：某日某时段（或定时）、全县或一个乡镇，按顺序的条目；超时或进入静默时段会被拒绝',
      auth: { permission: 'programme.write' },
      audit: {
        action: 'programme.create',
        target: programmeTarget,
        detail: ({ body }) => ({ date: body.date, slotId: body.slotId, scopeCode: body.scopeCode }),
      },
      status: 201,
      body: z.object({
        date: LocalDate,
        slotId: SlotId.optional(),
        startTime: TimeOfDay.optional(),
        scopeCode: AreaCodeSchema,
        title: z.string().trim().min(1).max(200),
        items: Items,
      }),
      handler: ({ body, actor }) => ({ programme: s.programmes.create(body, actor!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/programmes/:id',
      summary: '节目详情：各条目的开播时间，以及各终端的播出回传',
      auth: { permission: 'programme.read' },
      params: ProgrammeId,
      handler: ({ params, actor }) => ({
        programme: s.programmes.viewFor(params.id, actor!),
        plays: s.scheduleStatus
          .plays(params.id)
          .filter((p) => actor!.canAt('terminal.read', s.terminals.get(p.terminalId)?.villageCode ?? '')),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/programmes/:id',
      summary: '修改节目条目（保留已有条目的 id，已播的终端不会重播）',
      auth: { permission: 'programme.write' },
      audit: { action: 'programme.edit', target: ({ params }) => `programme:${params.id}` },
      params: ProgrammeId,
      body: z.object({ title: z.string().trim().min(1).max(200).optional(), items: Items }),
      handler: ({ params, body, actor }) => ({ programme: s.programmes.update(params.id, body, actor!) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/programmes/:id',
      summary: '删除尚未开播的节目',
      auth: { permission: 'programme.write' },
      audit: { action: 'programme.delete', target: ({ params }) => `programme:${params.id}` },
      params: ProgrammeId,
      handler: ({ params, actor }) => {
        s.programmes.delete(params.id, actor!);
        return { deleted: params.id };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/programmes/:id/copy',
      summary: '把节目复制到其他日期（全部成功或全部不做）',
      auth: { permission: 'programme.write' },
      audit: {
        action: 'programme.copy',
        target: ({ params }) => `programme:${params.id}`,
        detail: ({ body }) => ({ dates: body.dates, replace: body.replace }),
      },
      params: ProgrammeId,
      status: 201,
      body: z.object({ dates: z.array(LocalDate).min(1).max(62), replace: z.boolean().default(false) }),
      handler: ({ params, body, actor }) => ({
        programmes: s.programmes.copy(params.id, body.dates, { replace: body.replace }, actor!),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/recurring-items',
      summary: '固定条目（如每天早间的天气预报）',
      auth: { permission: 'programme.read' },
      handler: ({ actor }) => ({ items: s.recurring.list(actor!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/recurring-items',
      summary: '新增固定条目：在某时段的开头或末尾，每天（或工作日/周末/指定星期）播出',
      auth: { permission: 'programme.write' },
      audit: {
        action: 'recurring.create',
        target: (_ctx, out) => `recurring:${(out as { item: { id: string } }).item.id}`,
        detail: ({ body }) => ({ ...body }),
      },
      status: 201,
      body: z.object({
        slotId: SlotId,
        scopeCode: AreaCodeSchema,
        contentId: ContentId,
        title: z.string().trim().max(200).optional(),
        days: DaysRule.default('daily'),
        fromDate: LocalDate,
        untilDate: LocalDate.optional(),
        placement: z.enum(['first', 'last']).default('first'),
      }),
      handler: ({ body, actor }) => ({ item: s.recurring.add(body, actor!) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/recurring-items/:id',
      summary: '删除固定条目',
      auth: { permission: 'programme.write' },
      audit: { action: 'recurring.delete', target: ({ params }) => `recurring:${params.id}` },
      params: z.object({ id: z.string().regex(/^r[0-9a-f]{10}$/) }),
      handler: ({ params, actor }) => {
        s.recurring.delete(params.id, actor!);
        return { deleted: params.id };
      },
    }),
  ];
}
