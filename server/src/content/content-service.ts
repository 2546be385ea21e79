import { randomBytes } from 'node:crypto';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/database.ts';
import { AppError, forbidden, notFound, unprocessable } from '../errors.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import { type ContentChange, type ContentRow, ContentStore } from './content-store.ts';
import { type ContentHistoryEntry, type ContentItem, ContentViews } from './content-view.ts';
import { checkQuality } from './quality-gate.ts';
import {
  type ActorFacts,
  type ContentAction,
  type ContentState,
  type ItemFacts,
  isUsable,
  requireTransition,
  TRANSITIONS,
} from './review-rules.ts';

export type { ContentHistoryEntry, ContentItem, UserRef } from './content-view.ts';

export interface ContentServiceDeps {
  db: Db;
  areas: AreaService;
  media: MediaRecords;
  now: () => number;
  /** Where a failing usable-change listener is reported (default: stderr). */
  log?: (msg: string) => void;
}

export interface ContentInput {
  title: string;
  scopeCode: string;
  category?: string | null;
  script?: string | null;
  mediaSha256?: string | null;
}

export type ContentEdit = Partial<ContentInput>;

export interface ContentListFilter {
  state?: ContentState;
  scopeCode?: string;
  q?: string;
  limit?: number;
  /** The `next` cursor of the previous page. */
  before?: string;
}

export const CONTENT_ID = /^c[0-9a-f]{16}$/;
export const CONTENT_CURSOR = /^\d{1,15}_\d{1,15}$/;

/** Content items and the four gates (quality, submission, review, release). */
export class ContentService {
  private readonly listeners = new Set<(contentId: string) => void>();
  private readonly store: ContentStore;
  private readonly display: ContentViews;

  constructor(private readonly deps: ContentServiceDeps) {
    this.store = new ContentStore(deps.db);
    this.display = new ContentViews(this.store, deps.areas, deps.media);
  }

