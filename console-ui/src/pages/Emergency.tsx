import { useState } from 'react';
import { get } from '../api/client.ts';
import type { Alert } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { AlertCard } from '../components/AlertCard.tsx';
import { AlertForm } from '../components/AlertForm.tsx';
import { useLoad } from '../components/hooks.ts';
import { Badge, ErrorBox } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtDateTime, t } from '../i18n/index.ts';

/** The emergency office's page: red, real and drill apart, coverage of what is in force, one-click cancel. */
export function Emergency({ focus }: { focus?: string | undefined }) {
  const can = useCan();
  const areas = useAreas();
  const terminals = useTerminals();
  const alerts = useLoad(() => get<{ alerts: Alert[] }>('/api/alerts?limit=50').then((r) => r.alerts), []);
  const mayReal = can.can('alert.raise');
  const mayDrill = can.can('alert.drill');
  const [mode, setMode] = useState<'real' | 'drill'>(mayReal ? 'real' : 'drill');
  const list = alerts.data ?? [];
  const live = list.filter((a) => a.status === 'active' || a.status === 'pending' || a.id === focus);
  const past = list.filter((a) => !live.includes(a));

  return (
    <div className="emergency-page">
      <header className="emergency-head">
        <h1>{t.emergency.title}</h1>
        <p>{t.emergency.banner}</p>
      </header>
      <ErrorBox error={alerts.error} />
      <section className="emergency-live" data-testid="alerts-live">
        <h2>{t.emergency.active}</h2>
        {live.length === 0 && <div className="empty">{t.emergency.none}</div>}
        {areas &&
          live.map((a) => (
            <AlertCard key={a.id} alert={a} areas={areas} onChanged={() => void alerts.reload()} />
          ))}
      </section>
      <div className="emergency-grid">
        {(mayReal || mayDrill) && areas && (
          <section className="emergency-compose">
            <div className="mode-switch" role="tablist">
              {mayReal && (
                <button
                  type="button"
                  role="tab"
                  aria-selected={mode === 'real'}
                  className={`mode mode-real ${mode === 'real' ? 'active' : ''}`}
                  onClick={() => setMode('real')}
                >
                  {t.emergency.real}
                </button>
              )}
              {mayDrill && (
                <button
                  type="button"
                  role="tab"
                  aria-selected={mode === 'drill'}
                  className={`mode mode-drill ${mode === 'drill' ? 'active' : ''}`}
                  onClick={() => setMode('drill')}
                >
                  {t.emergency.drill}
                </button>
              )}
            </div>
            <AlertForm
              key={mode}
              drill={mode === 'drill'}
              areas={areas}
              terminals={terminals.data ?? []}
              onRaised={() => {
                window.scrollTo(0, 0);
                void alerts.reload();
              }}
            />
          </section>
        )}
        <section className="emergency-history">
          <h2>{t.emergency.history}</h2>
          <table className="table table-compact">
            <tbody>
              {past.slice(0, 15).map((a) => (
                <tr key={a.id}>
                  <td>
                    <Badge kind={a.drill ? 'drill' : 'real'}>
                      {a.drill ? t.emergency.drill : t.emergency.real}
                    </Badge>
                  </td>
                  <td>{a.title}</td>
                  <td>{a.statusLabel}</td>
                  <td className="nowrap">{fmtDateTime(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
