import { get, post } from '../api/client.ts';
import { useCan } from '../auth/session.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { fmtDateTime, t } from '../i18n/index.ts';

interface ScheduleStatus {
  schedule: {
    file: string;
    loadedAt: number;
    hash: string;
    usingLastGood: boolean;
    problems: Array<{ file: string; line?: number | null; field: string; message: string }>;
    problemsAt: number | null;
  };
  timeZone: string;
  conflicts: Array<{
    programmeId: string;
    date: string;
    title: string;
    scopeCode: string;
    code: string;
    message: string;
  }>;
}

/** The schedule file in force, the last refused change with its problems, and programmes that no longer fit. */
export function AdminSchedule() {
  const can = useCan();
  const toast = useToast();
  const status = useLoad(() => get<ScheduleStatus>('/api/schedule'), []);
  const reload = useAction(async () => {
    await post('/api/schedule/reload');
    toast.ok(t.admin.reloaded);
    await status.reload();
  });
  const s = status.data?.schedule;
  return (
    <>
      <PageHeader title={t.admin.scheduleFile}>
        {can.can('schedule.admin') && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={reload.busy}
            onClick={() => void reload.run()}
          >
            {t.admin.reload}
          </button>
        )}
      </PageHeader>
      <ErrorBox error={status.error ?? reload.error} />
      {s && (
        <>
          <Panel title={t.admin.scheduleFile}>
            <dl className="props">
              <dt>{t.admin.scheduleFile}</dt>
              <dd className="mono">{s.file}</dd>
              <dt>{t.admin.loadedAt}</dt>
              <dd>{fmtDateTime(s.loadedAt)}</dd>
              <dt>SHA-256</dt>
              <dd className="mono small">{s.hash}</dd>
            </dl>
            {s.usingLastGood && <div className="notice">{t.admin.usingLastGood}</div>}
          </Panel>
          <Panel title={`${t.admin.problems}${s.problemsAt ? `（${fmtDateTime(s.problemsAt)}）` : ''}`}>
            {s.problems.length === 0 ? (
              <p className="muted">{t.admin.noProblems}</p>
            ) : (
              <ul className="problems">
                {s.problems.map((p) => (
                  <li key={`${p.file}:${p.line}:${p.field}`} className="mono">
                    {p.file}
                    {p.line ? `:${p.line}` : ''} {p.field}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </Panel>
          <Panel title={t.admin.conflicts}>
            {(status.data?.conflicts ?? []).length === 0 ? (
              <p className="muted">{t.common.none}</p>
            ) : (
              <ul className="problems">
                {status.data?.conflicts.map((c) => (
                  <li key={`${c.programmeId}-${c.code}`}>
                    {c.date} {c.title}：{c.message}
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        </>
      )}
    </>
  );
}
