import { useState } from 'react';
import { get, post, put, qs } from '../api/client.ts';
import type { Broadcast, ContentItem, Terminal, TerminalScheduleStatus } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { clockText } from '../components/TerminalCells.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, downloadJson, ErrorBox, PageHeader, Panel, StatusBadge } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtAgo, fmtDateTime, t } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';

interface TerminalEvent {
  type: 'outcome' | 'rejected';
  seq: number;
  at: number;
  broadcastId?: string;
  outcome?: number;
  reason?: string;
  source?: string;
  phase?: string;
  commandId?: string;
}

function eventText(e: TerminalEvent): string {
  if (e.type === 'rejected')
    return `${t.terminals.eventKinds.reject}：${t.reasons[e.reason ?? ''] ?? e.reason}`;
  const what = t.broadcast.outcome[e.outcome ?? 0] ?? '';
  const why = e.reason ? `（${t.reasons[e.reason] ?? e.reason}）` : '';
  return `${what}${why}`;
}

export function TerminalDetail({ id }: { id: string }) {
  const can = useCan();
  const areas = useAreas();
  const toast = useToast();
  const live = useTerminals();
  const detail = useLoad(
    () => get<{ terminal: Terminal }>(`/api/terminals/${id}`).then((r) => r.terminal),
    [id],
  );
  const events = useLoad(
    () => get<{ events: TerminalEvent[] }>(`/api/terminals/${id}/events?limit=100`).then((r) => r.events),
    [id],
  );
  const sched = useLoad(
    () => get<{ status: TerminalScheduleStatus }>(`/api/terminals/${id}/schedule`).then((r) => r.status),
    [id],
  );
  const tm = live.data?.find((x) => x.id === id) ?? detail.data;
  const [volume, setVolume] = useState<number | null>(null);
  const [tone, setTone] = useState('');
  const [lat, setLat] = useState('');
  const [lon, setLon] = useState('');
  const items = useLoad(async () => {
    if (!can.can('broadcast.send')) return [];
    const r = await get<{ items: ContentItem[] }>(`/api/content${qs({ state: 'approved', limit: 100 })}`);
    const r2 = await get<{ items: ContentItem[] }>(`/api/content${qs({ state: 'released', limit: 100 })}`);
    return [...r.items, ...r2.items];
  }, []);
  const act = useAction(async (what: string) => {
    if (what === 'volume') {
      await post(`/api/terminals/${id}/volume`, { volume: volume ?? tm?.state?.volume ?? 80 });
      toast.ok(t.terminals.volumeSent);
    } else if (what === 'tone') {
      const r = await post<{ broadcast: Broadcast }>('/api/broadcasts', {
        contentId: tone,
        target: { kind: 'terminal', tid: id },
      });
      navigate(`/broadcast/${r.broadcast.id}`);
      return;
    } else if (what === 'rotate') {
      if (!window.confirm(t.terminals.rotateConfirm)) return;
      const r = await post<{ agentConfig: unknown }>(`/api/terminals/${id}/rotate-credentials`);
      downloadJson(`agent-${id}.json`, r.agentConfig);
      toast.ok(t.terminals.rotated);
    } else if (what === 'disable' || what === 'enable') await post(`/api/terminals/${id}/${what}`);
    else if (what === 'location')
      await put(`/api/terminals/${id}/location`, {
        lat: lat.trim() ? Number(lat) : null,
        lon: lon.trim() ? Number(lon) : null,
      });
    else if (what === 'drill-on' || what === 'drill-off')
      await put(`/api/terminals/${id}/drill`, { enabled: what === 'drill-on' });
    await detail.reload();
    await live.reload();
  });

  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!tm) return <div className="empty">{t.common.loading}</div>;
  const control = can.canAt('terminal.control', tm.villageCode);
  const manage = can.canAt('terminal.manage', tm.villageCode);
  const s = sched.data;
  return (
    <>
      <PageHeader title={`${t.terminals.detail}：${tm.name}`}>
        <Link to="/terminals" className="btn">
          {t.common.back}
        </Link>
      </PageHeader>
      <ErrorBox error={act.error} />
      <div className="split">
        <div className="split-main">
          <Panel title={t.common.details}>
            <dl className="props">
              <dt>{t.terminals.fields.id}</dt>
              <dd className="mono">{tm.id}</dd>
              <dt>{t.terminals.village}</dt>
              <dd>
                {areas?.name(tm.townshipCode)} · {areas?.name(tm.villageCode)}
              </dd>
              <dt>{t.terminals.fields.status}</dt>
              <dd>
                <StatusBadge {...tm} />
              </dd>
              <dt>{t.terminals.fields.lastSeen}</dt>
              <dd>{tm.online ? t.status.online : fmtAgo(tm.lastSeen)}</dd>
              <dt>{t.terminals.volume}</dt>
              <dd>{tm.state?.volume ?? '—'}</dd>
              <dt>{t.terminals.fields.clock}</dt>
              <dd>{clockText(tm.state?.clockOffsetMs)}</dd>
              <dt>{t.terminals.fields.version}</dt>
              <dd>{tm.state?.version ?? '—'}</dd>
              <dt>{t.terminals.fields.credential}</dt>
              <dd>{tm.credentialVersion}</dd>
              <dt>{t.terminals.drill}</dt>
              <dd>{tm.drillEnabled === undefined ? '—' : tm.drillEnabled ? t.common.yes : t.common.no}</dd>
              <dt>{t.terminals.location}</dt>
              <dd>{tm.location ? `${tm.location.lat.toFixed(4)}, ${tm.location.lon.toFixed(4)}` : '—'}</dd>
              <dt>{t.terminals.schedule}</dt>
              <dd>
                {s ? (
                  <>
                    {s.holdsCurrent ? (
                      <Badge kind="online">{t.terminals.holdsCurrent}</Badge>
                    ) : (
                      <Badge kind="fault">✗</Badge>
                    )}{' '}
                    {t.terminals.nextSlot}：{fmtDateTime(s.nextStartAt)}{' '}
                    {s.nextSlotCached ? `· ${t.terminals.cached}` : ''}
                  </>
                ) : (
                  '—'
                )}
              </dd>
            </dl>
          </Panel>
          {(control || manage || can.can('broadcast.send')) && (
            <Panel title={t.common.actions}>
              {control && (
                <div className="row">
                  <label className="volume">
                    {t.terminals.volume}
                    <input
                      type="range"
                      min={0}
                      max={100}
                      value={volume ?? tm.state?.volume ?? 80}
                      onChange={(e) => setVolume(Number(e.target.value))}
                    />
                    <span className="num">{volume ?? tm.state?.volume ?? 80}</span>
                  </label>
                  <button
                    type="button"
                    className="btn"
                    disabled={act.busy}
                    onClick={() => void act.run('volume')}
                  >
                    {t.terminals.setVolume}
                  </button>
                </div>
              )}
              {can.canAt('broadcast.send', tm.villageCode) && (
                <div className="row">
                  <select
                    value={tone}
                    onChange={(e) => setTone(e.target.value)}
                    aria-label={t.terminals.testToneHint}
                  >
                    <option value="">{t.terminals.testToneHint}</option>
                    {(items.data ?? []).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.title}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    className="btn"
                    disabled={!tone || act.busy || !tm.enabled}
                    onClick={() => void act.run('tone')}
                  >
                    {t.terminals.testTone}
                  </button>
                </div>
              )}
              {manage && (
                <>
                  <div className="row">
                    <button
                      type="button"
                      className="btn"
                      disabled={act.busy}
                      onClick={() => void act.run('rotate')}
                    >
                      {t.terminals.rotate}
                    </button>
                    <button
                      type="button"
                      className="btn"
                      disabled={act.busy}
                      onClick={() => void act.run(tm.drillEnabled ? 'drill-off' : 'drill-on')}
                    >
                      {tm.drillEnabled
                        ? `${t.terminals.drill}：${t.common.yes}`
                        : `${t.terminals.drill}：${t.common.no}`}
                    </button>
                    <button
                      type="button"
                      className={tm.enabled ? 'btn btn-danger-outline' : 'btn'}
                      disabled={act.busy}
                      onClick={() => void act.run(tm.enabled ? 'disable' : 'enable')}
                    >
                      {tm.enabled ? t.terminals.disable : t.terminals.enable}
                    </button>
                  </div>
                  <div className="row">
                    <input
                      className="input-short"
                      aria-label={t.terminals.lat}
                      placeholder={t.terminals.lat}
                      value={lat}
                      onChange={(e) => setLat(e.target.value)}
                    />
                    <input
                      className="input-short"
                      aria-label={t.terminals.lon}
                      placeholder={t.terminals.lon}
                      value={lon}
                      onChange={(e) => setLon(e.target.value)}
                    />
                    <button
                      type="button"
                      className="btn"
                      disabled={act.busy || (!lat.trim() && !lon.trim() && !tm.location)}
                      onClick={() => void act.run('location')}
                    >
                      {t.terminals.saveLocation}
                    </button>
                  </div>
                </>
              )}
            </Panel>
          )}
        </div>
        <Panel className="split-side" title={t.terminals.events}>
          <ErrorBox error={events.error} />
          <ol className="events">
            {(events.data ?? []).map((e) => (
              <li key={`${e.seq}-${e.at}`} className={`event event-${e.type}`}>
                <span className="event-time">{fmtDateTime(e.at)}</span>
                <span>{eventText(e)}</span>
                {e.broadcastId && <span className="muted small mono">{e.broadcastId}</span>}
              </li>
            ))}
          </ol>
        </Panel>
      </div>
    </>
  );
}
