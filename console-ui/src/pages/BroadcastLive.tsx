import { useCallback, useEffect, useState } from 'react';
import { get, post } from '../api/client.ts';
import { useLive, useRealtime } from '../api/realtime.tsx';
import type { Broadcast, Outcome } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { useAction } from '../components/hooks.ts';
import { Badge, ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtClock, fmtDateTime, t } from '../i18n/index.ts';
import { Link } from '../router.tsx';

const OUTCOME_KIND = ['pending', 'waiting', 'playing', 'played', 'failed', 'cancelled'];

/** One broadcast as it happens: per terminal delivered, playing, played or failed with the reason. */
export function BroadcastLive({ id }: { id: string }) {
  const rt = useRealtime();
  const can = useCan();
  const areas = useAreas();
  const terminals = useTerminals();
  const [broadcast, setBroadcast] = useState<Broadcast | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    // The socket answers with the same view as GET and then pushes every change; GET when offline.
    const ack = await rt.request<{ broadcast: Broadcast; outcomes: Outcome[] }>('broadcast:watch', { id });
    if (ack.ok) {
      setBroadcast(ack.broadcast);
      setOutcomes(ack.outcomes);
      return;
    }
    try {
      const r = await get<{ broadcast: Broadcast; outcomes: Outcome[] }>(`/api/broadcasts/${id}`);
      setBroadcast(r.broadcast);
      setOutcomes(r.outcomes);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [rt, id]);
  useEffect(() => {
    void load();
  }, [load]);
  useLive(
    'broadcast:outcome',
    useCallback(
      (e: {
        broadcastId: string;
        terminalId: string;
        outcome: number;
        reason: string | null;
        at: number;
      }) => {
        if (e.broadcastId !== id) return;
        setOutcomes((list) => {
          const i = list.findIndex((o) => o.terminalId === e.terminalId);
          const prev = list[i];
          const next: Outcome = {
            terminalId: e.terminalId,
            outcome: e.outcome,
            label: t.broadcast.outcome[e.outcome] ?? String(e.outcome),
            reason: e.reason,
            startedAt: e.outcome === 2 ? e.at : (prev?.startedAt ?? null),
            endedAt: e.outcome >= 3 ? e.at : (prev?.endedAt ?? null),
            updatedAt: e.at,
          };
          if (i < 0) return [...list, next];
          const copy = list.slice();
          copy[i] = next;
          return copy;
        });
      },
      [id],
    ),
  );
  const stop = useAction(async () => {
    const r = await post<{ broadcast: Broadcast }>(`/api/broadcasts/${id}/stop`);
    setBroadcast(r.broadcast);
    await load();
  });

  const names = new Map((terminals.data ?? []).map((x) => [x.id, x]));
  const counts = [0, 1, 2, 3, 4, 5].map((k) => outcomes.filter((o) => o.outcome === k).length);
  const done = outcomes.length > 0 && outcomes.every((o) => o.outcome >= 3);
  return (
    <>
      <PageHeader title={`${t.broadcast.live}：${broadcast?.title ?? id}`}>
        <Link to="/broadcast" className="btn">
          {t.common.back}
        </Link>
        {can.can('broadcast.send') && broadcast && !broadcast.stoppedAt && !done && (
          <button
            type="button"
            className="btn btn-danger"
            disabled={stop.busy}
            onClick={() => void stop.run()}
          >
            {t.broadcast.stop}
          </button>
        )}
      </PageHeader>
      <ErrorBox error={error ?? stop.error} />
      {broadcast && (
        <p className="muted">
          {fmtDateTime(broadcast.createdAt)} · {t.common.state}：
          {broadcast.stoppedAt ? t.broadcast.stopped : done ? t.common.done : t.broadcast.outcome[2]}
        </p>
      )}
      <div className="stats" data-testid="live-summary">
        {counts.map((n, k) => (
          <div key={OUTCOME_KIND[k]} className={`stat stat-o${k}`} data-testid={`outcome-${k}`}>
            <span className="stat-value">{n}</span>
            <span className="stat-label">{t.broadcast.outcome[k]}</span>
          </div>
        ))}
      </div>
      <Panel title={t.broadcast.perTerminal}>
        <table className="table" data-testid="outcomes">
          <thead>
            <tr>
              <th>{t.overview.columns.name}</th>
              <th>{t.overview.columns.village}</th>
              <th>{t.common.state}</th>
              <th>{t.common.reason}</th>
              <th>{t.common.time}</th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map((o) => {
              const tm = names.get(o.terminalId);
              return (
                <tr key={o.terminalId} data-terminal={o.terminalId} data-outcome={o.outcome}>
                  <td>
                    <Link to={`/terminals/${o.terminalId}`}>{tm?.name ?? o.terminalId}</Link>
                  </td>
                  <td>{tm ? `${areas?.name(tm.townshipCode)} · ${areas?.name(tm.villageCode)}` : '—'}</td>
                  <td>
                    <Badge kind={`o${o.outcome}`}>{t.broadcast.outcome[o.outcome]}</Badge>
                  </td>
                  <td>{o.reason ?? ''}</td>
                  <td className="nowrap">
                    {fmtClock(o.startedAt)}
                    {o.endedAt ? ` – ${fmtClock(o.endedAt)}` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
    </>
  );
}
