import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { Terminal } from '../api/types.ts';
import { type AreaIndex, groupTerminals } from '../data/areas.ts';
import { t } from '../i18n/index.ts';
import { StatusBadge } from './ui.tsx';

/**
 * The county as a tree: township → village → terminal. Without `select` it only shows; with it, checkboxes
 * choose terminals (`mode: 'terminals'`, a township or village box chooses all its terminals) or areas
 * (`mode: 'areas'`, codes of townships and villages, for alerts).
 */
export interface TreeSelect {
  mode: 'terminals' | 'areas';
  selected: Set<string>;
  onChange(next: Set<string>): void;
  /** Codes (township/village) or terminal ids that may not be chosen. */
  disabled?: (key: string) => boolean;
}

interface Props {
  areas: AreaIndex;
  terminals: Terminal[];
  /** Townships to show (default: every township the user can see). */
  townships?: string[];
  select?: TreeSelect;
  /** Show villages that have no terminal (for alerts by area). */
  allVillages?: boolean;
  extra?: (tm: Terminal) => ReactNode;
  onOpenTerminal?: (tm: Terminal) => void;
  /** Terminals hidden by filters. */
  visible?: (tm: Terminal) => boolean;
}

function Check({
  state,
  onToggle,
  label,
  disabled,
}: {
  state: 'on' | 'off' | 'some';
  onToggle: () => void;
  label: string;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = state === 'some';
  }, [state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={label}
      checked={state === 'on'}
      disabled={disabled}
      onChange={onToggle}
    />
  );
}

export function AreaTree(props: Props) {
  const { areas, select } = props;
  const grouped = groupTerminals(props.terminals.filter((tm) => props.visible?.(tm) ?? true));
  const townships = (props.townships ?? areas.townships.map((a) => a.code)).filter((c) =>
    areas.byCode.has(c),
  );
  const [open, setOpen] = useState<Set<string>>(() => new Set(townships.length <= 2 ? townships : []));
  const toggleOpen = (code: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(code)) n.delete(code);
      else n.add(code);
      return n;
    });

  const idsUnder = (code: string): string[] =>
    props.terminals.filter((tm) => tm.villageCode.startsWith(code) && tm.enabled).map((tm) => tm.id);

  const stateOf = (code: string): 'on' | 'off' | 'some' => {
    if (!select) return 'off';
    if (select.mode === 'areas') {
      if (select.selected.has(code)) return 'on';
      if (code.length === 12 && select.selected.has(code.slice(0, 9))) return 'on';
      const any = [...select.selected].some((c) => c.startsWith(code) && c !== code);
      return any ? 'some' : 'off';
    }
    const ids = idsUnder(code);
    const n = ids.filter((id) => select.selected.has(id)).length;
    return n === 0 ? 'off' : n === ids.length ? 'on' : 'some';
  };

  const toggleArea = (code: string) => {
    if (!select) return;
    const next = new Set(select.selected);
    if (select.mode === 'areas') {
      if (next.has(code)) next.delete(code);
      else {
        for (const c of [...next]) if (c.startsWith(code)) next.delete(c);
        next.add(code);
      }
    } else {
      const ids = idsUnder(code);
      const all = ids.length > 0 && ids.every((id) => next.has(id));
      for (const id of ids) {
        if (all) next.delete(id);
        else if (!select.disabled?.(id)) next.add(id);
      }
    }
    select.onChange(next);
  };

  const toggleTerminal = (id: string) => {
    if (!select) return;
    const next = new Set(select.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    select.onChange(next);
  };

  return (
    <ul className="tree">
      {townships.map((tc) => {
        const byVillage = grouped.get(tc) ?? new Map<string, Terminal[]>();
        const villages = areas.villagesOf(tc).filter((v) => props.allVillages || byVillage.has(v.code));
        const count = [...byVillage.values()].reduce((n, l) => n + l.length, 0);
        const online = [...byVillage.values()].flat().filter((x) => x.online).length;
        const isOpen = open.has(tc);
        return (
          <li key={tc} className="tree-township">
            <div className="tree-row">
              <button
                type="button"
                className="tree-toggle"
                onClick={() => toggleOpen(tc)}
                aria-expanded={isOpen}
                aria-label={areas.name(tc)}
              >
                {isOpen ? '▾' : '▸'}
              </button>
              {select && (
                <Check
                  state={stateOf(tc)}
                  onToggle={() => toggleArea(tc)}
                  label={areas.name(tc)}
                  disabled={select.disabled?.(tc) || (select.mode === 'terminals' && count === 0)}
                />
              )}
              <button type="button" className="tree-name link-plain" onClick={() => toggleOpen(tc)}>
                {areas.name(tc)}
              </button>
              <span className="tree-count">{t.overview.treeCount(online, count)}</span>
            </div>
            {isOpen && (
              <ul>
                {villages.map((v) => {
                  const list = byVillage.get(v.code) ?? [];
                  return (
                    <li key={v.code} className="tree-village">
                      <div className="tree-row">
                        {select && (
                          <Check
                            state={stateOf(v.code)}
                            onToggle={() => toggleArea(v.code)}
                            label={v.name}
                            disabled={
                              select.disabled?.(v.code) ||
                              (select.mode === 'areas' && select.selected.has(tc)) ||
                              (select.mode === 'terminals' && list.length === 0)
                            }
                          />
                        )}
                        <span className="tree-name">{v.name}</span>
                        {list.length > 0 && (
                          <span className="tree-count">{t.units.terminals(list.length)}</span>
                        )}
                      </div>
                      {list.length > 0 && (
                        <ul>
                          {list.map((tm) => (
                            <li key={tm.id} className="tree-terminal">
                              <div className="tree-row">
                                {select?.mode === 'terminals' && (
                                  <Check
                                    state={select.selected.has(tm.id) ? 'on' : 'off'}
                                    onToggle={() => toggleTerminal(tm.id)}
                                    label={tm.name}
                                    disabled={!tm.enabled || select.disabled?.(tm.id)}
                                  />
                                )}
                                <StatusBadge {...tm} />
                                {props.onOpenTerminal ? (
                                  <button
                                    type="button"
                                    className="link"
                                    onClick={() => props.onOpenTerminal?.(tm)}
                                  >
                                    {tm.name}
                                  </button>
                                ) : (
                                  <span className="tree-name">{tm.name}</span>
                                )}
                                {props.extra?.(tm)}
                              </div>
                            </li>
                          ))}
                        </ul>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}
