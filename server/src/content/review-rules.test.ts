import { describe, expect, it } from 'vitest';
import type { Permission } from '../auth/roles.ts';
import { AppError } from '../errors.ts';
import type { QualityResult } from './quality-gate.ts';
import {
  type ActorFacts,
  CONTENT_ACTIONS,
  CONTENT_STATES,
  type ContentAction,
  type ContentState,
  decide,
  type ItemFacts,
  isUsable,
  requireTransition,
  STATE_LABELS,
  TRANSITIONS,
} from './review-rules.ts';

const AUTHOR = 1;
const EDITOR = 2;
const SUBMITTER = 3;
const REVIEWER = 9;

function item(state: ContentState, over: Partial<ItemFacts> = {}): ItemFacts {
  return {
    state,
    revision: 2,
    scopeName: '大圩镇',
    createdBy: AUTHOR,
    editors: [EDITOR],
    submittedBy: state === 'submitted' ? SUBMITTER : null,
    used: false,
    ...over,
  };
}
const holding = (id: number, ...perms: Permission[]): ActorFacts => ({ id, holds: (p) => perms.includes(p) });
const writer = holding(AUTHOR, 'content.write', 'content.read');
const reviewer = holding(REVIEWER, 'content.review', 'content.read');
const passed: QualityResult = {
  ok: true,
  report: {
    revision: 2,
    mediaSha256: 'a'.repeat(64),
    durationMs: 5000,
    bytes: 1,
    mime: 'audio/mpeg',
    checkedAt: 1,
  },
};

/** The actor each action is meant for, with what it needs besides the state. */
function attempt(
  action: ContentAction,
  state: ContentState,
  extra: Partial<Parameters<typeof decide>[0]> = {},
) {
  const actor = action === 'approve' || action === 'reject' ? reviewer : writer;
  return decide({
    action,
    item: item(state),
    actor,
    reason: action === 'reject' ? '内容与事实不符' : undefined,
    quality: action === 'submit' ? passed : undefined,
    ...extra,
  });
}

/** What the table must say, written out independently of it. */
const EXPECTED: Record<ContentAction, Partial<Record<ContentState, ContentState | null>>> = {
  edit: { draft: 'draft', submitted: 'draft', approved: 'draft', rejected: 'draft', released: 'draft' },
  submit: { draft: 'submitted', rejected: 'submitted' },
  withdraw: { submitted: 'draft' },
  approve: { submitted: 'approved' },
  reject: { submitted: 'rejected' },
  release: { approved: 'released', released: 'released' },
  delete: { draft: null, rejected: null },
};

describe('the transition table', () => {
  for (const action of CONTENT_ACTIONS) {
    for (const state of CONTENT_STATES) {
      const expected = EXPECTED[action][state];
      if (expected !== undefined) {
        it(`${action} from ${state} → ${expected ?? '(removed)'}`, () => {
          const d = attempt(action, state);
          expect(d.ok).toBe(true);
          if (d.ok) expect(d.to).toBe(expected);
        });
      } else {
        it(`${action} from ${state} is refused, naming the state and what is needed`, () => {
          const d = attempt(action, state);
          expect(d.ok).toBe(false);
          if (d.ok) return;
          expect(d.refusal.status).toBe(action === 'release' ? 422 : 409);
          expect(d.refusal.code).toBe(
            action === 'release' ? 'content_not_approved' : 'invalid_content_state',
          );
          expect(d.refusal.message).toContain(`“${STATE_LABELS[state]}”`);
          expect(d.refusal.message).toContain(TRANSITIONS[action].label);
        });
      }
    }
  }

  it('says in Chinese what a broadcast of an unreviewed item needs', () => {
    const d = attempt('release', 'submitted');
    expect(!d.ok && d.refusal.message).toBe('条目处于“待审核”状态，不能播发或编入节目；须审核通过');
    const draft = attempt('release', 'draft');
    expect(!draft.ok && draft.refusal.message).toContain('须报送审核并审核通过');
  });

  it('only approved and released items are usable', () => {
    expect(CONTENT_STATES.filter(isUsable)).toEqual(['approved', 'released']);
  });

  it('needs the permission the table names, at the item scope', () => {
    for (const action of ['edit', 'submit', 'withdraw', 'delete'] as const) {
      const state = action === 'withdraw' ? 'submitted' : 'draft';
      const d = decide({
        action,
        item: item(state),
        actor: holding(AUTHOR, 'content.review'),
        quality: passed,
      });
      expect(!d.ok && d.refusal.status).toBe(403);
      expect(!d.ok && d.refusal.message).toContain('大圩镇');
    }
    for (const action of ['approve', 'reject'] as const) {
      const d = decide({
        action,
        item: item('submitted'),
        actor: holding(REVIEWER, 'content.write'),
        reason: '理由充分',
      });
      expect(!d.ok && d.refusal.code).toBe('forbidden');
    }
    // Release needs no content permission: the caller (programme or broadcast) checks its own.
    expect(decide({ action: 'release', item: item('approved'), actor: holding(77) }).ok).toBe(true);
  });
});

