import { randomBytes } from 'node:crypto';
import { AreaCodeSchema, TerminalIdSchema } from '@dlb/protocol';
import { z } from 'zod';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/roles.ts';
import type { Db } from '../db/database.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';

export const GroupIdSchema = z.string().regex(/^g[0-9a-f]{16}$/, '分组编号格式不对');

/** The most terminals one group holds (a county has about 2,000). */
export const MAX_GROUP_MEMBERS = 5000;

export const GroupInputSchema = z.strictObject({
  name: z.string().trim().min(1, '分组名称不能为空').max(50, '分组名称最长 50 个字'),
  /** The county or a township: every member must lie under it. */
  scopeCode: AreaCodeSchema,
  terminalIds: z
    .array(TerminalIdSchema)
    .min(1, '分组至少要有一个终端')
    .max(MAX_GROUP_MEMBERS, `一个分组最多 ${MAX_GROUP_MEMBERS} 个终端`),
  note: z.string().trim().max(500).optional(),
});
export type GroupInput = z.infer<typeof GroupInputSchema>;

export interface TerminalGroup {
  id: string;
  name: string;
  scopeCode: string;
  note: string | null;
  terminalIds: string[];
  createdAt: number;
  updatedAt: number;
}

interface GroupRow {
  id: string;
  name: string;
  scope_code: string;
  note: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * Named groups of terminals (e.g. 沿河村 speakers for flood warnings), each held under one area: the county
 * or a township. Who may see or change a group is decided by that area; every member must lie under it.
 * A group out of someone's scope is answered as unknown (404), as terminals are.
 */
export class TerminalGroups {
  constructor(
    private readonly db: Db,
    private readonly areas: Pick<AreaService, 'get'>,
    private readonly now: () => number,
  ) {}

  private row(id: string): GroupRow | undefined {
    return this.db.prepare('SELECT * FROM terminal_groups WHERE id = ?').get(id) as GroupRow | undefined;
  }

  private membersOf(id: string): string[] {
    return (
      this.db
        .prepare('SELECT terminal_id FROM terminal_group_members WHERE group_id = ? ORDER BY terminal_id')
        .all(id) as Array<{ terminal_id: string }>
    ).map((r) => r.terminal_id);
  }

  private toGroup(r: GroupRow): TerminalGroup {
    return {
      id: r.id,
      name: r.name,
      scopeCode: r.scope_code,
      note: r.note,
      terminalIds: this.membersOf(r.id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  /** Groups whose area the actor holds `p` at. */
  list(actor: Actor, p: Permission): TerminalGroup[] {
    const rows = this.db
      .prepare('SELECT * FROM terminal_groups ORDER BY scope_code, name')
      .all() as GroupRow[];
    return rows.filter((r) => actor.canAt(p, r.scope_code)).map((r) => this.toGroup(r));
  }

  /** A group the actor holds `p` at (404 otherwise, as for an unknown id). */
  get(id: string, actor: Actor, p: Permission): TerminalGroup {
    const row = this.row(id);
    if (!row || !actor.canAt(p, row.scope_code)) throw notFound('unknown_group', `终端分组 ${id} 不存在`);
    return this.toGroup(row);
  }

  create(input: GroupInput, actor: Actor): TerminalGroup {
    this.checkInput(input, actor);
    const id = `g${randomBytes(8).toString('hex')}`;
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO terminal_groups (id, name, scope_code, note, created_at, created_by, updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, input.name, input.scopeCode, input.note ?? null, now, actor.id, now, actor.id);
      this.writeMembers(id, input.terminalIds);
    })();
    return this.get(id, actor, 'group.manage');
  }

  /** Renames, re-notes and replaces the members; the area a group is held under does not change. */
  update(id: string, input: GroupInput, actor: Actor): TerminalGroup {
    const old = this.get(id, actor, 'group.manage');
    if (input.scopeCode !== old.scopeCode)
      throw unprocessable('group_scope_fixed', '分组所属区域不能修改：请新建分组');
    this.checkInput(input, actor, id);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE terminal_groups SET name = ?, note = ?, updated_at = ?, updated_by = ? WHERE id = ?')
        .run(input.name, input.note ?? null, this.now(), actor.id, id);
      this.db.prepare('DELETE FROM terminal_group_members WHERE group_id = ?').run(id);
      this.writeMembers(id, input.terminalIds);
    })();
    return this.get(id, actor, 'group.manage');
  }

  /** Alerts already raised keep the terminals they reached: their area holds the members, not the group. */
  remove(id: string, actor: Actor): TerminalGroup {
    const old = this.get(id, actor, 'group.manage');
    this.db.prepare('DELETE FROM terminal_groups WHERE id = ?').run(id);
    return old;
  }

  /** The groups an alert names, each visible to the officer for `p` (404 otherwise). */
  resolve(ids: readonly string[], actor: Actor | null, p: Permission): TerminalGroup[] {
    return ids.map((id) => {
      if (actor) return this.get(id, actor, p);
      const row = this.row(id);
      if (!row) throw notFound('unknown_group', `终端分组 ${id} 不存在`);
      return this.toGroup(row);
    });
  }

  private writeMembers(id: string, terminalIds: readonly string[]): void {
    const ins = this.db.prepare('INSERT INTO terminal_group_members (group_id, terminal_id) VALUES (?, ?)');
    for (const tid of new Set(terminalIds)) ins.run(id, tid);
  }

  private checkInput(input: GroupInput, actor: Actor, self?: string): void {
    const area = this.areas.get(input.scopeCode);
    if (!area || !actor.canAt('group.manage', input.scopeCode))
      throw notFound('unknown_area', `行政区划 ${input.scopeCode} 不存在或不在您的管辖范围`);
    if (area.level === 'village')
      throw unprocessable('group_scope_level', '分组须属于县或乡镇（一个村的终端可直接按行政区划选择）');
    const same = this.db
      .prepare('SELECT id FROM terminal_groups WHERE scope_code = ? AND name = ? AND id IS NOT ?')
      .get(input.scopeCode, input.name, self ?? null);
    if (same) throw conflict('group_name_taken', `该区域已有名为“${input.name}”的分组`);
    const ids = [...new Set(input.terminalIds)];
    const found = new Map<string, string>();
    // Chunks keep each statement under SQLite's parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT id, village_code FROM terminals WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Array<{ id: string; village_code: string }>;
      for (const r of rows) found.set(r.id, r.village_code);
    }
    const outside = ids.filter((tid) => !found.get(tid)?.startsWith(input.scopeCode));
    if (outside.length > 0)
      throw unprocessable(
        'group_member_outside',
        `以下终端不存在或不在分组所属区域内：${outside.slice(0, 10).join('、')}${outside.length > 10 ? ` 等 ${outside.length} 个` : ''}`,
        { terminalIds: outside.slice(0, 100) },
      );
  }
}