  /** Called when an item enters or leaves the usable states (approved, released). */
  onUsableChange(listener: (contentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stateOf(id: string): ContentState | null {
    return this.store.get(id)?.state ?? null;
  }

  create(input: ContentInput, actor: Actor): ContentItem {
    const scope = this.writableScope(input.scopeCode, actor);
    const mediaSha256 = this.existingMedia(input.mediaSha256 ?? null);
    const now = this.deps.now();
    let id = newContentId();
    while (this.store.get(id)) id = newContentId();
    this.store.transaction(() => {
      this.store.insert({
        id,
        title: input.title,
        scope_code: scope,
        category: input.category ?? null,
        script: input.script ?? null,
        media_sha256: mediaSha256,
        state: 'draft',
        revision: 1,
        quality: null,
        created_by: actor.id,
        created_at: now,
        updated_by: actor.id,
        updated_at: now,
        submitted_by: null,
        submitted_at: null,
        reviewed_by: null,
        reviewed_at: null,
        reject_reason: null,
        released_by: null,
        released_at: null,
      });
      this.store.addHistory({
        contentId: id,
        at: now,
        userId: actor.id,
        action: 'create',
        fromState: null,
        toState: 'draft',
        revision: 1,
      });
    });
    return this.display.view(this.store.get(id)!);
  }

  /** Any edit that changes something returns the item to draft; title, script or audio make a new revision. */
  update(id: string, edit: ContentEdit, actor: Actor, expectedRevision?: number): ContentItem {
    const row = this.readable(id, actor);
    const next: Pick<ContentRow, 'title' | 'scope_code' | 'category' | 'script' | 'media_sha256'> = {
      title: edit.title ?? row.title,
      scope_code: edit.scopeCode ?? row.scope_code,
      category: edit.category === undefined ? row.category : edit.category,
      script: edit.script === undefined ? row.script : edit.script,
      media_sha256: edit.mediaSha256 === undefined ? row.media_sha256 : edit.mediaSha256,
    };
    this.decideOn('edit', row, actor, { expectedRevision });
    const changed = (Object.keys(next) as Array<keyof typeof next>).filter((k) => next[k] !== row[k]);
    if (changed.length === 0) return this.display.view(row);
    if (next.scope_code !== row.scope_code) this.writableScope(next.scope_code, actor);
    if (next.media_sha256 !== row.media_sha256) this.existingMedia(next.media_sha256);
    const newRevision = changed.some((k) => k === 'title' || k === 'script' || k === 'media_sha256');
    const revision = row.revision + (newRevision ? 1 : 0);
    const now = this.deps.now();
    this.store.transaction(() => {
      this.store.update(id, {
        ...next,
        state: 'draft',
        revision,
        quality: null,
        updated_by: actor.id,
        updated_at: now,
        submitted_by: null,
        submitted_at: null,
        reviewed_by: null,
        reviewed_at: null,
        reject_reason: null,
      });
      this.history(row, actor, 'edit', 'draft', revision, now);
    });
    if (isUsable(row.state)) this.notify(id);
    return this.display.view(this.store.get(id)!);
  }

  /** The quality gate and the submission gate: draft or rejected → submitted. */
  submit(id: string, actor: Actor, expectedRevision?: number): ContentItem {
    const row = this.readable(id, actor);
    const media = row.media_sha256 ? this.deps.media.get(row.media_sha256) : null;
    const now = this.deps.now();
    const quality = checkQuality({
      title: row.title,
      script: row.script,
      revision: row.revision,
      mediaSha256: row.media_sha256,
      media,
      now,
    });
    this.decideOn('submit', row, actor, { expectedRevision, quality });
    return this.apply(row, actor, 'submit', now, {
      submitted_by: actor.id,
      submitted_at: now,
      reviewed_by: null,
      reviewed_at: null,
      reject_reason: null,
      quality: quality.ok ? JSON.stringify(quality.report) : null,
    });
  }

  withdraw(id: string, actor: Actor, expectedRevision?: number): ContentItem {
    const row = this.readable(id, actor);
    this.decideOn('withdraw', row, actor, { expectedRevision });
    const now = this.deps.now();
    return this.apply(row, actor, 'withdraw', now, { submitted_by: null, submitted_at: null });
  }

  /** The review gate: by a reviewer at the item's scope who is not one of its authors. */
  approve(id: string, actor: Actor, expectedRevision?: number): ContentItem {
    const row = this.readable(id, actor);
    this.decideOn('approve', row, actor, { expectedRevision });
    const now = this.deps.now();
    const item = this.apply(row, actor, 'approve', now, { reviewed_by: actor.id, reviewed_at: now });
    this.notify(id);
    return item;
  }

  reject(id: string, actor: Actor, reason: string, expectedRevision?: number): ContentItem {
    const row = this.readable(id, actor);
    const d = this.decideOn('reject', row, actor, { expectedRevision, reason });
    const now = this.deps.now();
    return this.apply(
      row,
      actor,
      'reject',
      now,
      { reviewed_by: actor.id, reviewed_at: now, reject_reason: d.reason },
      d.reason,
    );
  }

  /** Removes a draft or rejected item that never sounded. */
  delete(id: string, actor: Actor): { id: string } {
    const row = this.readable(id, actor);
    this.decideOn('delete', row, actor, {});
    if (this.store.references(id) > 0) {
      throw new AppError(409, 'content_in_use', '条目已被节目或播发引用，不能删除');
    }
    this.store.transaction(() => this.store.delete(id));
    return { id };
  }

  get(id: string, actor: Actor): { item: ContentItem; history: ContentHistoryEntry[] } {
    const row = this.readable(id, actor);
    return { item: this.display.view(row), history: this.display.history(id) };
  }

  /** Items the actor may read, most recently changed first. */
  list(filter: ContentListFilter, actor: Actor): { items: ContentItem[]; next: string | null } {
    const scopes = this.readScopes(actor);
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    if (filter.scopeCode && scopes !== null && !scopes.includes(filter.scopeCode)) {
      return { items: [], next: null };
    }
    let before: { updatedAt: number; seq: number } | undefined;
    if (filter.before) {
      if (!CONTENT_CURSOR.test(filter.before)) throw unprocessable('invalid_cursor', '翻页参数 before 无效');
      const [at, seq] = filter.before.split('_');
      before = { updatedAt: Number(at), seq: Number(seq) };
    }
    const rows = this.store.list({
      scopes,
      state: filter.state,
      scopeCode: filter.scopeCode,
      q: filter.q?.trim() || undefined,
      limit,
      before,
    });
    const last = rows.at(-1);
    return {
      items: this.display.views(rows),
      next: rows.length === limit && last ? `${last.updated_at}_${last.seq}` : null,
    };
  }

  /** Submitted items this person may review (not their own), oldest submission first. */
  reviewQueue(actor: Actor, limit = 200): ContentItem[] {
    if (!actor.has('content.review')) return [];
    return this.display.views(this.store.reviewQueue(actor.scopesOf('content.review'), actor.id, limit));
  }

  /**
   * The release gate, for programmes and broadcasts: the item must be readable by the actor (else 404),
   * belong to an area on `useAtArea`'s chain (403), be approved or released (422) and have audio (422).
   * The first use after approval marks it released. Synchronous, so callers can run it inside their own
   * transaction (a caller's later refusal then rolls the release back).
   */
  useFor(id: string, actor: Actor, useAtArea: string): { id: string; mediaSha256: string; title: string } {
    const row = this.readable(id, actor);
    const area = this.deps.areas.require(useAtArea);
    if (!this.deps.areas.chainOf(area.code).includes(row.scope_code)) {
      throw new AppError(
        403,
        'content_out_of_scope',
        `条目“${row.title}”属于“${this.display.areaName(row.scope_code)}”，不能在“${area.name}”使用`,
      );
    }
    this.decideOn('release', row, actor, {});
    if (!row.media_sha256) throw unprocessable('content_no_media', `条目“${row.title}”没有音频，不能播发`);
    if (row.state === 'approved') {
      const now = this.deps.now();
      this.apply(row, actor, 'release', now, { released_by: actor.id, released_at: now });
    }
    return { id: row.id, mediaSha256: row.media_sha256, title: row.title };
  }

  // ---- internals ----

  /** The item, if it exists and the actor may read it; otherwise 404 either way. */
  private readable(id: string, actor: Actor): ContentRow {
    const row = this.store.get(id);
    if (!row || !actor.canAtOrAbove('content.read', row.scope_code)) {
      throw notFound('unknown_content', `内容条目 ${id} 不存在`);
    }
    return row;
  }

  /** Scope codes whose items the actor may read: null county-wide, else their townships and the county. */
  private readScopes(actor: Actor): string[] | null {
    const scopes = actor.scopesOf('content.read');
    if (scopes === null) return null;
    return [...new Set(scopes.flatMap((s) => this.deps.areas.chainOf(s)))];
  }

  /** A county or township code where the actor may write content. */
  private writableScope(code: string, actor: Actor): string {
    const area = this.deps.areas.get(code);
    if (!area) throw notFound('unknown_area', `行政区划 ${code} 不存在`);
    if (area.level === 'village') {
      throw unprocessable('invalid_scope', `内容的范围须为全县或一个乡镇，不能是村（${area.name}）`);
    }
    if (!actor.canAt('content.write', area.code)) {
      throw forbidden(`无权在“${area.name}”编写内容：超出您的管辖范围`);
    }
    return area.code;
  }

  private existingMedia(sha256: string | null): string | null {
    if (sha256 === null) return null;
    if (!this.deps.media.get(sha256)) {
      throw unprocessable('unknown_media', `音频 ${sha256.slice(0, 12)}… 不存在，请先上传`);
    }
    return sha256;
  }

  private facts(row: ContentRow): ItemFacts {
    return {
      state: row.state,
      revision: row.revision,
      scopeName: this.display.areaName(row.scope_code),
      createdBy: row.created_by,
      editors: this.store.editorsOf(row.id, row.revision),
      submittedBy: row.submitted_by,
      used: row.released_at !== null,
    };
  }

  private decideOn(
    action: ContentAction,
    row: ContentRow,
    actor: Actor,
    extra: { expectedRevision?: number; reason?: string; quality?: ReturnType<typeof checkQuality> },
  ) {
    const who: ActorFacts = { id: actor.id, holds: (p) => actor.canAt(p, row.scope_code) };
    return requireTransition({ action, item: this.facts(row), actor: who, ...extra });
  }

  /** Moves the item to the action's state with the given column changes, and records it. */
  private apply(
    row: ContentRow,
    actor: Actor,
    action: ContentAction,
    now: number,
    change: ContentChange,
    reason: string | null = null,
  ): ContentItem {
    const to = TRANSITIONS[action].to!;
    this.store.transaction(() => {
      this.store.update(row.id, { ...change, state: to });
      this.history(row, actor, action, to, row.revision, now, reason);
    });
    return this.display.view(this.store.get(row.id)!);
  }

  private history(
    row: ContentRow,
    actor: Actor,
    action: string,
    to: ContentState,
    revision: number,
    at: number,
    reason: string | null = null,
  ): void {
    this.store.addHistory({
      contentId: row.id,
      at,
      userId: actor.id,
      action,
      fromState: row.state,
      toState: to,
      revision,
      reason,
    });
  }

  private notify(id: string): void {
    for (const l of this.listeners) {
      try {
        l(id);
      } catch (e) {
        (this.deps.log ?? ((m: string) => console.error(`[dlb] ${m}`)))(
          `内容条目 ${id} 状态变化的通知处理失败: ${(e as Error).message}`,
        );
      }
    }
  }
}

export function newContentId(): string {
  return `c${randomBytes(8).toString('hex')}`;
}
