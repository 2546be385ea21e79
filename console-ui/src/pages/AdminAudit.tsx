import { type FormEvent, useCallback, useState } from 'react';
import { get, qs } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { Badge, ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { fmtDateTime, t } from '../i18n/index.ts';

interface Entry {
  seq: number;
  at: number;
  actor: { kind: string; id?: string; name?: string };
  action: string;
  outcome: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

interface Filters {
  action: string;
  actor: string;
  outcome: string;
  target: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { action: '', actor: '', outcome: '', target: '', from: '', to: '' };
/** "2026-11-24" or "2026-11-24 08:30", read as Beijing time (typed, so every browser shows it alike). */
function instant(v: string): number | undefined {
  const m = v.trim().match(/^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${(m[2] ?? '00').padStart(2, '0')}:${m[3] ?? '00'}:00+08:00`);
  return Number.isFinite(t) ? t : undefined;
}

export function AdminAudit() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [extra, setExtra] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [fresh, setFresh] = useState(0);
  const params = {
    action: filters.action,
    actor: filters.actor,
    outcome: filters.outcome,
    target: filters.target,
    from: instant(filters.from),
    to: instant(filters.to),
    limit: 50,
  };
  const page = useLoad(async () => {
    const r = await get<{ entries: Entry[]; nextBefore: number | null }>(`/api/audit${qs(params)}`);
    setExtra([]);
    setNext(r.nextBefore);
    setFresh(0);
    return r.entries;
  }, [filters]);
  const actions = useLoad(
    () =>
      get<{ actions: Array<{ action: string; count: number }> }>('/api/audit/actions').then((r) => r.actions),
    [],
  );
  useLive(
    'audit:appended',
    useCallback(() => setFresh((n) => n + 1), []),
  );
  const more = async () => {
    if (!next) return;
    const r = await get<{ entries: Entry[]; nextBefore: number | null }>(
      `/api/audit${qs({ ...params, before: next })}`,
    );
    setExtra((e) => [...e, ...r.entries]);
    setNext(r.nextBefore);
  };
  const verify = useAction(() =>
    get<{
      ok: boolean;
      checked?: number;
      entries?: number;
      firstBad?: { seq: number; reason: string } | null;
    }>('/api/audit/verify'),
  );
  const [verdict, setVerdict] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const field = (k: keyof Filters) => ({
    value: draft[k],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }),
  });
  const rows = [...(page.data ?? []), ...extra];

  return (
    <>
      <PageHeader title={t.admin.audit}>
        <button
          type="button"
          className="btn"
          disabled={verify.busy}
          onClick={async () => {
            const r = await verify.run();
            if (r)
              setVerdict(
                r.ok
                  ? t.admin.verifyOk(r.checked ?? r.entries ?? rows.length)
                  : t.admin.verifyBad(r.firstBad?.seq ?? 0, r.firstBad?.reason ?? ''),
              );
          }}
        >
          {t.admin.verify}
        </button>
      </PageHeader>
      {verdict && <div className="notice">{verdict}</div>}
      <form className="filters filters-wrap" onSubmit={submit}>
        <input
          list="audit-actions"
          placeholder={t.admin.filters.action}
          aria-label={t.admin.filters.action}
          {...field('action')}
        />
        <datalist id="audit-actions">
          {(actions.data ?? []).map((a) => (
            <option key={a.action} value={a.action}>{`${a.action}（${a.count}）`}</option>
          ))}
        </datalist>
        <input placeholder={t.admin.filters.actor} aria-label={t.admin.filters.actor} {...field('actor')} />
        <select aria-label={t.admin.filters.outcome} {...field('outcome')}>
          <option value="">{`${t.admin.filters.outcome}：${t.common.all}`}</option>
          {Object.entries(t.admin.outcomes).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <input
          placeholder={t.admin.filters.target}
          aria-label={t.admin.filters.target}
          {...field('target')}
        />
        <input
          className="input-when"
          aria-label={t.admin.filters.from}
          placeholder={t.admin.filters.from}
          {...field('from')}
        />
        <input
          className="input-when"
          aria-label={t.admin.filters.to}
          placeholder={t.admin.filters.to}
          {...field('to')}
        />
        <button type="submit" className="btn btn-primary">
          {t.common.search}
        </button>
        {fresh > 0 && (
          <button type="button" className="btn" onClick={() => void page.reload()}>
            {t.common.refresh}（+{fresh}）
          </button>
        )}
      </form>
      <ErrorBox error={page.error ?? verify.error} />
      <Panel>
        <table className="table table-compact" data-testid="audit">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>{t.common.time}</th>
              <th>{t.admin.columns.actor}</th>
              <th>{t.admin.columns.action}</th>
              <th>{t.admin.columns.outcome}</th>
              <th>{t.admin.columns.target}</th>
              <th>{t.common.details}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq}>
                <td className="num">{e.seq}</td>
                <td className="nowrap">{fmtDateTime(e.at)}</td>
                <td>{e.actor.name ?? e.actor.id ?? e.actor.kind}</td>
                <td className="mono">{e.action}</td>
                <td>
                  <Badge kind={`outcome-${e.outcome}`}>{t.admin.outcomes[e.outcome] ?? e.outcome}</Badge>
                </td>
                <td className="mono small">{e.target ?? ''}</td>
                <td className="detail-cell">{e.detail ? JSON.stringify(e.detail) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {next && (
          <button type="button" className="btn" onClick={() => void more()}>
            {t.common.more}
          </button>
        )}
      </Panel>
    </>
  );
}
