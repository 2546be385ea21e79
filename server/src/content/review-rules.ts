import type { Permission } from '../auth/roles.ts';
import { AppError } from '../errors.ts';
import type { QualityResult } from './quality-gate.ts';

/**
 * The four gates as one table: what each change of a content item needs (state, permission at the
 * item's scope, a reviewer who is not its author, a reason, the quality gate, never having sounded).
 * `decide` is the only place these are checked; the service gathers the facts and applies the outcome.
 */

export const CONTENT_STATES = ['draft', 'submitted', 'approved', 'rejected', 'released'] as const;
export type ContentState = (typeof CONTENT_STATES)[number];

export const STATE_LABELS: Record<ContentState, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已通过',
  rejected: '已退回',
  released: '已发布',
};

/** States in which an item may enter a programme or a broadcast. */
export const USABLE_STATES: readonly ContentState[] = ['approved', 'released'];
export const isUsable = (s: ContentState): boolean => USABLE_STATES.includes(s);

export const CONTENT_ACTIONS = [
  'edit',
  'submit',
  'withdraw',
  'approve',
  'reject',
  'release',
  'delete',
] as const;
export type ContentAction = (typeof CONTENT_ACTIONS)[number];

export const REASON_MIN_CHARS = 2;
export const REASON_MAX_CHARS = 500;

export interface TransitionRule {
  /** What the action is called in messages ("不能报送审核"). */
  label: string;
  from: readonly ContentState[];
  /** The state after the action; null when the item is removed. */
  to: ContentState | null;
  /**
   * Held at the item's scope. null: the caller checks its own permission (a release happens when an
   * item enters a programme or a broadcast, under programme.write or broadcast.send).
   */
  permission: Permission | null;
  /** The actor must not be the creator, an editor of the current revision, or the submitter. */
  notAuthor: boolean;
  /** A reason of REASON_MIN_CHARS..REASON_MAX_CHARS characters. */
  reason: boolean;
  /** The item must pass the quality gate (quality-gate.ts). */
  qualityGate: boolean;
  /** The item must never have been released (used in a programme or a broadcast). */
  neverUsed: boolean;
  /** What is needed, told to someone who tried it in another state. */
  need: (state: ContentState) => string;
  /** How a wrong state is refused. */
  wrongState: { status: number; code: string };
}

const ALL = CONTENT_STATES;
const STATE_CONFLICT = { status: 409, code: 'invalid_content_state' };
const plain = (text: string) => () => text;

export const TRANSITIONS: Record<ContentAction, TransitionRule> = {
  edit: {
    label: '修改',
    from: ALL,
    to: 'draft',
    permission: 'content.write',
    notAuthor: false,
    reason: false,
    qualityGate: false,
    neverUsed: false,
    need: plain('任何状态均可修改，修改后回到草稿'),
    wrongState: STATE_CONFLICT,
  },
  submit: {
    label: '报送审核',
    from: ['draft', 'rejected'],
    to: 'submitted',
    permission: 'content.write',
    notAuthor: false,
    reason: false,
    qualityGate: true,
    neverUsed: false,
    need: plain('只有草稿或已退回的条目可以报送'),
    wrongState: STATE_CONFLICT,
  },
  withdraw: {
    label: '撤回',
    from: ['submitted'],
    to: 'draft',
    permission: 'content.write',
    notAuthor: false,
    reason: false,
    qualityGate: false,
    neverUsed: false,
    need: plain('只有待审核的条目可以撤回'),
    wrongState: STATE_CONFLICT,
  },
  approve: {
    label: '审核通过',
    from: ['submitted'],
    to: 'approved',
    permission: 'content.review',
    notAuthor: true,
    reason: false,
    qualityGate: false,
    neverUsed: false,
    need: plain('只有待审核的条目可以审核'),
    wrongState: STATE_CONFLICT,
  },
  reject: {
    label: '退回',
    from: ['submitted'],
    to: 'rejected',
    permission: 'content.review',
    notAuthor: true,
    reason: true,
    qualityGate: false,
    neverUsed: false,
    need: plain('只有待审核的条目可以退回'),
    wrongState: STATE_CONFLICT,
  },
  release: {
    label: '播发或编入节目',
    from: ['approved', 'released'],
    to: 'released',
    permission: null,
    notAuthor: false,
    reason: false,
    qualityGate: false,
    neverUsed: false,
    need: (s) =>
      s === 'submitted'
        ? '须审核通过'
        : s === 'rejected'
          ? '须修改后重新报送并审核通过'
          : '须报送审核并审核通过',
    wrongState: { status: 422, code: 'content_not_approved' },
  },
  delete: {
    label: '删除',
    from: ['draft', 'rejected'],
    to: null,
    permission: 'content.write',
    notAuthor: false,
    reason: false,
    qualityGate: false,
    neverUsed: true,
    need: plain('只有草稿或已退回的条目可以删除'),
    wrongState: STATE_CONFLICT,
  },
};

