import { useState } from 'react';
import { post } from '../api/client.ts';
import type { ContentItem } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from './hooks.ts';
import { useToast } from './toast.tsx';
import { ErrorBox } from './ui.tsx';

/** Whether the logged-in person wrote, edited or submitted this revision (the centre refuses their review). */
export function isOwnWork(item: ContentItem, userId: number): boolean {
  return [item.createdBy, item.updatedBy, item.submittedBy].some((u) => u?.id === userId);
}

/** Approve, or reject with a reason; shown only to reviewers of the item's scope who did not write it. */
export function ReviewActions({ item, onDone }: { item: ContentItem; onDone: (item: ContentItem) => void }) {
  const { me, can } = useSession();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const act = useAction(async (kind: 'approve' | 'reject') => {
    const r =
      kind === 'approve'
        ? await post<{ item: ContentItem }>(`/api/content/${item.id}/approve?revision=${item.revision}`)
        : await post<{ item: ContentItem }>(`/api/content/${item.id}/reject`, {
            reason,
            revision: item.revision,
          });
    toast.ok(kind === 'approve' ? t.review.approved : t.review.rejected);
    setRejecting(false);
    setReason('');
    onDone(r.item);
  });
  if (!me || !can?.canAt('content.review', item.scopeCode) || item.state !== 'submitted') return null;
  if (isOwnWork(item, me.user.id)) return null;
  const reasonOk = [...reason.trim()].length >= 2;
  return (
    <div className="review-actions">
      <ErrorBox error={act.error} />
      {rejecting ? (
        <div className="reject-form">
          <textarea
            aria-label={t.review.reason}
            placeholder={t.review.reason}
            rows={3}
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="row">
            <button
              type="button"
              className="btn btn-danger"
              disabled={!reasonOk || act.busy}
              onClick={() => void act.run('reject')}
            >
              {t.review.reject}
            </button>
            <button type="button" className="btn" onClick={() => setRejecting(false)}>
              {t.common.cancel}
            </button>
            {!reasonOk && <span className="muted small">{t.review.reasonRequired}</span>}
          </div>
        </div>
      ) : (
        <div className="row">
          <button
            type="button"
            className="btn btn-ok"
            disabled={act.busy}
            onClick={() => void act.run('approve')}
          >
            {t.review.approve}
          </button>
          <button
            type="button"
            className="btn btn-danger-outline"
            disabled={act.busy}
            onClick={() => setRejecting(true)}
          >
            {t.review.reject}
          </button>
        </div>
      )}
    </div>
  );
}
