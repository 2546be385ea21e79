import { useEffect, useState } from 'react';
import { get } from '../api/client.ts';
import type { Area, Terminal } from '../api/types.ts';

let cache: Promise<Area[]> | null = null;

/** The division tree the user may see (their township and the county above it, or everything). */
export function loadAreas(): Promise<Area[]> {
  cache ??= get<{ areas: Area[] }>('/api/areas').then((r) => r.areas);
  cache.catch(() => {
    cache = null;
  });
  return cache;
}

export function forgetAreas(): void {
  cache = null;
}

export interface AreaIndex {
  list: Area[];
  byCode: Map<string, Area>;
  county: Area | null;
  townships: Area[];
  villagesOf(township: string): Area[];
  name(code: string | null | undefined): string;
}

export function indexAreas(list: Area[]): AreaIndex {
  const byCode = new Map(list.map((a) => [a.code, a]));
  const children = new Map<string, Area[]>();
  for (const a of list) {
    if (!a.parentCode) continue;
    const arr = children.get(a.parentCode) ?? [];
    arr.push(a);
    children.set(a.parentCode, arr);
  }
  return {
    list,
    byCode,
    county: list.find((a) => a.level === 'county') ?? null,
    townships: list.filter((a) => a.level === 'township'),
    villagesOf: (t) => children.get(t) ?? [],
    name: (code) => (code ? (byCode.get(code)?.name ?? code) : ''),
  };
}

export function useAreas(): AreaIndex | null {
  const [index, setIndex] = useState<AreaIndex | null>(null);
  useEffect(() => {
    let live = true;
    loadAreas()
      .then((l) => live && setIndex(indexAreas(l)))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return index;
}

/** Terminals grouped by township and village code. */
export function groupTerminals(terminals: Terminal[]): Map<string, Map<string, Terminal[]>> {
  const out = new Map<string, Map<string, Terminal[]>>();
  for (const tm of terminals) {
    let byVillage = out.get(tm.townshipCode);
    if (!byVillage) {
      byVillage = new Map();
      out.set(tm.townshipCode, byVillage);
    }
    const arr = byVillage.get(tm.villageCode) ?? [];
    arr.push(tm);
    byVillage.set(tm.villageCode, arr);
  }
  return out;
}
