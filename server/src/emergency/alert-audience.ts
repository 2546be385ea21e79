import { topics } from '@dlb/protocol';
import type { Publication } from '../dispatch/command-publisher.ts';
import type { AlertArea } from './alert-model.ts';

/** A terminal as the alert path sees it. */
export interface AlertTerminal {
  id: string;
  villageCode: string;
  drillEnabled: boolean;
}

/** Area codes with those under another listed code removed: one publish reaches everything under a code. */
export function outermostCodes(codes: readonly string[]): string[] {
  const unique = [...new Set(codes)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const c of unique) if (!kept.some((k) => c.startsWith(k))) kept.push(c);
  return kept;
}

const under = (villageCode: string, code: string) => villageCode.startsWith(code);

/**
 * The terminals an alert reaches: every enabled terminal under one of its codes, and those listed by id.
 * A drill reaches only terminals chosen for drills — the real path and the drill path never share a set.
 */
export function alertTerminals(
  area: Pick<AlertArea, 'codes' | 'terminalIds'>,
  drill: boolean,
  enabled: readonly AlertTerminal[],
): AlertTerminal[] {
  const codes = outermostCodes(area.codes);
  const ids = new Set(area.terminalIds);
  return enabled.filter(
    (t) => (ids.has(t.id) || codes.some((c) => under(t.villageCode, c))) && (!drill || t.drillEnabled),
  );
}

/**
 * Where the alert command is published. Real alerts: one publish per outermost area (a township's terminals
 * all hear `area/{code}/cmd`), plus listed terminals outside those areas on their own topics. Drills go only
 * to each drill terminal's own topic, never to an area topic, so a terminal not chosen for drills never even
 * receives one (and would refuse it if it did).
 */
export function alertPublications(
  area: Pick<AlertArea, 'codes' | 'terminalIds'>,
  drill: boolean,
  reached: readonly AlertTerminal[],
): Publication[] {
  const own = (id: string): Publication => ({
    topic: topics.terminalCmd(id),
    audience: { kind: 'terminal', tid: id },
  });
  if (drill) return reached.map((t) => own(t.id));
  const codes = outermostCodes(area.codes);
  const byArea: Publication[] = codes.map((code) => ({
    topic: topics.areaCmd(code),
    audience: { kind: 'area', code },
  }));
  const loose = reached.filter((t) => !codes.some((c) => under(t.villageCode, c)));
  return [...byArea, ...loose.map((t) => own(t.id))];
}
