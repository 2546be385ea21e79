import { useState } from 'react';
import { put } from '../api/client.ts';
import type { Alert, AlertLevel } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { useTerminals } from '../data/terminals.ts';
import { fmtDateTime, t } from '../i18n/index.ts';
import {
  AlertAreaPicker,
  AlertTextFields,
  areaLabelOf,
  EXPIRY_HOURS,
  LevelPicker,
  RepeatFields,
  TypedConfirm,
  useAlertArea,
} from './AlertFields.tsx';
import { useAction } from './hooks.ts';
import { useToast } from './toast.tsx';
import { Field, Modal } from './ui.tsx';

/**
 * Updates an alert or drill in force (PUT /api/alerts/:id): level, title, text, expiry, repeat, interval
 * and area, prefilled from the alert; sent only after the officer types the update word. The centre makes
 * it the next revision at once: terminals still covered replace what they sound, the others fall silent.
 */
export function AlertUpdate({
  alert: a,
  areas,
  onClose,
  onUpdated,
}: {
  alert: Alert;
  areas: AreaIndex;
  onClose: () => void;
  onUpdated: (a: Alert) => void;
}) {
  const toast = useToast();
  const terminals = useTerminals();
  const [level, setLevel] = useState<AlertLevel>(a.level);
  const [title, setTitle] = useState(a.title);
  const [text, setText] = useState(a.text);
  /** 0 keeps the current expiry; otherwise hours from the moment it is sent. */
  const [hours, setHours] = useState(0);
  const [repeat, setRepeat] = useState(a.repeat);
  const [interval, setIntervalSec] = useState(Math.round(a.intervalMs / 1000));
  const area = useAlertArea(a.area.codes, a.area.groups ?? []);
  const { codes, chosenGroups } = area;
  const permission = a.drill ? 'alert.drill' : 'alert.raise';
  const kind = a.drill ? t.emergency.drill : t.emergency.real;
  // The centre adds a named group's members to `terminalIds` when it stores the alert, so for an alert that
  // names groups those ids are the groups' members: the groups chosen here are sent instead (resolved
  // afresh; a group unticked no longer sounds). An alert to explicit terminals and no group keeps them.
  const keptTerminals = (a.area.groups ?? []).length === 0 ? a.area.terminalIds : [];
  const areaLabel = [
    areaLabelOf(areas, codes, chosenGroups),
    ...(keptTerminals.length > 0 ? [t.emergency.areaTerminals(keptTerminals.length)] : []),
  ]
    .filter(Boolean)
    .join('、');
  const hasArea = codes.size > 0 || chosenGroups.length > 0 || keptTerminals.length > 0;
  // Groups are sent as listed (a group deleted since is left out), so not before the list is in.
  const ready = area.groups.data !== null && hasArea && title.trim().length >= 2 && text.trim().length >= 2;

  const update = useAction(async () => {
    const r = await put<{ alert: Alert }>(`/api/alerts/${a.id}`, {
      level,
      eventCode: a.eventCode,
      ...(a.eventName ? { eventName: a.eventName } : {}),
      issuer: a.issuer,
      area: {
        codes: [...codes],
        ...(chosenGroups.length > 0 ? { groups: chosenGroups.map((g) => g.id) } : {}),
        ...(keptTerminals.length > 0 ? { terminalIds: keptTerminals } : {}),
      },
      expiresAt: hours > 0 ? Date.now() + hours * 3_600_000 : a.expiresAt,
      language: a.language,
      title,
      text,
      // No mediaSha256: with the text unchanged the centre keeps the alert's audio (uploaded or spoken);
      // with new text it speaks the new text.
      repeat,
      intervalSec: interval,
      volume: a.volume,
    });
    toast.ok(t.emergency.updated(r.alert.revision));
    onUpdated(r.alert);
  });

  return (
    <Modal title={t.emergency.updateTitle(kind)} onClose={onClose} danger>
      <div className="alert-update" data-testid="alert-update">
        <p className="notice">{t.emergency.updateNote}</p>
        <LevelPicker name={`level-update-${a.id}`} level={level} onChange={setLevel} />
        <AlertTextFields
          title={title}
          text={text}
          onTitle={setTitle}
          onText={setText}
          textHint={t.emergency.textResynth}
        />
        <div className="row">
          <Field label={t.emergency.validity}>
            <select name="alert-expiry" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              <option value={0}>{t.emergency.keepExpiry(fmtDateTime(a.expiresAt))}</option>
              {EXPIRY_HOURS.map((h) => (
                <option key={h} value={h}>
                  {t.emergency.fromNow(h)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <RepeatFields
          repeat={repeat}
          interval={interval}
          onRepeat={setRepeat}
          onInterval={setIntervalSec}
          speech={`${title}。${text}`}
        />
        <AlertAreaPicker areas={areas} terminals={terminals.data ?? []} permission={permission} area={area} />
        <p className="confirm-summary" data-testid="update-summary">
          {t.emergency.confirmSummary(
            kind,
            t.emergency.levels[level]!,
            hasArea ? areaLabel : t.broadcast.none,
          )}
        </p>
        <TypedConfirm
          word={t.emergency.confirmWordUpdate}
          label={t.emergency.updateSubmit}
          className={a.drill ? 'btn-drill' : 'btn-emergency'}
          disabled={update.busy || !ready}
          error={update.error}
          onConfirm={() => void update.run()}
          onCancel={onClose}
        />
      </div>
    </Modal>
  );
}
