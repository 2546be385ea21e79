import { randomBytes } from 'node:crypto';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import { AppError, conflict, forbidden, notFound, unprocessable } from '../errors.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import { checkProgrammeFits, type FitContext } from './programme-rules.ts';
import {
  type NewProgramme,
  type ProgrammeRecord,
  type ProgrammeStore,
  SOUNDING_STATES,
} from './programme-store.ts';
import type { ScheduleCalendar } from './schedule-types.ts';
import type { TargetScope } from './target-publisher.ts';
import { type DayPlan, layOut, runningTimeMs, type TimelineOptions } from './timeline.ts';

export type {
  ProgrammeConflict,
  ProgrammeInput,
  ProgrammeItemInput,
  ProgrammeView,
} from './programme-types.ts';

import type {
  ProgrammeConflict,
  ProgrammeInput,
  ProgrammeItemInput,
  ProgrammeView,
} from './programme-types.ts';

const newItemId = () => `i${randomBytes(6).toString('hex')}`;
export const newProgrammeId = () => `p${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;

/** The release gate (content/): approved content, usable at an area, by this person. */
export interface ContentGate {
  useFor(id: string, actor: Actor, useAtArea: string): { mediaSha256: string; title: string };
}

export interface ProgrammeServiceDeps {
  store: ProgrammeStore;
  areas: AreaService;
  media: MediaRecords;
  content: ContentGate;
  calendar: () => ScheduleCalendar;
  timeline: TimelineOptions;
  now: () => number;
  /** Told which terminals' targets a change reaches. */
  touched: (scope: TargetScope) => void;
}

/** Programmes for a date, a slot (or a set time) and a scope: checked against the schedule, then saved. */
export class ProgrammeService {
  constructor(private readonly deps: ProgrammeServiceDeps) {}

  private countyCode(): string {
    const county = this.deps.areas.list().find((a) => a.level === 'county');
    if (!county) throw notFound('no_county', '尚未导入县级行政区划');
    return county.code;
  }

  private scopeOf(code: string): { code: string; name: string; level: 'county' | 'township' } {
    const a = this.deps.areas.require(code);
    if (a.level !== 'county' && a.level !== 'township') {
      throw unprocessable('bad_scope', `节目只能安排给全县或一个乡镇，${a.name} 是村级`);
    }
    return { code: a.code, name: a.name, level: a.level };
  }

  fitContext(date: string, excludeId: string | null): FitContext {
    const day = this.deps.store.dayPlans([date]).get(date)!;
    if (excludeId) {
      for (const [k, p] of day.slotProgrammes) if (p.id === excludeId) day.slotProgrammes.delete(k);
      day.oneOffs = day.oneOffs.filter((p) => p.id !== excludeId);
    }
    return {
      calendar: this.deps.calendar(),
      day,
      countyCode: this.countyCode(),
      townships: this.deps.areas
        .list()
        .filter((a) => a.level === 'township')
        .map((a) => ({ code: a.code, name: a.name })),
      gapMs: this.deps.timeline.gapMs,
      now: this.deps.now(),
    };
  }

  /** Builds the programme as it would be stored, through the release gate for every item. */
  private draft(id: string, input: ProgrammeInput, actor: Actor): NewProgramme & { data: ProgrammeRecord } {
    const scope = this.scopeOf(input.scopeCode);
    if (!actor.canAt('programme.write', scope.code))
      throw forbidden(`无权为“${scope.name}”安排节目：超出您的管辖范围`);
    if ((input.slotId === undefined) === (input.startTime === undefined)) {
      throw unprocessable('slot_or_time', '请指定时段 (slotId) 或定时播出时间 (startTime)，二者选一');
    }
    const items = input.items.map((i) => {
      const used = this.deps.content.useFor(i.contentId, actor, scope.code);
      const m = this.deps.media.require(used.mediaSha256);
      return {
        id: i.id ?? newItemId(),
        contentId: i.contentId,
        mediaSha256: m.sha256,
        title: i.title ?? used.title,
        volume: i.volume ?? null,
        media: { sha256: m.sha256, bytes: m.bytes, durationMs: m.durationMs, mime: m.mime },
      };
    });
    const now = this.deps.now();
    const base = {
      id,
      date: input.date,
      slotId: input.slotId ?? null,
      startTime: input.startTime ?? null,
      scopeCode: scope.code,
      title: input.title,
    };
    return {
      ...base,
      items: items.map(({ media: _m, ...rest }) => rest),
      data: {
        ...base,
        scopeLevel: scope.level,
        items: items.map((i) => ({
          id: i.id,
          media: i.media,
          title: i.title,
          volume: i.volume,
          contentId: i.contentId,
          contentState: 'released',
        })),
        createdAt: now,
        updatedAt: now,
      },
    };
  }

  private touch(p: { scopeCode: string }): void {
    this.deps.touched(
      p.scopeCode === this.countyCode() ? { kind: 'all' } : { kind: 'area', code: p.scopeCode },
    );
  }

  create(input: ProgrammeInput, actor: Actor): ProgrammeView {
    const d = this.deps.store.atomically(() => {
      const d = this.draft(newProgrammeId(), input, actor);
      if (d.slotId !== null && this.deps.store.findSlot(d.date, d.slotId, d.scopeCode)) {
        throw conflict('programme_exists', `${d.date} 该范围的这个时段已有节目，请修改它而不是新建`);
      }
      checkProgrammeFits(d.data, this.fitContext(d.date, null));
      this.deps.store.save(d, actor.id, this.deps.now());
      return d;
    });
    this.touch(d);
    return this.view(d.id);
  }

  update(id: string, change: { title?: string; items: ProgrammeItemInput[] }, actor: Actor): ProgrammeView {
    const old = this.visibleRecord(id, actor);
    const known = new Set(old.items.map((i) => i.id));
    for (const i of change.items) {
      if (i.id && !known.has(i.id)) throw unprocessable('unknown_item', `节目里没有条目 ${i.id}`);
    }
    const d = this.deps.store.atomically(() => {
      const d = this.draft(
        id,
        {
          date: old.date,
          ...(old.slotId !== null ? { slotId: old.slotId } : { startTime: old.startTime! }),
          scopeCode: old.scopeCode,
          title: change.title ?? old.title,
          items: change.items,
        },
        actor,
      );
      checkProgrammeFits(d.data, this.fitContext(d.date, id));
      this.deps.store.save(d, actor.id, this.deps.now());
      return d;
    });
    this.touch(d);
    return this.view(id);
  }

  delete(id: string, actor: Actor): void {
    const p = this.visibleRecord(id, actor);
    if (!actor.canAt('programme.write', p.scopeCode)) throw forbidden('无权删除该范围的节目');
    const start = this.startOf(p);
    if (start !== null && start <= this.deps.now()) {
      throw unprocessable('already_started', '节目已经开始播出，不能删除；如需停播请使用“停止”');
    }
    this.deps.store.delete(id);
    this.touch(p);
  }

  /**
   * Copies a programme to other dates, all or nothing: each copy is checked against that date's slot
   * (seasons change slot times and lengths) and must not replace an existing programme unless asked.
   */
  copy(id: string, dates: readonly string[], opts: { replace: boolean }, actor: Actor): ProgrammeView[] {
    const src = this.visibleRecord(id, actor);
    const drafts = this.deps.store.atomically(() => this.copyDrafts(src, dates, opts, actor));
    if (drafts.length > 0) this.touch(src);
    return drafts.map((d) => this.view(d.id));
  }

  private copyDrafts(
    src: ProgrammeRecord,
    dates: readonly string[],
    opts: { replace: boolean },
    actor: Actor,
  ): Array<NewProgramme & { data: ProgrammeRecord }> {
    const drafts = [...new Set(dates)].map((date) => {
      const existing = src.slotId !== null ? this.deps.store.findSlot(date, src.slotId, src.scopeCode) : null;
      if (existing && existing.id === src.id)
        throw unprocessable('copy_to_self', `不能复制到节目自己的日期 ${date}`);
      if (existing && !opts.replace) {
        throw conflict(
          'programme_exists',
          `${date} 这个时段已有节目“${existing.title}”；如要覆盖请选择“替换”`,
        );
      }
      const d = this.draft(
        existing?.id ?? newProgrammeId(),
        {
          date,
          ...(src.slotId !== null ? { slotId: src.slotId } : { startTime: src.startTime! }),
          scopeCode: src.scopeCode,
          title: src.title,
          items: src.items.map((i) => ({
            contentId: i.contentId ?? '',
            ...(i.title !== null ? { title: i.title } : {}),
            ...(i.volume !== null ? { volume: i.volume } : {}),
          })),
        },
        actor,
      );
      try {
        checkProgrammeFits(d.data, this.fitContext(date, existing?.id ?? null));
      } catch (e) {
        if (e instanceof Error) e.message = `${date}: ${e.message}`;
        throw e;
      }
      return d;
    });
    const now = this.deps.now();
    for (const d of drafts) this.deps.store.save(d, actor.id, now);
    return drafts;
  }

  require(id: string): ProgrammeRecord {
    const p = this.deps.store.get(id);
    if (!p) throw notFound('unknown_programme', `节目 ${id} 不存在`);
    return p;
  }

  /** A programme the actor may read: its own township's, or the county's (which sounds there too). */
  private visibleRecord(id: string, actor: Actor): ProgrammeRecord {
    const p = this.deps.store.get(id);
    if (!p || !actor.canAtOrAbove('programme.read', p.scopeCode))
      throw notFound('unknown_programme', `节目 ${id} 不存在`);
    return p;
  }

  viewFor(id: string, actor: Actor): ProgrammeView {
    return this.view(this.visibleRecord(id, actor).id);
  }

  private startOf(p: ProgrammeRecord): number | null {
    const cal = this.deps.calendar();
    if (p.startTime !== null) return cal.toInstant(p.date, p.startTime);
    return cal.slot(p.date, p.slotId!, p.scopeLevel === 'county' ? null : p.scopeCode)?.startAt ?? null;
  }

  view(id: string): ProgrammeView {
    const p = this.require(id);
    const cal = this.deps.calendar();
    const scope = this.scopeOf(p.scopeCode);
    const slot =
      p.slotId !== null ? cal.slot(p.date, p.slotId, p.scopeLevel === 'county' ? null : p.scopeCode) : null;
    const startAt = this.startOf(p);
    const laid =
      startAt !== null
        ? layOut(
            p.items.map((i) => ({
              entryId: i.id,
              programmeId: p.id,
              title: i.title,
              priority: 0,
              media: i.media,
              volume: i.volume,
            })),
            startAt,
            '',
            this.deps.timeline,
          )
        : [];
    return {
      id: p.id,
      date: p.date,
      slotId: p.slotId,
      slotName: slot?.name ?? null,
      startTime: p.startTime,
      scope,
      title: p.title,
      startAt,
      durationMs: runningTimeMs(
        p.items.map((i) => i.media.durationMs),
        this.deps.timeline.gapMs,
      ),
      limitMs: slot?.maxMs ?? null,
      items: p.items.map((i, n) => ({
        id: i.id,
        contentId: i.contentId ?? null,
        contentState: i.contentState ?? null,
        mediaSha256: i.media.sha256,
        title: i.title,
        volume: i.volume,
        durationMs: i.media.durationMs,
        startAt: laid[n]?.startAt ?? null,
      })),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  list(from: string, to: string, actor: Actor, scopeCode?: string): ProgrammeView[] {
    return this.deps.store
      .list(from, to, scopeCode)
      .filter((p) => actor.canAtOrAbove('programme.read', p.scopeCode))
      .map((p) => this.view(p.id));
  }

  /**
   * Programmes not yet begun that the schedule in force would now refuse (a slot shortened, moved into quiet
   * hours or dropped by an edit of the schedule file): still sent to terminals as planned, shown to operators.
   */
  conflicts(days = 31): ProgrammeConflict[] {
    const cal = this.deps.calendar();
    const now = this.deps.now();
    const from = cal.localDate(now);
    const to = cal.localDate(now + days * 86_400_000);
    const out: ProgrammeConflict[] = [];
    for (const p of this.deps.store.list(from, to)) {
      const start = this.startOf(p);
      if (start !== null && start <= now) continue;
      const base = { programmeId: p.id, date: p.date, title: p.title, scopeCode: p.scopeCode };
      for (const i of p.items) {
        if (i.contentState && !SOUNDING_STATES.has(i.contentState))
          out.push({
            ...base,
            code: 'content_not_approved',
            message: `条目“${i.title ?? i.contentId}”的内容已修改，重新审核通过前不会播出`,
          });
      }
      try {
        checkProgrammeFits(p, this.fitContext(p.date, p.id));
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        out.push({ ...base, code: e.code, message: e.message });
      }
    }
    return out;
  }

  /** Everything planned on a date (for checks that span programmes, e.g. a new recurring item). */
  dayPlan(date: string): DayPlan {
    return this.deps.store.dayPlans([date]).get(date)!;
  }
}
