import { useState } from 'react';
import type { AlertLevel, Terminal, TerminalGroup } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { useGroups } from '../data/groups.ts';
import { t } from '../i18n/index.ts';
import { AlertGroups } from './AlertGroups.tsx';
import { AreaTree } from './AreaTree.tsx';
import { PreviewButton } from './Speech.tsx';
import { ErrorBox, Field } from './ui.tsx';

/**
 * The fields an alert is raised and updated with (level, title and text, repeat and interval, area, the typed
 * confirmation), shared by the raising form and the update dialog.
 */

export const LEVELS: AlertLevel[] = ['red', 'orange', 'yellow', 'blue'];
/** Alerts without uploaded audio are spoken by the centre's offline engine: preview with the same voice. */
const OFFLINE_VOICE = 'espeak:cmn';
/** "从现在起 N 小时" choices for the expiry. */
export const EXPIRY_HOURS = [1, 2, 6, 12, 24, 72];

export function LevelPicker({
  name,
  level,
  onChange,
}: {
  /** The radio group's name (one per form on the page). */
  name: string;
  level: AlertLevel;
  onChange: (l: AlertLevel) => void;
}) {
  return (
    <fieldset className="levels">
      <legend>{t.emergency.level}</legend>
      {LEVELS.map((l) => (
        <label key={l} className={`level level-${l} ${level === l ? 'active' : ''}`}>
          <input type="radio" name={name} value={l} checked={level === l} onChange={() => onChange(l)} />
          {t.emergency.levels[l]}
        </label>
      ))}
    </fieldset>
  );
}

export function AlertTextFields({
  title,
  text,
  onTitle,
  onText,
  textHint,
}: {
  title: string;
  text: string;
  onTitle: (s: string) => void;
  onText: (s: string) => void;
  textHint?: string;
}) {
  return (
    <>
      <Field label={t.emergency.alertTitle}>
        <input name="alert-title" value={title} onChange={(e) => onTitle(e.target.value)} maxLength={200} />
      </Field>
      <Field label={t.emergency.text} {...(textHint ? { hint: textHint } : {})}>
        <textarea
          name="alert-text"
          rows={3}
          value={text}
          onChange={(e) => onText(e.target.value)}
          maxLength={5000}
        />
      </Field>
    </>
  );
}

/** Repeat count and interval, and a preview of the speech (`speech`: what the centre would say). */
export function RepeatFields({
  repeat,
  interval,
  onRepeat,
  onInterval,
  speech,
}: {
  repeat: number;
  interval: number;
  onRepeat: (n: number) => void;
  onInterval: (n: number) => void;
  speech: string;
}) {
  return (
    <div className="row">
      <Field label={t.emergency.repeat}>
        <input
          type="number"
          name="alert-repeat"
          min={1}
          max={10}
          value={repeat}
          onChange={(e) => onRepeat(Number(e.target.value))}
          className="input-short"
        />
      </Field>
      <Field label={t.emergency.interval}>
        <input
          type="number"
          name="alert-interval"
          min={0}
          max={600}
          value={interval}
          onChange={(e) => onInterval(Number(e.target.value))}
          className="input-short"
        />
      </Field>
      <PreviewButton text={speech} voice={OFFLINE_VOICE} label={t.emergency.preview} />
    </div>
  );
}

/** The area being chosen: division codes and named groups (with the groups the officer may see). */
export function useAlertArea(initialCodes: string[] = [], initialGroups: string[] = []) {
  const groups = useGroups();
  const [codes, setCodes] = useState<Set<string>>(() => new Set(initialCodes));
  const [groupIds, setGroupIds] = useState<Set<string>>(() => new Set(initialGroups));
  const chosenGroups = (groups.data ?? []).filter((g) => groupIds.has(g.id));
  return { groups, codes, setCodes, groupIds, setGroupIds, chosenGroups };
}
export type AlertAreaState = ReturnType<typeof useAlertArea>;

/** "全县" or the divisions by name, then each group chosen with its size. */
export function areaLabelOf(areas: AreaIndex, codes: Set<string>, groups: TerminalGroup[]): string {
  const county = areas.county?.code ?? '';
  return [
    ...(county && codes.has(county) ? [t.common.county] : [...codes].map((c) => areas.name(c))),
    ...groups.map((g) => t.groups.inAlert(g.name, g.terminalIds.length)),
  ].join('、');
}

/**
 * Division codes chosen: the whole county (for those who hold `permission` county-wide), or townships and
 * villages from the tree (those outside the user's scope disabled). Used for alert areas and CAP sources.
 */
export function DivisionPicker({
  areas,
  terminals,
  permission,
  codes,
  onCodes,
}: {
  areas: AreaIndex;
  terminals: Terminal[];
  permission: string;
  codes: Set<string>;
  onCodes: (next: Set<string>) => void;
}) {
  const can = useCan();
  const countyCode = areas.county?.code ?? '';
  const wholeCounty = codes.has(countyCode);
  return (
    <>
      {can.countyWide(permission) && countyCode && (
        <label className="check check-county">
          <input
            type="checkbox"
            checked={wholeCounty}
            onChange={() => onCodes(wholeCounty ? new Set() : new Set([countyCode]))}
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
              onChange: onCodes,
              disabled: (c) => !can.canAt(permission, c),
            }}
          />
        </div>
      )}
    </>
  );
}

/** Where the alert sounds: divisions (see DivisionPicker) and named terminal groups. */
export function AlertAreaPicker({
  areas,
  terminals,
  permission,
  area,
}: {
  areas: AreaIndex;
  terminals: Terminal[];
  permission: string;
  area: AlertAreaState;
}) {
  return (
    <>
      <h3>{t.emergency.area}</h3>
      <DivisionPicker
        areas={areas}
        terminals={terminals}
        permission={permission}
        codes={area.codes}
        onCodes={area.setCodes}
      />
      <ErrorBox error={area.groups.error} />
      <AlertGroups
        groups={area.groups.data ?? []}
        areas={areas}
        permission={permission}
        selected={area.groupIds}
        onChange={area.setGroupIds}
      />
    </>
  );
}

/**
 * The officer types `word` before the action runs (a raise or an update goes out to loudspeakers at once);
 * the centre's refusal is shown above the buttons.
 */
export function TypedConfirm({
  word,
  label,
  className,
  disabled,
  error,
  onConfirm,
  onCancel,
}: {
  word: string;
  label: string;
  className: string;
  /** Besides until the word is typed (e.g. while sending). */
  disabled: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <>
      <Field label={t.emergency.confirmType(word)}>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} name="confirm-word" />
      </Field>
      <ErrorBox error={error} />
      <div className="row">
        <button
          type="button"
          className={`btn ${className}`}
          disabled={typed.trim() !== word || disabled}
          onClick={onConfirm}
        >
          {label}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </>
  );
}
