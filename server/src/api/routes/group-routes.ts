import { z } from 'zod';
import { GroupIdSchema, GroupInputSchema } from '../../terminals/terminal-groups.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({ id: GroupIdSchema });
const groupTarget = (_ctx: unknown, out: unknown) => `group:${(out as { group: { id: string } }).group.id}`;
const groupDetail = (_ctx: unknown, out: unknown) => {
  const g = (out as { group: { name: string; scopeCode: string; terminalIds: string[] } }).group;
  return { name: g.name, scopeCode: g.scopeCode, members: g.terminalIds.length };
};

/** Named terminal groups, which alerts can target (`area.groups`); held under the county or a township. */
export function groupRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/terminal-groups',
      summary: '终端分组列表（您管辖范围内的）',
      auth: { permission: 'terminal.read' },
      handler: ({ actor }) => ({ groups: s.groups.list(actor!, 'terminal.read') }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/terminal-groups/:id',
      summary: '终端分组详情',
      auth: { permission: 'terminal.read' },
      params: IdParams,
      handler: ({ params, actor }) => ({ group: s.groups.get(params.id, actor!, 'terminal.read') }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/terminal-groups',
      summary: '新建终端分组：名称、所属县或乡镇、成员终端（须都在该区域内）',
      auth: { permission: 'group.manage' },
      audit: { action: 'group.create', target: groupTarget, detail: groupDetail },
      status: 201,
      body: GroupInputSchema,
      handler: ({ body, actor }) => ({ group: s.groups.create(body, actor!) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/terminal-groups/:id',
      summary: '修改终端分组（名称、备注、成员；所属区域不能改）',
      auth: { permission: 'group.manage' },
      audit: { action: 'group.update', target: groupTarget, detail: groupDetail },
      params: IdParams,
      body: GroupInputSchema,
      handler: ({ params, body, actor }) => ({ group: s.groups.update(params.id, body, actor!) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/terminal-groups/:id',
      summary: '删除终端分组（已发布的预警仍按发布时的成员播出）',
      auth: { permission: 'group.manage' },
      audit: { action: 'group.delete', target: groupTarget, detail: groupDetail },
      params: IdParams,
      handler: ({ params, actor }) => ({ group: s.groups.remove(params.id, actor!) }),
    }),
  ];
}
