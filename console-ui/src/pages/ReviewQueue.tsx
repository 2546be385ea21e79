import { useCallback, useState } from 'react';
import { get } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import type { ContentHistoryEntry, ContentItem } from '../api/types.ts';
import { useLoad } from '../components/hooks.ts';
import { ReviewActions } from '../components/ReviewActions.tsx';
import { AudioPreview, Empty, ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { fmtDateTime, t } from '../i18n/index.ts';
import { History } from './ContentDetail.tsx';

export function ReviewQueue() {
  const queue = useLoad(
    () => get<{ items: ContentItem[] }>('/api/content/review-queue').then((r) => r.items),
    [],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const { reload } = queue;
  useLive(
    'content:changed',
    useCallback(() => void reload(), [reload]),
  );
  const items = queue.data ?? [];
  const current = items.find((i) => i.id === chosen) ?? items[0] ?? null;
  const detail = useLoad(
    () =>
      current
        ? get<{ item: ContentItem; history: ContentHistoryEntry[] }>(`/api/content/${current.id}`)
        : Promise.resolve(null),
    [current?.id, current?.revision],
  );

  return (
    <>
      <PageHeader title={`${t.review.title}（${items.length}）`} />
      <ErrorBox error={queue.error} />
      {items.length === 0 && !queue.loading ? (
        <Panel>
          <Empty>{t.review.empty}</Empty>
        </Panel>
      ) : (
        <div className="split">
          <Panel className="split-side">
            <ul className="pick-list" data-testid="review-list">
              {items.map((i) => (
                <li key={i.id}>
                  <button
                    type="button"
                    className={current?.id === i.id ? 'pick active' : 'pick'}
                    onClick={() => setChosen(i.id)}
                  >
                    <span className="pick-title">{i.title}</span>
                    <span className="pick-meta">
                      {i.scopeName} · {fmtDateTime(i.submittedAt)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </Panel>
          {current && (
            <Panel className="split-main" title={current.title}>
              <dl className="props">
                <dt>{t.common.scope}</dt>
                <dd>{current.scopeName}</dd>
                <dt>{t.review.listen}</dt>
                <dd>
                  <AudioPreview sha256={current.mediaSha256} durationMs={current.durationMs} />
                </dd>
                <dt>{t.review.submitter}</dt>
                <dd>
                  {current.submittedBy?.name ?? '—'} · {fmtDateTime(current.submittedAt)}
                </dd>
              </dl>
              <h3>{t.review.script}</h3>
              <p className="script">{current.script || t.common.none}</p>
              <ReviewActions
                item={current}
                onDone={() => {
                  setChosen(null);
                  void reload();
                }}
              />
              <h3>{t.content.history}</h3>
              {detail.data && <History history={detail.data.history} />}
            </Panel>
          )}
        </div>
      )}
    </>
  );
}
