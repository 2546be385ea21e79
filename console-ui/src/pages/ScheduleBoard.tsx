import { useEffect, useState } from 'react';
import { del, get, post, put, qs } from '../api/client.ts';
import type { ContentItem, ProgrammeItem } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { CopyDay } from '../components/CopyDay.tsx';
import { useAction, useLoad, useTick } from '../components/hooks.ts';
import { type BoardProgramme, DRAG_TYPE, ScheduleCell, type SlotOnDay } from '../components/ScheduleCell.tsx';
import { ScopeSelect } from '../components/ScopeSelect.tsx';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, PageHeader, Panel } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { addDays, dayLabel, dayStart, localDate } from '../data/dates.ts';
import { fmtDuration, fmtTime, t } from '../i18n/index.ts';

interface DaySlots {
  date: string;
  slots: SlotOnDay[];
  quiet: Array<{ from: number; until: number }>;
}

/** A 24-hour strip: quiet hours shaded, the day's slots marked. */
function DayStrip({ day }: { day: DaySlots }) {
  const start = dayStart(day.date);
  const pct = (ms: number) => `${Math.max(0, Math.min(100, ((ms - start) / 86_400_000) * 100))}%`;
  return (
    <div className="day-strip" title={t.schedule.quiet}>
      {day.quiet.map((q) => (
        <span
          key={q.from}
          className="strip-quiet"
          style={{ left: pct(q.from), right: `calc(100% - ${pct(q.until)})` }}
        />
      ))}
      {day.slots.map((s) => (
        <span
          key={s.slotId}
          className="strip-slot"
          style={{ left: pct(s.startAt), right: `calc(100% - ${pct(s.endAt)})` }}
        />
      ))}
    </div>
  );
}

