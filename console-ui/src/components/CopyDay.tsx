import { useState } from 'react';
import { post } from '../api/client.ts';
import { addDays } from '../data/dates.ts';
import { t } from '../i18n/index.ts';
import { useAction } from './hooks.ts';
import type { BoardProgramme } from './ScheduleCell.tsx';
import { useToast } from './toast.tsx';
import { ErrorBox, Field, Modal } from './ui.tsx';

/** Copies every programme of one day (in the board's scope) to another date, each all or nothing. */
export function CopyDay({
  date,
  programmes,
  onClose,
  onDone,
}: {
  date: string;
  programmes: BoardProgramme[];
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const [target, setTarget] = useState(addDays(date, 1));
  const [replace, setReplace] = useState(false);
  const act = useAction(async () => {
    for (const p of programmes) await post(`/api/programmes/${p.id}/copy`, { dates: [target], replace });
    toast.ok(t.schedule.copied(programmes.length));
    onDone();
  });
  return (
    <Modal title={`${t.schedule.copyDay}（${date}）`} onClose={onClose}>
      {programmes.length === 0 ? (
        <p className="muted">{t.common.empty}</p>
      ) : (
        <div className="form">
          <Field label={t.schedule.copyTo}>
            <input
              value={target}
              placeholder="YYYY-MM-DD"
              pattern="\d{4}-\d{2}-\d{2}"
              onChange={(e) => setTarget(e.target.value.trim())}
            />
          </Field>
          <label className="check">
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
            {t.schedule.replace}
          </label>
          <ErrorBox error={act.error} />
          <div className="row">
            <button
              type="button"
              className="btn btn-primary"
              disabled={act.busy || !/^\d{4}-\d{2}-\d{2}$/.test(target)}
              onClick={() => void act.run()}
            >
              {t.common.confirm}
            </button>
            <button type="button" className="btn" onClick={onClose}>
              {t.common.cancel}
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
