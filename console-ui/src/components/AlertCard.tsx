import { useCallback, useEffect, useRef, useState } from 'react';
import { get, post } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import type { Alert, Coverage } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { fmtDateTime, t } from '../i18n/index.ts';
import { AlertUpdate } from './AlertUpdate.tsx';
import { useAction, useLoad } from './hooks.ts';
import { useToast } from './toast.tsx';
import { Badge, ErrorBox, ProgressBar } from './ui.tsx';

/**
 * One alert or drill in force: live coverage (how many sounding of how many, which not and why), update,
 * cancel.
 */
export function AlertCard({
  alert,
  areas,
  onChanged,
}: {
  alert: Alert;
  areas: AreaIndex;
  onChanged: () => void;
}) {
  const { me, can } = useSession();
  const toast = useToast();
  const data = useLoad(
    () => get<{ alert: Alert; coverage: Coverage }>(`/api/alerts/${alert.id}`),
    [alert.id],
  );
  const { reload } = data;
  const [updating, setUpdating] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLive(
    'alert:outcome',
    useCallback(
      (e: { alertId: string }) => {
        if (e.alertId !== alert.id || timer.current) return;
        // Reports arrive in bursts: one refresh per 300 ms at most.
        timer.current = setTimeout(() => {
          timer.current = null;
          void reload();
        }, 300);
      },
      [alert.id, reload],
    ),
  );
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const a = data.data?.alert ?? alert;
  const cov = data.data?.coverage;
  const permission = a.drill ? 'alert.drill' : 'alert.raise';
  const mayAct = a.area.codes.every((c) => can?.canAt(permission, c));
  const cancel = useAction(async () => {
    await post(`/api/alerts/${a.id}/cancel`, {});
    toast.ok(t.emergency.cancelled);
    onChanged();
  });
  const confirm = useAction(async () => {
    await post(`/api/alerts/${a.id}/confirm`);
    onChanged();
  });
  const live = a.status === 'active' || a.status === 'pending';

  return (
    <article
      className={`alert-card ${a.drill ? 'alert-card-drill' : 'alert-card-real'} level-border-${a.level}`}
      data-alert={a.id}
    >
      <header className="alert-card-head">
        <Badge kind={a.drill ? 'drill' : 'real'}>{a.drill ? t.emergency.drill : t.emergency.real}</Badge>
        <Badge kind={`level-${a.level}`}>{t.emergency.levels[a.level]}</Badge>
        <strong className="alert-title">{a.title}</strong>
        <span className="muted">{a.statusLabel}</span>
      </header>
      <p className="alert-text">{a.text}</p>
      <p className="muted small">
        {[
          ...a.area.codes.map((c) => areas.name(c)),
          ...(a.area.terminalIds.length > 0 ? [t.emergency.areaTerminals(a.area.terminalIds.length)] : []),
        ].join('、')}{' '}
        · {a.issuer} · {t.emergency.expires(fmtDateTime(a.expiresAt))}
      </p>
      {a.status === 'pending' && <div className="notice">{t.emergency.pending}</div>}
      {cov && (
        <div className="coverage" data-testid="coverage">
          <ProgressBar
            fraction={cov.total ? (cov.sounding + cov.finished) / cov.total : 0}
            label={`${t.emergency.sounding(cov.sounding, cov.total)} · ${t.emergency.finished(cov.finished)}`}
          />
          {cov.notSounding.length > 0 && (
            <details open={cov.notSounding.length <= 6}>
              <summary>
                {t.emergency.notSounding}（{cov.notSounding.length}）
              </summary>
              <ul className="not-sounding">
                {cov.notSounding.map((n) => (
                  <li key={n.terminalId}>
                    <span>{n.name}</span>
                    <span className="muted">{areas.name(n.villageCode)}</span>
                    <Badge kind={`why-${n.why}`}>{n.label}</Badge>
                    {n.reason && <span className="muted">{t.reasons[n.reason] ?? n.reason}</span>}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      <ErrorBox error={data.error ?? cancel.error ?? confirm.error} />
      {live && mayAct && (
        <div className="row">
          <button
            type="button"
            className="btn btn-cancel-alert"
            disabled={cancel.busy}
            onClick={() => void cancel.run()}
          >
            {t.emergency.cancel}
          </button>
          <button type="button" className="btn btn-update-alert" onClick={() => setUpdating(true)}>
            {t.emergency.update}
          </button>
          {a.status === 'pending' && can?.can('alert.confirm') && me && a.createdBy !== me.user.id && (
            <button
              type="button"
              className="btn btn-emergency"
              disabled={confirm.busy}
              onClick={() => void confirm.run()}
            >
              {t.emergency.confirmOther}
            </button>
          )}
        </div>
      )}
      {updating && (
        <AlertUpdate
          alert={a}
          areas={areas}
          onClose={() => setUpdating(false)}
          onUpdated={() => {
            setUpdating(false);
            // The card shows its own copy of the alert (with coverage): the new revision is fetched here.
            void reload();
            onChanged();
          }}
        />
      )}
    </article>
  );
}
