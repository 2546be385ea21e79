import { get } from '../api/client.ts';
import type { TerminalGroup } from '../api/types.ts';
import { type Loaded, useLoad } from '../components/hooks.ts';
import { t } from '../i18n/index.ts';
import type { AreaIndex } from './areas.ts';

/** The terminal groups the user may see (those held where they have `terminal.read`). */
export function useGroups(): Loaded<TerminalGroup[]> {
  return useLoad(
    () => get<{ groups: TerminalGroup[] }>('/api/terminal-groups').then((r) => r.groups),
    [],
  );
}

/** "全县（灵川县）" for the county, the township's name otherwise. */
export function scopeLabel(areas: AreaIndex | null, code: string): string {
  const name = areas?.name(code) ?? code;
  return code.length === 6 ? `${t.common.county}（${name}）` : name;
}