describe('nobody reviews their own item', () => {
  for (const [who, id] of [
    ['creator', AUTHOR],
    ['editor of the current revision', EDITOR],
    ['submitter', SUBMITTER],
  ] as const) {
    for (const action of ['approve', 'reject'] as const) {
      it(`${action} refused for the ${who}`, () => {
        const d = decide({
          action,
          item: item('submitted'),
          actor: holding(id, 'content.review'),
          reason: '内容与事实不符',
        });
        expect(d.ok).toBe(false);
        if (!d.ok) {
          expect(d.refusal.status).toBe(403);
          expect(d.refusal.code).toBe('self_review');
          expect(d.refusal.message).toContain('不能审核自己的条目');
        }
      });
    }
  }

  it('an editor of an earlier revision only is not an author of this one', () => {
    const d = decide({
      action: 'approve',
      item: item('submitted', { editors: [] }),
      actor: holding(EDITOR, 'content.review'),
    });
    expect(d.ok).toBe(true);
  });
});

describe('reasons, revisions, quality and use', () => {
  it('a rejection needs a reason of 2..500 characters, trimmed', () => {
    for (const reason of [undefined, '', ' 差 ', '好'.repeat(501)]) {
      const d = decide({ action: 'reject', item: item('submitted'), actor: reviewer, reason });
      expect(!d.ok && d.refusal.code).toBe('reason_required');
      expect(!d.ok && d.refusal.status).toBe(400);
    }
    const ok = decide({ action: 'reject', item: item('submitted'), actor: reviewer, reason: ' 不妥 ' });
    expect(ok.ok && ok.reason).toBe('不妥');
    const long = decide({
      action: 'reject',
      item: item('submitted'),
      actor: reviewer,
      reason: '😀'.repeat(500),
    });
    expect(long.ok).toBe(true);
  });

  it('an approval of a revision the reviewer did not see is refused', () => {
    const d = decide({ action: 'approve', item: item('submitted'), actor: reviewer, expectedRevision: 1 });
    expect(!d.ok && d.refusal.code).toBe('revision_changed');
    expect(
      decide({ action: 'approve', item: item('submitted'), actor: reviewer, expectedRevision: 2 }).ok,
    ).toBe(true);
  });

  it('a submission must pass the quality gate, all problems in one refusal', () => {
    const d = decide({
      action: 'submit',
      item: item('draft'),
      actor: writer,
      quality: { ok: false, problems: ['标题至少 2 个字（当前 1 个字）', '没有音频：须上传或选择一段音频'] },
    });
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.refusal).toMatchObject({ status: 422, code: 'quality_failed' });
    expect(d.refusal.message).toContain('标题至少 2 个字');
    expect(d.refusal.message).toContain('没有音频');
    expect(d.refusal.details).toEqual({
      problems: expect.arrayContaining([expect.stringContaining('没有音频')]),
    });
  });

  it('an item that has sounded cannot be deleted', () => {
    const d = decide({ action: 'delete', item: item('draft', { used: true }), actor: writer });
    expect(!d.ok && d.refusal.code).toBe('content_in_use');
  });

  it('requireTransition throws the refusal as an AppError', () => {
    expect(() => requireTransition({ action: 'approve', item: item('draft'), actor: reviewer })).toThrow(
      AppError,
    );
    try {
      requireTransition({ action: 'release', item: item('rejected'), actor: reviewer });
    } catch (e) {
      expect((e as AppError).status).toBe(422);
      expect((e as AppError).code).toBe('content_not_approved');
      expect((e as AppError).message).toContain('已退回');
    }
  });
});
