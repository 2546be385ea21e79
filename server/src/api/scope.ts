import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import type { Terminal } from '../terminals/terminal-service.ts';
import type { Services } from './services.ts';

/**
 * A terminal the actor may act on with `p`. Outside their scope it is answered exactly as an unknown id
 * (404), so guessing ids tells a township user nothing about other townships.
 */
export function terminalInScope(s: Services, actor: Actor, id: string, p: Permission): Terminal {
  const t = s.terminals.get(id);
  if (!t || !actor.canAt(p, t.villageCode)) throw notFound('unknown_terminal', `终端 ${id} 不存在`);
  return t;
}

/** An area the actor may act on with `p` (404 as for an unknown code otherwise). */
export function areaInScope(s: Services, actor: Actor, code: string, p: Permission): string {
  const a = s.areas.get(code);
  if (!a || !actor.canAt(p, a.code))
    throw notFound('unknown_area', `行政区划 ${code} 不存在或不在您的管辖范围`);
  return a.code;
}
