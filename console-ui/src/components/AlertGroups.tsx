import type { TerminalGroup } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { scopeLabel } from '../data/groups.ts';
import { t } from '../i18n/index.ts';

/** The alert form's choice of named terminal groups; a group outside the officer's scope is shown disabled. */
export function AlertGroups({
  groups,
  areas,
  permission,
  selected,
  onChange,
}: {
  groups: TerminalGroup[];
  areas: AreaIndex;
  permission: string;
  selected: Set<string>;
  onChange: (next: Set<string>) => void;
}) {
  const can = useCan();
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange(next);
  };
  return (
    <div className="alert-groups" data-testid="alert-groups">
      <h4>{t.groups.title}</h4>
      {groups.length === 0 ? (
        <p className="muted small">{t.groups.noneForAlert}</p>
      ) : (
        <div className="inline-checks">
          {groups.map((g) => (
            <label key={g.id} className="check" title={g.note ?? undefined}>
              <input
                type="checkbox"
                aria-label={g.name}
                checked={selected.has(g.id)}
                disabled={!can.canAt(permission, g.scopeCode)}
                onChange={() => toggle(g.id)}
              />
              {g.name}
              <span className="muted small">
                （{t.groups.scopeOf(scopeLabel(areas, g.scopeCode), g.terminalIds.length)}）
              </span>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
