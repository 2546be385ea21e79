import type { TerminalGroup } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { scopeLabel } from '../data/groups.ts';
import { t } from '../i18n/index.ts';

/** Named terminal groups as a row of checkboxes ("沿河喇叭（全县（灵川县） · 2 台）"), each labelled by its name. */
export function GroupChecks({
  groups,
  areas,
  selected,
  onChange,
  disabled,
}: {
  groups: TerminalGroup[];
  areas: AreaIndex;
  selected: Set<string>;
  onChange: (next: Set<string>) => void;
  disabled?: (g: TerminalGroup) => boolean;
}) {
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange(next);
  };
  return (
    <div className="inline-checks">
      {groups.map((g) => (
        <label key={g.id} className="check" title={g.note ?? undefined}>
          <input
            type="checkbox"
            aria-label={g.name}
            checked={selected.has(g.id)}
            disabled={disabled?.(g)}
            onChange={() => toggle(g.id)}
          />
          {g.name}
          <span className="muted small">
            （{t.groups.scopeOf(scopeLabel(areas, g.scopeCode), g.terminalIds.length)}）
          </span>
        </label>
      ))}
    </div>
  );
}
