import { useCallback, useState } from 'react';
import { del, get, post, put } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import type { ContentHistoryEntry, ContentItem } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { ReviewActions } from '../components/ReviewActions.tsx';
import { useToast } from '../components/toast.tsx';
import { AudioPreview, ContentStateBadge, ErrorBox, Field, PageHeader, Panel } from '../components/ui.tsx';
import { VersionsPanel } from '../components/VersionsPanel.tsx';
import { fmtDateTime, t } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';

export function History({ history }: { history: ContentHistoryEntry[] }) {
  return (
    <ol className="history" data-testid="history">
      {history.map((h) => (
        <li key={`${h.at}-${h.action}-${h.revision}`}>
          <span className="history-time">{fmtDateTime(h.at)}</span>
          <span className="history-who">{h.user?.name ?? '—'}</span>
          <span className="history-what">{h.actionLabel}</span>
          {h.reason && <span className="history-reason">{t.content.rejectReason(h.reason)}</span>}
        </li>
      ))}
    </ol>
  );
}

export function ContentDetail({ id }: { id: string }) {
  const can = useCan();
  const toast = useToast();
  const data = useLoad(
    () => get<{ item: ContentItem; history: ContentHistoryEntry[] }>(`/api/content/${id}`),
    [id],
  );
  const { reload } = data;
  useLive(
    'content:changed',
    useCallback((e: { contentId: string }) => e.contentId === id && void reload(), [id, reload]),
  );
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState('');
  const [script, setScript] = useState('');
  const act = useAction(async (what: 'submit' | 'withdraw' | 'delete' | 'edit') => {
    const item = data.data!.item;
    if (what === 'delete') {
      if (!window.confirm(t.content.deleteConfirm)) return;
      await del(`/api/content/${item.id}`);
      navigate('/content');
      return;
    }
    if (what === 'edit') {
      await put(`/api/content/${item.id}`, { title, script: script || null, revision: item.revision });
      setEditing(false);
    } else await post(`/api/content/${item.id}/${what}?revision=${item.revision}`);
    if (what === 'submit') toast.ok(t.content.submitted);
    await reload();
  });

  if (data.error) return <ErrorBox error={data.error} />;
  if (!data.data) return <div className="empty">{t.common.loading}</div>;
  const { item, history } = data.data;
  const writable = can.canAt('content.write', item.scopeCode);
  const problems = item.quality && 'problems' in item.quality ? (item.quality.problems ?? []) : [];

  return (
    <>
      <PageHeader title={item.title}>
        <Link to="/content" className="btn">
          {t.common.back}
        </Link>
      </PageHeader>
      <div className="split">
        <div className="split-main">
          <Panel title={t.common.details}>
            <dl className="props">
              <dt>{t.common.state}</dt>
              <dd>
                <ContentStateBadge state={item.state} />
                {item.rejectReason && (
                  <span className="reject-reason">{t.content.rejectReason(item.rejectReason)}</span>
                )}
              </dd>
              <dt>{t.common.scope}</dt>
              <dd>{item.scopeName}</dd>
              <dt>{t.content.fields.audio}</dt>
              <dd>
                <AudioPreview sha256={item.mediaSha256} durationMs={item.durationMs} />
              </dd>
              {item.category && (
                <>
                  <dt>{t.content.fields.category}</dt>
                  <dd>{item.category}</dd>
                </>
              )}
            </dl>
            {problems.length > 0 && (
              <div className="error-box">
                {t.content.qualityFailed}
                {problems.map((p) => p.message).join('；')}
              </div>
            )}
            {editing ? (
              <div className="form">
                <Field label={t.content.fields.title}>
                  <input value={title} onChange={(e) => setTitle(e.target.value)} />
                </Field>
                <Field label={t.content.fields.script}>
                  <textarea rows={6} value={script} onChange={(e) => setScript(e.target.value)} />
                </Field>
                <div className="row">
                  <button
                    type="button"
                    className="btn btn-primary"
                    onClick={() => void act.run('edit')}
                    disabled={act.busy}
                  >
                    {t.common.save}
                  </button>
                  <button type="button" className="btn" onClick={() => setEditing(false)}>
                    {t.common.cancel}
                  </button>
                </div>
              </div>
            ) : (
              item.script && <p className="script">{item.script}</p>
            )}
            <ErrorBox error={act.error} />
            {writable && !editing && (
              <div className="row">
                {(item.state === 'draft' || item.state === 'rejected') && (
                  <button
                    type="button"
                    className="btn btn-primary"
                    onClick={() => void act.run('submit')}
                    disabled={act.busy}
                  >
                    {t.content.submit}
                  </button>
                )}
                {item.state === 'submitted' && (
                  <button
                    type="button"
                    className="btn"
                    onClick={() => void act.run('withdraw')}
                    disabled={act.busy}
                  >
                    {t.content.withdraw}
                  </button>
                )}
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setTitle(item.title);
                    setScript(item.script ?? '');
                    setEditing(true);
                  }}
                >
                  {t.content.edit}
                </button>
                {(item.state === 'draft' || item.state === 'rejected') && !item.usable && (
                  <button
                    type="button"
                    className="btn btn-danger-outline"
                    onClick={() => void act.run('delete')}
                    disabled={act.busy}
                  >
                    {t.content.delete}
                  </button>
                )}
              </div>
            )}
            <ReviewActions item={item} onDone={() => void reload()} />
          </Panel>
          <VersionsPanel item={item} writable={writable} onChanged={() => void reload()} />
        </div>
        <Panel className="split-side" title={t.content.history}>
          <History history={history} />
        </Panel>
      </div>
    </>
  );
}
