import type { TerminalGroup } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { t } from '../i18n/index.ts';
import { GroupChecks } from './GroupChecks.tsx';

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
  return (
    <div className="alert-groups" data-testid="alert-groups">
      <h4>{t.groups.title}</h4>
      {groups.length === 0 ? (
        <p className="muted small">{t.groups.noneForAlert}</p>
      ) : (
        <GroupChecks
          groups={groups}
          areas={areas}
          selected={selected}
          onChange={onChange}
          disabled={(g) => !can.canAt(permission, g.scopeCode)}
        />
      )}
    </div>
  );
}
