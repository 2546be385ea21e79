import { randomBytes } from 'node:crypto';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import { AppError, forbidden, notFound, unprocessable } from '../errors.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import { addDays } from './local-time.ts';
import { checkProgrammeFits } from './programme-rules.ts';
import type { ContentGate, ProgrammeService } from './programme-service.ts';
import type { ProgrammeStore } from './programme-store.ts';
import type { ScheduleCalendar } from './schedule-types.ts';
import type { TargetScope } from './target-publisher.ts';
import { type ProgrammeData, type RecurringData, recurringApplies, slotProgrammeKey } from './timeline.ts';

export interface RecurringInput {
  slotId: string;
  scopeCode: string;
  contentId: string;
  title?: string;
  days: string;
  fromDate: string;
  untilDate?: string;
  placement: 'first' | 'last';
}

/** How far ahead a new recurring item is checked against the slots it joins. */
const CHECK_DAYS = 31;

/** Items played in a slot on every matching day; each is checked against the programmes it joins. */
export class RecurringService {
  constructor(
    private readonly deps: {
      store: ProgrammeStore;
      programmes: ProgrammeService;
      areas: AreaService;
      media: MediaRecords;
      content: ContentGate;
      calendar: () => ScheduleCalendar;
      now: () => number;
      touched: (scope: TargetScope) => void;
    },
  ) {}

  /** The recurring items the actor may see (its township's and the county's). */
  list(actor: Actor): RecurringData[] {
    return this.deps.store.recurring().filter((r) => actor.canAtOrAbove('programme.read', r.scopeCode));
  }

  add(input: RecurringInput, actor: Actor): RecurringData {
    // The release gate's writes commit only with the item they let in.
    const item = this.deps.store.atomically(() => this.save(input, actor));
    this.touch(item.scopeCode);
    return this.deps.store.getRecurring(item.id)!;
  }

  private save(input: RecurringInput, actor: Actor): RecurringData {
    const scope = this.deps.areas.require(input.scopeCode);
    if (scope.level === 'village') throw unprocessable('bad_scope', `固定条目只能安排给全县或一个乡镇`);
    if (!actor.canAt('programme.write', scope.code))
      throw forbidden(`无权为“${scope.name}”安排固定条目：超出您的管辖范围`);
    if (!this.deps.calendar().slotIds().includes(input.slotId)) {
      throw unprocessable('unknown_slot', `时段表中没有“${input.slotId}”`);
    }
    if (input.untilDate && input.untilDate < input.fromDate) {
      throw unprocessable('bad_range', '结束日期早于开始日期');
    }
    const used = this.deps.content.useFor(input.contentId, actor, scope.code);
    const m = this.deps.media.require(used.mediaSha256);
    const item: RecurringData = {
      id: `r${randomBytes(5).toString('hex')}`,
      slotId: input.slotId,
      scopeCode: scope.code,
      scopeLevel: scope.level === 'county' ? 'county' : 'township',
      media: { sha256: m.sha256, bytes: m.bytes, durationMs: m.durationMs, mime: m.mime },
      title: input.title ?? used.title,
      contentId: input.contentId,
      contentState: 'released',
      days: input.days,
      fromDate: input.fromDate,
      untilDate: input.untilDate ?? null,
      placement: input.placement,
    };
    this.checkFits(item);
    this.deps.store.saveRecurring(
      { ...item, contentId: input.contentId, mediaSha256: m.sha256 },
      actor.id,
      this.deps.now(),
    );
    return item;
  }

  delete(id: string, actor: Actor): void {
    const r = this.deps.store.getRecurring(id);
    if (!r || !actor.canAtOrAbove('programme.read', r.scopeCode))
      throw notFound('unknown_recurring', `固定条目 ${id} 不存在`);
    if (!actor.canAt('programme.write', r.scopeCode)) throw forbidden('无权删除该范围的固定条目');
    this.deps.store.deleteRecurring(id);
    this.touch(r.scopeCode);
  }

  private touch(scopeCode: string): void {
    const county = this.deps.areas.list().find((a) => a.level === 'county');
    this.deps.touched(scopeCode === county?.code ? { kind: 'all' } : { kind: 'area', code: scopeCode });
  }

  /** Every slot it joins in the coming weeks (and up to the last planned programme) must still fit. */
  private checkFits(item: RecurringData): void {
    const cal = this.deps.calendar();
    const today = cal.localDate(this.deps.now());
    const first = item.fromDate > today ? item.fromDate : today;
    const lastPlanned = this.deps.store.lastProgrammeDate();
    let last = addDays(first, CHECK_DAYS);
    if (lastPlanned && lastPlanned > last) last = lastPlanned;
    if (item.untilDate && item.untilDate < last) last = item.untilDate;
    for (let date = first; date <= last; date = addDays(date, 1)) {
      if (!recurringApplies(item, date)) continue;
      const ctx = this.deps.programmes.fitContext(date, null);
      ctx.day.recurring = [...ctx.day.recurring, item];
      const existing = ctx.day.slotProgrammes.get(slotProgrammeKey(item.slotId, item.scopeCode));
      const probe: ProgrammeData = existing ?? {
        id: '(固定条目)',
        date,
        slotId: item.slotId,
        startTime: null,
        scopeCode: item.scopeCode,
        scopeLevel: item.scopeLevel,
        title: item.title ?? '固定条目',
        items: [],
      };
      const slot = cal.slot(date, item.slotId, item.scopeLevel === 'county' ? null : item.scopeCode);
      if (!slot || slot.startAt <= ctx.now) continue;
      try {
        checkProgrammeFits(probe, ctx);
      } catch (e) {
        if (e instanceof AppError)
          throw unprocessable(e.code, `加入固定条目后 ${date}: ${e.message}`, e.details);
        throw e;
      }
    }
  }
}