const PERMISSION_LABELS: Partial<Record<Permission, string>> = {
  'content.write': '编辑',
  'content.review': '审核',
};

/** The facts about an item that the rules look at. */
export interface ItemFacts {
  state: ContentState;
  revision: number;
  scopeName: string;
  createdBy: number | null;
  /** Users who edited the current revision (including the edit that made it). */
  editors: readonly number[];
  submittedBy: number | null;
  /** Ever released (released_at set). */
  used: boolean;
}

/** The facts about the person acting. */
export interface ActorFacts {
  id: number;
  /** Whether they hold a permission at the item's scope. */
  holds: (p: Permission) => boolean;
}

export interface TransitionInput {
  action: ContentAction;
  item: ItemFacts;
  actor: ActorFacts;
  reason?: string | null;
  /** The revision the actor saw; a different current revision is refused. */
  expectedRevision?: number;
  /** Needed when the rule has the quality gate. */
  quality?: QualityResult;
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export type Decision =
  | { ok: true; to: ContentState | null; rule: TransitionRule; reason: string | null }
  | { ok: false; refusal: Refusal };

const chars = (s: string) => [...s].length;

/** Why this actor counts as an author of the item (null when they do not). */
export function authorship(item: ItemFacts, actorId: number): string | null {
  if (item.createdBy === actorId) return '您创建了该条目';
  if (item.editors.includes(actorId)) return '您修改过当前版本';
  if (item.submittedBy === actorId) return '您报送了该条目';
  return null;
}

/** Decides one action: the new state, or why not. Checks in the order a person can act on. */
export function decide(input: TransitionInput): Decision {
  const rule = TRANSITIONS[input.action];
  const { item, actor } = input;
  const refuse = (status: number, code: string, message: string, details?: unknown): Decision => ({
    ok: false,
    refusal: { status, code, message, ...(details === undefined ? {} : { details }) },
  });

  if (rule.permission && !actor.holds(rule.permission)) {
    const what = PERMISSION_LABELS[rule.permission] ?? rule.permission;
    return refuse(403, 'forbidden', `无权${rule.label}该条目：须在“${item.scopeName}”范围内具有${what}权限`);
  }
  if (!rule.from.includes(item.state)) {
    return refuse(
      rule.wrongState.status,
      rule.wrongState.code,
      `条目处于“${STATE_LABELS[item.state]}”状态，不能${rule.label}；${rule.need(item.state)}`,
      { state: item.state, allowedFrom: rule.from },
    );
  }
  if (rule.neverUsed && item.used) {
    return refuse(409, 'content_in_use', `条目已播出过，不能${rule.label}；已播出的条目须保留作记录`);
  }
  if (input.expectedRevision !== undefined && input.expectedRevision !== item.revision) {
    return refuse(
      409,
      'revision_changed',
      `条目已被修改（当前第 ${item.revision} 版，您看到的是第 ${input.expectedRevision} 版），请刷新后再${rule.label}`,
    );
  }
  if (rule.notAuthor) {
    const why = authorship(item, actor.id);
    if (why) return refuse(403, 'self_review', `不能审核自己的条目（${why}）；须由其他审核员审核`);
  }
  let reason: string | null = null;
  if (rule.reason) {
    reason = (input.reason ?? '').trim();
    if (chars(reason) < REASON_MIN_CHARS || chars(reason) > REASON_MAX_CHARS) {
      return refuse(
        400,
        'reason_required',
        `${rule.label}须说明理由（${REASON_MIN_CHARS} 至 ${REASON_MAX_CHARS} 字，当前 ${chars(reason)} 字）`,
      );
    }
  }
  if (rule.qualityGate) {
    const q = input.quality;
    if (!q) throw new Error(`quality result required for ${input.action}`);
    if (!q.ok) {
      return refuse(422, 'quality_failed', `未通过质量检查：${q.problems.join('；')}`, {
        problems: q.problems,
      });
    }
  }
  return { ok: true, to: rule.to, rule, reason };
}

/** `decide`, throwing the refusal as the server's error. */
export function requireTransition(input: TransitionInput): {
  to: ContentState | null;
  reason: string | null;
} {
  const d = decide(input);
  if (!d.ok) throw new AppError(d.refusal.status, d.refusal.code, d.refusal.message, d.refusal.details);
  return { to: d.to, reason: d.reason };
}
