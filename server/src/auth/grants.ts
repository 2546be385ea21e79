import type { Grant } from './actor.ts';
import { ROLE_LABELS, ROLE_SCOPE } from './roles.ts';

/** The part of the division tree grant checks need (AreaService fits). */
export interface AreaLookup {
  get(code: string): { code: string; name: string; level: 'county' | 'township' | 'village' } | null;
}

const scopeText = (g: Grant) => (g.scopeCode === null ? '全县' : g.scopeCode);

/**
 * Why a set of grants cannot be given, one Chinese sentence per problem naming the role (empty when
 * they are fine): county roles are held county-wide (scopeCode null), township roles at an existing
 * township, the emergency officer either.
 */
export function grantProblems(grants: readonly Grant[], areas: AreaLookup): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of grants) {
    const label = ROLE_LABELS[g.role];
    const key = `${g.role}@${g.scopeCode ?? ''}`;
    if (seen.has(key)) problems.push(`${label}（${scopeText(g)}）重复授予`);
    seen.add(key);
    const where = ROLE_SCOPE[g.role];
    if (g.scopeCode === null) {
      if (where === 'township') problems.push(`${label}须指定所属乡镇（scopeCode 填乡镇代码）`);
      continue;
    }
    if (where === 'county') {
      problems.push(`${label}只能在全县范围授予（scopeCode 须为 null）`);
      continue;
    }
    const area = areas.get(g.scopeCode);
    if (!area) problems.push(`${label}的范围 ${g.scopeCode} 不存在`);
    else if (area.level !== 'township')
      problems.push(`${label}的范围须为乡镇，${area.name}（${area.code}）不是乡镇`);
  }
  return problems;
}

/** Grants as shown to people: with the role's Chinese name and the scope's name. */
export function describeGrants(
  grants: readonly Grant[],
  areas: AreaLookup,
): Array<Grant & { label: string; scopeName: string }> {
  return grants.map((g) => ({
    ...g,
    label: ROLE_LABELS[g.role],
    scopeName: g.scopeCode === null ? '全县' : (areas.get(g.scopeCode)?.name ?? g.scopeCode),
  }));
}
