import { useState } from 'react';
import { get, post, qs } from '../api/client.ts';
import type { Broadcast, BroadcastTarget, ContentItem, Terminal } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { AreaTree } from '../components/AreaTree.tsx';
import { BroadcastGroups } from '../components/BroadcastGroups.tsx';
import { useAction, useLoad } from '../components/hooks.ts';
import { ErrorBox, Field, Modal, PageHeader, Panel } from '../components/ui.tsx';
import { type AreaIndex, useAreas } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtDateTime, fmtDuration, t } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';

/** The narrowest target that reaches exactly the chosen terminals (one publish per area when it can). */
export function targetFor(
  chosen: Set<string>,
  terminals: Terminal[],
  areas: AreaIndex,
  countyWide: boolean,
): { target: BroadcastTarget; label: string } | null {
  const ids = [...chosen];
  if (ids.length === 0) return null;
  const enabled = terminals.filter((x) => x.enabled);
  const exactly = (code: string) => {
    const under = enabled.filter((x) => x.villageCode.startsWith(code));
    return under.length === ids.length && under.every((x) => chosen.has(x.id));
  };
  if (countyWide && areas.county && exactly(areas.county.code))
    return { target: { kind: 'county' }, label: t.common.county };
  for (const a of [...areas.townships, ...areas.list.filter((x) => x.level === 'village')])
    if (exactly(a.code)) return { target: { kind: 'area', code: a.code }, label: a.name };
  if (ids.length === 1) {
    const one = enabled.find((x) => x.id === ids[0]);
    return { target: { kind: 'terminal', tid: ids[0]! }, label: one?.name ?? ids[0]! };
  }
  return { target: { kind: 'terminals', tids: ids }, label: t.broadcast.chosenTerminals(ids.length) };
}

export function BroadcastNow() {
  const can = useCan();
  const areas = useAreas();
  const terminals = useTerminals();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [contentId, setContentId] = useState('');
  const [volume, setVolume] = useState('');
  const [confirming, setConfirming] = useState(false);
  const sender = can.can('broadcast.send');
  const items = useLoad(async () => {
    if (!sender) return [];
    const lists = await Promise.all(
      ['approved', 'released'].map((s) =>
        get<{ items: ContentItem[] }>(`/api/content${qs({ state: s, limit: 200 })}`),
      ),
    );
    return lists.flatMap((l) => l.items);
  }, [sender]);
  const recent = useLoad(
    () => get<{ broadcasts: Broadcast[] }>('/api/broadcasts').then((r) => r.broadcasts),
    [],
  );
  const list = terminals.data ?? [];
  const villageOf = new Map(list.map((x) => [x.id, x.villageCode]));
  /** A township/village code or terminal id the user may not broadcast to (the tree disables it). */
  const blocked = (key: string) =>
    !can.canAt('broadcast.send', key.length === 23 ? (villageOf.get(key) ?? '') : key);
  const target = areas ? targetFor(chosen, list, areas, can.countyWide('broadcast.send')) : null;
  const content = items.data?.find((c) => c.id === contentId) ?? null;
  const send = useAction(async () => {
    const r = await post<{ broadcast: Broadcast }>('/api/broadcasts', {
      contentId,
      target: target!.target,
      ...(volume ? { volume: Number(volume) } : {}),
    });
    setConfirming(false);
    navigate(`/broadcast/${r.broadcast.id}`);
  });

  return (
    <>
      <PageHeader title={t.broadcast.title} />
      {sender && (
        <div className="split">
          <Panel className="split-side" title={t.broadcast.targets}>
            <p className="muted small">{t.broadcast.targetsHint}</p>
            {areas && (
              <>
                <BroadcastGroups
                  areas={areas}
                  terminals={list}
                  chosen={chosen}
                  onChange={setChosen}
                  blocked={blocked}
                />
                <AreaTree
                  areas={areas}
                  terminals={list}
                  select={{ mode: 'terminals', selected: chosen, onChange: setChosen, disabled: blocked }}
                />
              </>
            )}
          </Panel>
          <Panel className="split-main" title={t.broadcast.items}>
            <ul className="radio-list" data-testid="broadcast-items">
              {(items.data ?? []).map((c) => (
                <li key={c.id}>
                  <label className={contentId === c.id ? 'radio-item active' : 'radio-item'}>
                    <input
                      type="radio"
                      name="content"
                      value={c.id}
                      checked={contentId === c.id}
                      onChange={() => setContentId(c.id)}
                    />
                    <span className="radio-title">{c.title}</span>
                    <span className="muted small">
                      {c.scopeName} · {fmtDuration(c.durationMs)}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            <div className="row">
              <Field label={t.broadcast.volume}>
                <input
                  type="number"
                  min={0}
                  max={100}
                  value={volume}
                  onChange={(e) => setVolume(e.target.value)}
                  className="input-short"
                />
              </Field>
            </div>
            <div className="send-bar">
              <span data-testid="target-summary">{target ? target.label : t.broadcast.none}</span>
              <button
                type="button"
                className="btn btn-primary btn-large"
                disabled={!target || !content || send.busy}
                onClick={() => setConfirming(true)}
              >
                {t.broadcast.send}
              </button>
            </div>
            <ErrorBox error={send.error} />
          </Panel>
        </div>
      )}
      <Panel title={t.broadcast.recent}>
        <ErrorBox error={recent.error} />
        <table className="table">
          <thead>
            <tr>
              <th>{t.common.title}</th>
              <th>{t.common.time}</th>
              <th>{t.broadcast.live}</th>
            </tr>
          </thead>
          <tbody>
            {(recent.data ?? []).slice(0, 20).map((b) => (
              <tr key={b.id}>
                <td>
                  <Link to={`/broadcast/${b.id}`}>{b.title ?? b.id}</Link>
                </td>
                <td className="nowrap">{fmtDateTime(b.createdAt)}</td>
                <td>
                  {t.broadcast.outcome[3]} {b.summary['3'] ?? 0} / {b.total}
                  {b.stoppedAt ? ` · ${t.broadcast.stopped}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      {confirming && target && content && (
        <Modal title={t.broadcast.send} onClose={() => setConfirming(false)}>
          <p>{t.broadcast.confirm(chosen.size, content.title)}</p>
          <p className="muted">{target.label}</p>
          <ErrorBox error={send.error} />
          <div className="row">
            <button
              type="button"
              className="btn btn-primary"
              disabled={send.busy}
              onClick={() => void send.run()}
            >
              {send.busy ? t.broadcast.sending : t.common.confirm}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
