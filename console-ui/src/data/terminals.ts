import { useCallback } from 'react';
import { get } from '../api/client.ts';
import { useLive } from '../api/realtime.tsx';
import type { Terminal } from '../api/types.ts';
import { type Loaded, useLoad } from '../components/hooks.ts';

/** The terminals the user may see, kept current by `terminal:state` pushes. */
export function useTerminals(): Loaded<Terminal[]> {
  const loaded = useLoad(() => get<{ terminals: Terminal[] }>('/api/terminals').then((r) => r.terminals), []);
  const { set } = loaded;
  const onState = useCallback(
    (e: { terminalId: string; online: boolean; status: number; volume: number | null; playing: unknown; at: number }) =>
      set((list) => {
        if (!list) return list;
        const i = list.findIndex((x) => x.id === e.terminalId);
        if (i < 0) return list;
        const old = list[i]!;
        const next: Terminal = {
          ...old,
          online: e.online,
          status: e.status,
          lastSeen: e.at,
          state: {
            ...(old.state ?? { status: e.status, online: e.online, at: e.at }),
            status: e.status,
            online: e.online,
            at: e.at,
            ...(e.volume !== null ? { volume: e.volume } : {}),
            playing: (e.playing as NonNullable<Terminal['state']>['playing']) ?? null,
          },
        };
        const copy = list.slice();
        copy[i] = next;
        return copy;
      }),
    [set],
  );
  useLive('terminal:state', onState);
  return loaded;
}

export interface Counts {
  total: number;
  online: number;
  playing: number;
  offline: number;
  fault: number;
}

export function countTerminals(list: Terminal[]): Counts {
  const c: Counts = { total: 0, online: 0, playing: 0, offline: 0, fault: 0 };
  for (const x of list) {
    if (!x.enabled) continue;
    c.total++;
    if (!x.online) c.offline++;
    else {
      c.online++;
      if (x.status === 3) c.fault++;
      if (x.status === 5 || x.state?.playing) c.playing++;
    }
  }
  return c;
}
