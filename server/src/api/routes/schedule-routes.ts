import { AreaCodeSchema, TerminalIdSchema } from '@dlb/protocol';
import { z } from 'zod';
import { notFound, unprocessable } from '../../errors.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import { areaInScope, terminalInScope } from '../scope.ts';
import type { Services } from '../services.ts';
import { LocalDate } from './programme-routes.ts';

export function scheduleRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/schedule',
      summary: '时段表状态：所用文件、载入时间、最近一次被拒绝的修改及原因，以及因时段表修改而不再符合的节目',
      auth: { permission: 'schedule.read' },
      handler: ({ actor }) => ({
        schedule: s.scheduleSource.status(),
        timeZone: s.scheduleSource.calendar().timeZone,
        conflicts: s.programmes.conflicts().filter((c) => actor!.canAtOrAbove('programme.read', c.scopeCode)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedule/reload',
      summary: '立即重新读取时段表文件（无效则拒绝并保留原时段表）',
      auth: { permission: 'schedule.admin' },
      audit: 'handler',
      handler: ({ actor, req }) => {
        const r = s.scheduleSource.reload();
        s.audit.append({
          actor: { kind: 'user', id: actor!.id, name: actor!.name },
          action: 'config.schedule-reload',
          outcome: r.ok ? 'ok' : 'failed',
          detail: r.ok ? {} : { problems: r.problems.length },
          ip: req.socket.remoteAddress ?? null,
        });
        if (!r.ok) {
          throw unprocessable(
            'invalid_schedule',
            `时段表无效，仍使用原时段表: ${r.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''} ${p.field}: ${p.message}`).join('; ')}`,
            r.problems,
          );
        }
        return { schedule: s.scheduleSource.status() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/schedule/slots',
      summary: '某日的时段（按季节与乡镇设置计算出的开始时间和上限）及静默时段',
      auth: { permission: 'schedule.read' },
      query: z.object({ date: LocalDate, township: AreaCodeSchema.optional() }),
      handler: ({ query, actor }) => {
        if (query.township) areaInScope(s, actor!, query.township, 'schedule.read');
        const cal = s.scheduleSource.calendar();
        const township = query.township ?? null;
        const dayStart = cal.toInstant(query.date, '00:00');
        return {
          date: query.date,
          timeZone: cal.timeZone,
          slots: cal.slotsOn(query.date, township),
          quiet: cal.quietIntervals(dayStart, dayStart + 86_400_000, township),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/schedule/terminals',
      summary: '各终端的对时偏差、是否持有最新计划、下一时段音频是否已缓存',
      auth: { permission: 'terminal.read' },
      query: z.object({ area: AreaCodeSchema.optional() }),
      handler: ({ query, actor }) => {
        const a = actor!;
        if (query.area && !a.canAtOrAbove('terminal.read', query.area))
          areaInScope(s, a, query.area, 'terminal.read');
        return s.scheduleStatus.list(query.area, (t) => a.canAt('terminal.read', t.villageCode));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminals/:id/schedule',
      summary: '一个终端的计划执行状态',
      auth: { permission: 'terminal.read' },
      params: z.object({ id: TerminalIdSchema }),
      handler: ({ params, actor }) => {
        terminalInScope(s, actor!, params.id, 'terminal.read');
        const st = s.scheduleStatus.of(params.id);
        if (!st) throw notFound('unknown_terminal', `终端 ${params.id} 不存在`);
        return { status: st };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedule/publish',
      summary: '重新编译并下发全部终端的目标计划',
      auth: { permission: 'schedule.admin' },
      audit: {
        action: 'config.schedule-publish',
        detail: (_ctx, out) => ({ ...(out as { report: object }).report }),
      },
      handler: async () => ({ report: await s.targets.refresh({ kind: 'all' }, { force: true }) }),
    }),
  ];
}
