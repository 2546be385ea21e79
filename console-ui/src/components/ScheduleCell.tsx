import { type DragEvent, useState } from 'react';
import type { Programme, ProgrammeItem } from '../api/types.ts';
import { fmtDuration, fmtTime, t } from '../i18n/index.ts';
import { FillBar } from './ui.tsx';

export interface SlotOnDay {
  slotId: string;
  name: string;
  startAt: number;
  endAt: number;
  maxMs: number;
}

export type BoardProgramme = Programme & {
  durationMs: number;
  scope: { code: string; name: string; level: string };
};

export const DRAG_TYPE = 'application/x-dlb-content';
const GAP_MS = 1000;

interface Props {
  slot: SlotOnDay | null;
  /** The county's programme in this slot, when the board is a township's (read-only there). */
  county: BoardProgramme | null;
  own: BoardProgramme | null;
  writable: boolean;
  now: number;
  selected: { id: string; title: string } | null;
  onAdd: (contentId: string) => void;
  onRemove: (item: ProgrammeItem) => void;
  busy: boolean;
}

/** One slot of one day: its time, fill against the limit, the items, and a drop target for approved content. */
export function ScheduleCell(p: Props) {
  const [over, setOver] = useState(false);
  if (!p.slot) {
    return <td className="cell cell-off">{t.schedule.notHeld}</td>;
  }
  const begun = p.slot.startAt <= p.now;
  const droppable = p.writable && !begun && !p.busy;
  const parts = [p.county, p.own].filter((x): x is BoardProgramme => x !== null && x.items.length > 0);
  const used = parts.reduce((n, x) => n + x.durationMs, 0) + Math.max(0, parts.length - 1) * GAP_MS;

  const onDragOver = (e: DragEvent) => {
    if (!droppable || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    setOver(false);
    const id = e.dataTransfer.getData(DRAG_TYPE);
    if (!droppable || !id) return;
    e.preventDefault();
    p.onAdd(id);
  };

  return (
    <td
      className={`cell ${over ? 'cell-over' : ''} ${begun ? 'cell-begun' : ''}`}
      data-slot={p.slot.slotId}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div className="cell-head">
        <span className="cell-time">
          {fmtTime(p.slot.startAt)}–{fmtTime(p.slot.endAt)}
        </span>
        {begun && <span className="muted small">{t.schedule.begun}</span>}
      </div>
      <FillBar
        used={used}
        limit={p.slot.maxMs}
        label={t.schedule.fill(fmtDuration(used), fmtDuration(p.slot.maxMs))}
      />
      {p.county && p.county.items.length > 0 && p.own !== p.county && (
        <div className="cell-part cell-part-county">
          <span className="muted small">{t.schedule.countyPart}</span>
          {p.county.items.map((i) => (
            <div key={i.id} className="chip chip-ro" title={fmtDuration(i.durationMs)}>
              {i.title}
            </div>
          ))}
        </div>
      )}
      <div className="cell-part">
        {(p.own?.items ?? []).map((i) => (
          <div key={i.id} className="chip" title={fmtDuration(i.durationMs)}>
            <span className="chip-text">{i.title}</span>
            {droppable && (
              <button
                type="button"
                className="chip-x"
                aria-label={`${t.schedule.removeItem} ${i.title}`}
                onClick={() => p.onRemove(i)}
              >
                ×
              </button>
            )}
          </div>
        ))}
        {(p.own?.items.length ?? 0) === 0 && !p.county?.items.length && (
          <span className="muted small">{t.schedule.empty}</span>
        )}
      </div>
      {droppable && p.selected && (
        <button type="button" className="btn btn-small btn-add" onClick={() => p.onAdd(p.selected!.id)}>
          + {t.schedule.addSelected}
        </button>
      )}
    </td>
  );
}
