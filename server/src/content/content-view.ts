import type { AreaService } from '../areas/area-service.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import type { ContentRow, ContentStore } from './content-store.ts';
import type { QualityReport } from './quality-gate.ts';
import { type ContentState, isUsable, STATE_LABELS } from './review-rules.ts';

export interface UserRef {
  id: number;
  name: string;
}

/** A content item as the API shows it. */
export interface ContentItem {
  id: string;
  title: string;
  scopeCode: string;
  scopeName: string;
  category: string | null;
  script: string | null;
  mediaSha256: string | null;
  durationMs: number | null;
  state: ContentState;
  stateLabel: string;
  /** May enter a programme or a broadcast (approved or released). */
  usable: boolean;
  revision: number;
  quality: QualityReport | null;
  createdBy: UserRef | null;
  createdAt: number;
  updatedBy: UserRef | null;
  updatedAt: number;
  submittedBy: UserRef | null;
  submittedAt: number | null;
  reviewedBy: UserRef | null;
  reviewedAt: number | null;
  rejectReason: string | null;
  releasedBy: UserRef | null;
  releasedAt: number | null;
}

export interface ContentHistoryEntry {
  at: number;
  action: string;
  actionLabel: string;
  fromState: ContentState | null;
  toState: ContentState;
  revision: number;
  reason: string | null;
  user: UserRef | null;
}

const HISTORY_LABELS: Record<string, string> = {
  create: '新建',
  edit: '修改',
  submit: '报送审核',
  withdraw: '撤回',
  approve: '审核通过',
  reject: '退回',
  release: '发布（首次播出）',
  migrate: '升级迁移',
};

/** Turns stored rows into what the API shows, with people's and areas' names. */
export class ContentViews {
  constructor(
    private readonly store: ContentStore,
    private readonly areas: AreaService,
    private readonly media: MediaRecords,
  ) {}

  areaName(code: string): string {
    return this.areas.get(code)?.name ?? code;
  }

  view(row: ContentRow): ContentItem {
    return this.views([row])[0]!;
  }

  views(rows: ContentRow[]): ContentItem[] {
    const names = this.store.userNames(
      rows.flatMap((r) => [r.created_by, r.updated_by, r.submitted_by, r.reviewed_by, r.released_by]),
    );
    const ref = (id: number | null): UserRef | null =>
      id === null ? null : { id, name: names.get(id) ?? `#${id}` };
    const areaNames = new Map<string, string>();
    const durations = new Map<string, number | null>();
    return rows.map((r) => {
      if (!areaNames.has(r.scope_code)) areaNames.set(r.scope_code, this.areaName(r.scope_code));
      if (r.media_sha256 && !durations.has(r.media_sha256))
        durations.set(r.media_sha256, this.media.get(r.media_sha256)?.durationMs ?? null);
      return {
        id: r.id,
        title: r.title,
        scopeCode: r.scope_code,
        scopeName: areaNames.get(r.scope_code)!,
        category: r.category,
        script: r.script,
        mediaSha256: r.media_sha256,
        durationMs: r.media_sha256 ? (durations.get(r.media_sha256) ?? null) : null,
        state: r.state,
        stateLabel: STATE_LABELS[r.state],
        usable: isUsable(r.state),
        revision: r.revision,
        quality: r.quality ? (JSON.parse(r.quality) as QualityReport) : null,
        createdBy: ref(r.created_by),
        createdAt: r.created_at,
        updatedBy: ref(r.updated_by),
        updatedAt: r.updated_at,
        submittedBy: ref(r.submitted_by),
        submittedAt: r.submitted_at,
        reviewedBy: ref(r.reviewed_by),
        reviewedAt: r.reviewed_at,
        rejectReason: r.reject_reason,
        releasedBy: ref(r.released_by),
        releasedAt: r.released_at,
      };
    });
  }

  history(id: string): ContentHistoryEntry[] {
    return this.store.history(id).map((h) => ({
      at: h.at,
      action: h.action,
      actionLabel: HISTORY_LABELS[h.action] ?? h.action,
      fromState: h.from_state,
      toState: h.to_state,
      revision: h.revision,
      reason: h.reason,
      user: h.user_id === null ? null : { id: h.user_id, name: h.user_name ?? `#${h.user_id}` },
    }));
  }
}