export function ScheduleBoard() {
  const can = useCan();
  const areas = useAreas();
  const toast = useToast();
  const now = useTick(30_000);
  const [scope, setScope] = useState('');
  const [from, setFrom] = useState(() => localDate());
  const [selected, setSelected] = useState<{ id: string; title: string } | null>(null);
  const [copying, setCopying] = useState<string | null>(null);
  useEffect(() => {
    if (!areas || scope) return;
    setScope(
      can.countyWide('programme.read')
        ? (areas.county?.code ?? '')
        : (can.townships('programme.read')[0] ?? ''),
    );
  }, [areas, scope, can]);
  const township = scope.length === 9 ? scope : null;
  const days = Array.from({ length: 7 }, (_, i) => addDays(from, i));
  const to = days[6]!;

  const board = useLoad(async () => {
    if (!scope) return null;
    const [slots, progs] = await Promise.all([
      Promise.all(days.map((d) => get<DaySlots>(`/api/schedule/slots${qs({ date: d, township })}`))),
      get<{ programmes: BoardProgramme[] }>(`/api/programmes${qs({ from, to })}`),
    ]);
    return {
      slots,
      programmes: progs.programmes.filter(
        (p) => p.slotId && (p.scope.code === scope || p.scope.level === 'county'),
      ),
    };
  }, [scope, from]);
  const library = useLoad(async () => {
    const [a, r] = await Promise.all(
      ['approved', 'released'].map((s) =>
        get<{ items: ContentItem[] }>(`/api/content${qs({ state: s, limit: 200 })}`),
      ),
    );
    return [...(a?.items ?? []), ...(r?.items ?? [])].filter(
      (c) => !township || c.scopeCode.length === 6 || c.scopeCode === township,
    );
  }, [township]);

  const writable =
    !!scope &&
    can.canAt('programme.write', scope) &&
    (scope.length === 9 || can.countyWide('programme.write'));
  const slotIds: Array<{ id: string; name: string }> = [];
  for (const d of board.data?.slots ?? [])
    for (const s of d.slots)
      if (!slotIds.some((x) => x.id === s.slotId)) slotIds.push({ id: s.slotId, name: s.name });
  const find = (date: string, slotId: string, code: string) =>
    board.data?.programmes.find((p) => p.date === date && p.slotId === slotId && p.scope.code === code) ??
    null;

  const change = useAction(
    async (date: string, slot: SlotOnDay, op: { add?: string; remove?: ProgrammeItem }) => {
      const own = find(date, slot.slotId, scope);
      const keep = (own?.items ?? [])
        .filter((i) => i.id !== op.remove?.id)
        .map((i) => ({ id: i.id, contentId: i.contentId! }));
      const items = op.add ? [...keep, { contentId: op.add }] : keep;
      if (!own) {
        await post('/api/programmes', {
          date,
          slotId: slot.slotId,
          scopeCode: scope,
          title: `${slot.name} ${date}`,
          items,
        });
      } else if (items.length === 0) await del(`/api/programmes/${own.id}`);
      else await put(`/api/programmes/${own.id}`, { items });
      if (op.add) toast.ok(t.schedule.added);
      await board.reload();
    },
  );

  return (
    <>
      <PageHeader title={t.schedule.title}>
        {areas && (
          <ScopeSelect
            areas={areas}
            permission="programme.read"
            value={scope}
            onChange={setScope}
            label={t.schedule.scope}
          />
        )}
        <button type="button" className="btn" onClick={() => setFrom(addDays(from, -7))}>
          {t.schedule.prev}
        </button>
        <button type="button" className="btn" onClick={() => setFrom(localDate())}>
          {t.schedule.today}
        </button>
        <button type="button" className="btn" onClick={() => setFrom(addDays(from, 7))}>
          {t.schedule.next}
        </button>
      </PageHeader>
      <ErrorBox error={board.error ?? change.error} />
      <div className="board-layout">
        {writable ? (
          <Panel className="library" title={t.schedule.library}>
            <p className="muted small">{t.schedule.libraryHint}</p>
            {selected && <p className="selected-line">{t.schedule.selected(selected.title)}</p>}
            <ul className="lib-list" data-testid="library">
              {(library.data ?? []).map((c) => (
                <li
                  key={c.id}
                  draggable
                  data-content={c.id}
                  className={selected?.id === c.id ? 'lib-item active' : 'lib-item'}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, c.id);
                    e.dataTransfer.effectAllowed = 'copy';
                  }}
                >
                  <button
                    type="button"
                    className="lib-pick"
                    aria-pressed={selected?.id === c.id}
                    onClick={() => setSelected(selected?.id === c.id ? null : { id: c.id, title: c.title })}
                  >
                    <span className="lib-title">{c.title}</span>
                    <span className="lib-meta">
                      {c.scopeName} · {fmtDuration(c.durationMs)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </Panel>
        ) : (
          <div className="notice">{t.schedule.readOnly}</div>
        )}
        <div className="board-wrap">
          <table className="board" data-testid="board">
            <thead>
              <tr>
                <th className="day-col">{t.common.time}</th>
                {slotIds.map((s) => (
                  <th key={s.id}>{s.name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(board.data?.slots ?? []).map((day) => (
                <tr key={day.date} data-date={day.date}>
                  <th className="day-col">
                    <div className="day-name">{dayLabel(day.date)}</div>
                    <DayStrip day={day} />
                    <div className="muted small">
                      {day.quiet.length === 0
                        ? t.schedule.noQuiet
                        : `${t.schedule.quiet} ${day.quiet.map((q) => `${fmtTime(q.from)}–${fmtTime(q.until)}`).join('，')}`}
                    </div>
                    {writable && (
                      <button type="button" className="btn btn-small" onClick={() => setCopying(day.date)}>
                        {t.schedule.copyDay}
                      </button>
                    )}
                  </th>
                  {slotIds.map((s) => {
                    const slot = day.slots.find((x) => x.slotId === s.id) ?? null;
                    const county = township && areas?.county ? find(day.date, s.id, areas.county.code) : null;
                    return (
                      <ScheduleCell
                        key={s.id}
                        slot={slot}
                        county={county}
                        own={find(day.date, s.id, scope)}
                        writable={writable}
                        now={now}
                        selected={selected}
                        busy={change.busy}
                        onAdd={(id) => slot && void change.run(day.date, slot, { add: id })}
                        onRemove={(item) => slot && void change.run(day.date, slot, { remove: item })}
                      />
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {copying && (
        <CopyDay
          date={copying}
          programmes={(board.data?.programmes ?? []).filter(
            (p) => p.date === copying && p.scope.code === scope,
          )}
          onClose={() => setCopying(null)}
          onDone={() => {
            setCopying(null);
            void board.reload();
          }}
        />
      )}
    </>
  );
}
