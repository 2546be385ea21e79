import { Priority } from '@dlb/protocol';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import { forbidden, notFound, unprocessable } from '../errors.ts';
import type { TerminalService } from '../terminals/terminal-service.ts';
import type { BroadcastTarget } from './targets.ts';

interface Lookups {
  areas: AreaService;
  terminals: TerminalService;
  countyCode: () => string;
}

/** The division codes a target covers: a terminal's village, the area, or the county. */
export function targetAreas(target: BroadcastTarget, d: Lookups): string[] {
  switch (target.kind) {
    case 'terminal':
      return [d.terminals.get(target.tid)?.villageCode ?? target.tid];
    case 'terminals':
      return [...new Set(target.tids.map((tid) => d.terminals.get(tid)?.villageCode ?? tid))];
    case 'area':
      return [target.code];
    case 'county':
      return [d.countyCode()];
  }
}

/**
 * Checks that the actor may send to every part of the target, and at what priority. Terminals and
 * areas outside the actor's scope are answered as unknown (404), so ids cannot be probed.
 */
export function checkSendable(
  actor: Actor,
  target: BroadcastTarget,
  requested: number | undefined,
  d: Lookups,
): { priority: number; areas: string[] } {
  const inScope = (area: string) => actor.canAt('broadcast.send', area);
  switch (target.kind) {
    case 'terminal':
    case 'terminals': {
      const tids = target.kind === 'terminal' ? [target.tid] : target.tids;
      for (const tid of tids) {
        const t = d.terminals.get(tid);
        if (!t || !inScope(t.villageCode)) throw notFound('unknown_terminal', `终端 ${tid} 不存在`);
      }
      break;
    }
    case 'area':
      if (!d.areas.get(target.code) || !inScope(target.code))
        throw notFound('unknown_area', `行政区划 ${target.code} 不存在或不在您的管辖范围`);
      break;
    case 'county':
      if (!inScope(d.countyCode())) throw forbidden('全县播发须由县级人员发起');
      break;
  }
  const areas = targetAreas(target, d);
  const ceiling = Math.min(...areas.map((a) => actor.maxPriorityAt(a)));
  const priority =
    requested ??
    (actor.hasCountyWide('broadcast.send') ? Priority.countyProgramme : Priority.townshipProgramme);
  if (priority > ceiling) {
    throw unprocessable(
      'priority_too_high',
      `您的播发优先级不能高于 ${ceiling}（县级直播 ${Priority.countyLive}，乡镇直播 ${Priority.townshipLive}）；应急广播请走应急通道`,
    );
  }
  return { priority, areas };
}

/** Whether the actor may see a broadcast: it touches their area, or comes from above it. */
export function canSeeBroadcast(actor: Actor, areas: readonly string[]): boolean {
  return areas.some((a) => actor.canAtOrAbove('broadcast.read', a));
}
