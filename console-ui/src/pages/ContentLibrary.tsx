import { useCallback, useState } from 'react';
import { get, qs } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import type { ContentItem } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { useLoad } from '../components/hooks.ts';
import { AudioPreview, ContentStateBadge, Empty, ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { fmtDateTime, t } from '../i18n/index.ts';
import { Link } from '../router.tsx';

const STATES = ['draft', 'submitted', 'approved', 'rejected', 'released'];

export function ContentLibrary() {
  const can = useCan();
  const [state, setState] = useState('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [more, setMore] = useState<ContentItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const list = useLoad(async () => {
    const r = await get<{ items: ContentItem[]; next: string | null }>(
      `/api/content${qs({ state, q: query, limit: 50 })}`,
    );
    setMore([]);
    setNext(r.next);
    return r.items;
  }, [state, query]);
  const { reload } = list;
  useLive(
    'content:changed',
    useCallback(() => void reload(), [reload]),
  );
  const loadMore = async () => {
    if (!next) return;
    const r = await get<{ items: ContentItem[]; next: string | null }>(
      `/api/content${qs({ state, q: query, limit: 50, before: next })}`,
    );
    setMore((m) => [...m, ...r.items]);
    setNext(r.next);
  };
  const items = [...(list.data ?? []), ...more];
  const writer = can.can('content.write') && can.can('media.upload');

  return (
    <>
      <PageHeader title={t.content.title}>
        {writer && (
          <>
            <Link to="/content/new?mode=text" className="btn btn-primary">
              {t.content.newFromText}
            </Link>
            <Link to="/content/new?mode=upload" className="btn">
              {t.content.newFromUpload}
            </Link>
            <Link to="/content/new?mode=record" className="btn">
              {t.content.newFromRecording}
            </Link>
          </>
        )}
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <select value={state} onChange={(e) => setState(e.target.value)} aria-label={t.content.filterState}>
          <option value="">{`${t.content.filterState}：${t.common.all}`}</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t.content.states[s]}
            </option>
          ))}
        </select>
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t.content.filterQuery}
        />
        <button type="submit" className="btn">
          {t.common.search}
        </button>
      </form>
      <ErrorBox error={list.error} />
      <Panel>
        {items.length === 0 && !list.loading ? (
          <Empty />
        ) : (
          <table className="table" data-testid="content-table">
            <thead>
              <tr>
                <th>{t.common.title}</th>
                <th>{t.common.scope}</th>
                <th>{t.common.state}</th>
                <th>{t.content.fields.audio}</th>
                <th>{t.common.time}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-content={c.id}>
                  <td>
                    <Link to={`/content/${c.id}`}>{c.title}</Link>
                    {c.category && <span className="muted small"> · {c.category}</span>}
                  </td>
                  <td>{c.scopeName}</td>
                  <td>
                    <ContentStateBadge state={c.state} />
                  </td>
                  <td>
                    <AudioPreview sha256={c.mediaSha256} durationMs={c.durationMs} />
                  </td>
                  <td className="nowrap">{fmtDateTime(c.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <button type="button" className="btn" onClick={() => void loadMore()}>
            {t.common.more}
          </button>
        )}
      </Panel>
    </>
  );
}
