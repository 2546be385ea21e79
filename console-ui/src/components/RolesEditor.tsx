import type { Role } from '../api/types.ts';
import { COUNTY_ROLES, TOWNSHIP_ROLES } from '../auth/roles.ts';
import type { AreaIndex } from '../data/areas.ts';
import { t } from '../i18n/index.ts';

export interface GrantInput {
  role: Role;
  scopeCode: string | null;
}

const ALL_ROLES: Role[] = [...new Set([...COUNTY_ROLES, ...TOWNSHIP_ROLES])];

/** Rows of role + scope; the scope offered follows where the role may be held (county, township, either). */
export function RolesEditor({
  value,
  onChange,
  areas,
}: {
  value: GrantInput[];
  onChange: (v: GrantInput[]) => void;
  areas: AreaIndex;
}) {
  const set = (i: number, g: GrantInput) => onChange(value.map((x, k) => (k === i ? g : x)));
  const scopesOf = (role: Role): Array<string | null> => [
    ...(COUNTY_ROLES.includes(role) ? [null] : []),
    ...(TOWNSHIP_ROLES.includes(role) ? areas.townships.map((a) => a.code) : []),
  ];
  return (
    <div className="roles-editor">
      {value.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="row" key={i}>
          <select
            aria-label={t.admin.roles}
            value={g.role}
            onChange={(e) => {
              const role = e.target.value as Role;
              const scopes = scopesOf(role);
              set(i, { role, scopeCode: scopes.includes(g.scopeCode) ? g.scopeCode : (scopes[0] ?? null) });
            }}
          >
            {ALL_ROLES.map((r) => (
              <option key={r} value={r}>
                {t.roles[r]}
              </option>
            ))}
          </select>
          <select
            aria-label={t.common.scope}
            value={g.scopeCode ?? ''}
            onChange={(e) => set(i, { ...g, scopeCode: e.target.value || null })}
          >
            {scopesOf(g.role).map((c) => (
              <option key={c ?? 'county'} value={c ?? ''}>
                {c === null ? t.common.county : areas.name(c)}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onChange(value.filter((_, k) => k !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange([...value, { role: 'county_operator', scopeCode: null }])}
      >
        + {t.admin.addRole}
      </button>
    </div>
  );
}
