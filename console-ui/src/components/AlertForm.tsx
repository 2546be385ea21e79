import { useState } from 'react';
import { post } from '../api/client.ts';
import type { Alert, AlertLevel, Terminal } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { useGroups } from '../data/groups.ts';
import { t } from '../i18n/index.ts';
import { AlertGroups } from './AlertGroups.tsx';
import { AreaTree } from './AreaTree.tsx';
import { useAction } from './hooks.ts';
import { PreviewButton } from './Speech.tsx';
import { useToast } from './toast.tsx';
import { ErrorBox, Field, Modal } from './ui.tsx';

const LEVELS: AlertLevel[] = ['red', 'orange', 'yellow', 'blue'];
/** Alerts without uploaded audio are spoken by the centre's offline engine: preview with the same voice. */
const OFFLINE_VOICE = 'espeak:cmn';

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
  const can = useCan();
  const toast = useToast();
  const [level, setLevel] = useState<AlertLevel>('orange');
  const [eventCode, setEventCode] = useState('11B03');
  const [issuer, setIssuer] = useState(t.emergency.defaultIssuer(areas.county?.name ?? ''));
  const [codes, setCodes] = useState<Set<string>>(new Set());
  const [groupIds, setGroupIds] = useState<Set<string>>(new Set());
  const groups = useGroups();
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [hours, setHours] = useState(2);
  const [repeat, setRepeat] = useState(3);
  const [interval, setIntervalSec] = useState(10);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const permission = drill ? 'alert.drill' : 'alert.raise';
  const word = drill ? t.emergency.confirmWordDrill : t.emergency.confirmWordReal;
  const countyCode = areas.county?.code ?? '';
  const wholeCounty = codes.has(countyCode);
  const chosenGroups = (groups.data ?? []).filter((g) => groupIds.has(g.id));
  const areaLabel = [
    ...(wholeCounty ? [t.common.county] : [...codes].map((c) => areas.name(c))),
    ...chosenGroups.map((g) => t.groups.inAlert(g.name, g.terminalIds.length)),
  ].join('、');
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
    setTyped('');
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
      <fieldset className="levels">
        <legend>{t.emergency.level}</legend>
        {LEVELS.map((l) => (
          <label key={l} className={`level level-${l} ${level === l ? 'active' : ''}`}>
            <input
              type="radio"
              name={`level-${drill}`}
              value={l}
              checked={level === l}
              onChange={() => setLevel(l)}
            />
            {t.emergency.levels[l]}
          </label>
        ))}
      </fieldset>
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
            {[1, 2, 6, 12, 24, 72].map((h) => (
              <option key={h} value={h}>
                {t.emergency.hours(h)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t.emergency.alertTitle}>
        <input name="alert-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
      </Field>
      <Field label={t.emergency.text}>
        <textarea
          name="alert-text"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={5000}
        />
      </Field>
      <div className="row">
        <Field label={t.emergency.repeat}>
          <input
            type="number"
            min={1}
            max={10}
            value={repeat}
            onChange={(e) => setRepeat(Number(e.target.value))}
            className="input-short"
          />
        </Field>
        <Field label={t.emergency.interval}>
          <input
            type="number"
            min={0}
            max={600}
            value={interval}
            onChange={(e) => setIntervalSec(Number(e.target.value))}
            className="input-short"
          />
        </Field>
        <PreviewButton text={`${title}。${text}`} voice={OFFLINE_VOICE} label={t.emergency.preview} />
      </div>
      <h3>{t.emergency.area}</h3>
      {can.countyWide(permission) && countyCode && (
        <label className="check check-county">
          <input
            type="checkbox"
            checked={wholeCounty}
            onChange={() => setCodes(wholeCounty ? new Set() : new Set([countyCode]))}
          />
          {t.common.county}（{areas.county?.name}）
        </label>
      )}
      {!wholeCounty && (
        <div className="tree-box">
          <AreaTree
            areas={areas}
            terminals={terminals}
            allVillages
            select={{
              mode: 'areas',
              selected: codes,
              onChange: setCodes,
              disabled: (c) => !can.canAt(permission, c),
            }}
          />
        </div>
      )}
      <ErrorBox error={groups.error} />
      <AlertGroups
        groups={groups.data ?? []}
        areas={areas}
        permission={permission}
        selected={groupIds}
        onChange={setGroupIds}
      />
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
          <Field label={t.emergency.confirmType(word)}>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} name="confirm-word" />
          </Field>
          <ErrorBox error={raise.error} />
          <div className="row">
            <button
              type="button"
              className={`btn ${drill ? 'btn-drill' : 'btn-emergency'}`}
              disabled={typed.trim() !== word || raise.busy}
              onClick={() => void raise.run()}
            >
              {drill ? t.emergency.raiseDrill : t.emergency.raise}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
