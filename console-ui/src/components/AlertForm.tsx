import { useState } from 'react';
import { post } from '../api/client.ts';
import type { Alert, AlertLevel, Terminal } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { t } from '../i18n/index.ts';
import * as F from './AlertFields.tsx';
import { useAction } from './hooks.ts';
import { useToast } from './toast.tsx';
import { Field, Modal } from './ui.tsx';

/** The emergency officer's form: real alert or drill, level, area, text; raised only after a typed confirmation. */
export function AlertForm({
  drill,
  areas,
  terminals,
  onRaised,
}: {
  drill: boolean;
  areas: AreaIndex;
  terminals: Terminal[];
  onRaised: (a: Alert) => void;
}) {
  const toast = useToast();
  const [level, setLevel] = useState<AlertLevel>('orange');
  const [eventCode, setEventCode] = useState('11B03');
  const [issuer, setIssuer] = useState(t.emergency.defaultIssuer(areas.county?.name ?? ''));
  const area = F.useAlertArea();
  const { codes, chosenGroups } = area;
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [hours, setHours] = useState(2);
  const [repeat, setRepeat] = useState(3);
  const [interval, setIntervalSec] = useState(10);
  const [confirming, setConfirming] = useState(false);
  const permission = drill ? 'alert.drill' : 'alert.raise';
  const word = drill ? t.emergency.confirmWordDrill : t.emergency.confirmWordReal;
  const areaLabel = F.areaLabelOf(areas, codes, chosenGroups);
  const hasArea = codes.size > 0 || chosenGroups.length > 0;

  const applyTemplate = (i: number) => {
    const tpl = t.emergency.templates[i];
    if (!tpl) return;
    setEventCode(tpl.eventCode);
    setTitle(tpl.title);
    setText(tpl.text);
  };
  const raise = useAction(async () => {
    const r = await post<{ alert: Alert }>(drill ? '/api/drills' : '/api/alerts', {
      level,
      eventCode,
      eventName: t.emergency.eventCodes[eventCode],
      issuer,
      area: {
        codes: [...codes],
        ...(chosenGroups.length > 0 ? { groups: chosenGroups.map((g) => g.id) } : {}),
      },
      expiresAt: Date.now() + hours * 3_600_000,
      title,
      text,
      repeat,
      intervalSec: interval,
    });
    setConfirming(false);
    toast.ok(`${drill ? t.emergency.drill : t.emergency.real}${t.emergency.raised}`);
    onRaised(r.alert);
  });
  const ready = hasArea && title.trim().length >= 2 && text.trim().length >= 2 && issuer.trim().length > 0;

  return (
    <div
      className={`alert-form ${drill ? 'alert-form-drill' : 'alert-form-real'}`}
      data-testid={drill ? 'drill-form' : 'real-form'}
    >
      <div className="alert-form-banner">{drill ? t.emergency.drillNote : t.emergency.realNote}</div>
      <F.LevelPicker name={`level-${drill}`} level={level} onChange={setLevel} />
      <div className="grid-2">
        <Field label={t.emergency.template}>
          <select defaultValue="" onChange={(e) => applyTemplate(Number(e.target.value))}>
            <option value="" disabled>
              —
            </option>
            {t.emergency.templates.map((tpl, i) => (
              <option key={tpl.name} value={i}>
                {tpl.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t.emergency.eventCode}>
          <select value={eventCode} onChange={(e) => setEventCode(e.target.value)}>
            {Object.entries(t.emergency.eventCodes).map(([code, name]) => (
              <option key={code} value={code}>
                {name}（{code}）
              </option>
            ))}
          </select>
        </Field>
        <Field label={t.emergency.issuer}>
          <input value={issuer} onChange={(e) => setIssuer(e.target.value)} />
        </Field>
        <Field label={t.emergency.expiresIn}>
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {F.EXPIRY_HOURS.map((h) => (
              <option key={h} value={h}>
                {t.emergency.hours(h)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <F.AlertTextFields title={title} text={text} onTitle={setTitle} onText={setText} />
      <F.RepeatFields
        repeat={repeat}
        interval={interval}
        onRepeat={setRepeat}
        onInterval={setIntervalSec}
        speech={`${title}。${text}`}
      />
      <F.AlertAreaPicker areas={areas} terminals={terminals} permission={permission} area={area} />
      <div className="send-bar">
        <span data-testid="alert-area">{hasArea ? areaLabel : t.broadcast.none}</span>
        <button
          type="button"
          className={`btn ${drill ? 'btn-drill' : 'btn-emergency'} btn-large`}
          disabled={!ready}
          onClick={() => setConfirming(true)}
        >
          {drill ? t.emergency.raiseDrill : t.emergency.raise}
        </button>
      </div>
      {confirming && (
        <Modal title={t.emergency.confirmTitle} onClose={() => setConfirming(false)} danger>
          <p className="confirm-summary">
            {t.emergency.confirmSummary(
              drill ? t.emergency.drill : t.emergency.real,
              t.emergency.levels[level]!,
              areaLabel,
            )}
          </p>
          <p>
            <strong>{title}</strong>：{text}
          </p>
          <F.TypedConfirm
            word={word}
            label={drill ? t.emergency.raiseDrill : t.emergency.raise}
            className={drill ? 'btn-drill' : 'btn-emergency'}
            disabled={raise.busy}
            error={raise.error}
            onConfirm={() => void raise.run()}
            onCancel={() => setConfirming(false)}
          />
        </Modal>
      )}
    </div>
  );
}
