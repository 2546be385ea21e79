import { useCan } from '../auth/session.tsx';
import type { AreaIndex } from '../data/areas.ts';
import { t } from '../i18n/index.ts';

/** Scopes (the county, or townships) where the user holds `permission`. */
export function scopesFor(can: ReturnType<typeof useCan>, areas: AreaIndex, permission: string): string[] {
  if (can.countyWide(permission))
    return [areas.county?.code ?? '', ...areas.townships.map((a) => a.code)].filter(Boolean);
  return can.townships(permission);
}

export function ScopeSelect({
  areas,
  permission,
  value,
  onChange,
  label,
}: {
  areas: AreaIndex;
  permission: string;
  value: string;
  onChange: (code: string) => void;
  label?: string;
}) {
  const can = useCan();
  const scopes = scopesFor(can, areas, permission);
  return (
    <select
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-label={label ?? t.common.scope}
      name="scope"
    >
      {scopes.map((c) => (
        <option key={c} value={c}>
          {c.length === 6 ? `${t.common.county}（${areas.name(c)}）` : areas.name(c)}
        </option>
      ))}
    </select>
  );
}
