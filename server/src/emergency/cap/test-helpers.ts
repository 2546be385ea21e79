import { readFileSync } from 'node:fs';
import { makeTerminalId } from '@dlb/protocol';
import { AppError } from '../../errors.ts';
import type { CapImportContext, CapTerminal } from './cap-to-alert.ts';

/** Shared by this folder's tests and test/cap-interop.test.ts; not used by production code. */

export const OWN_FIXTURES = new URL('../../../../test/fixtures/cap/', import.meta.url);

export function ownFixture(name: string): string {
  return readFileSync(new URL(name, OWN_FIXTURES), 'utf8');
}

export function refusal(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/** 灵川县 450323: townships 100 and 101, two villages each with a terminal. */
export const LC_VILLAGES = ['450323100201', '450323100202', '450323101201', '450323101202'];
export const LC_TERMINALS: CapTerminal[] = [
  { id: makeTerminalId('450323100201', 1), lat: 25.42, lon: 110.33, villageCode: '450323100201' },
  { id: makeTerminalId('450323100202', 1), lat: 25.48, lon: 110.33, villageCode: '450323100202' },
  { id: makeTerminalId('450323101201', 1), lat: 25.301, lon: 110.501, villageCode: '450323101201' },
  { id: makeTerminalId('450323101202', 1), lat: 25.2, lon: 110.45, villageCode: '450323101202' },
];

export function lcContext(over: Partial<CapImportContext> = {}): CapImportContext {
  const known = new Set(['450323', '450323100', '450323101', ...LC_VILLAGES]);
  return {
    now: Date.parse('2026-07-01T10:00:00+08:00'),
    allowedAreaCodes: ['450323'],
    knownAreaCodes: (c) => known.has(c),
    terminals: LC_TERMINALS,
    ...over,
  };
}

/** A minimal valid CAP 1.2 document; `info` and `head` replace the defaults, as raw XML. */
export function capDoc(parts: { head?: string; info?: string; root?: string } = {}): string {
  const head =
    parts.head ??
    '<identifier>T-1</identifier><sender>s@example.cn</sender><sent>2026-07-01T08:00:00+08:00</sent>' +
      '<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>';
  const info =
    parts.info ??
    '<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Immediate</urgency>' +
      '<severity>Extreme</severity><certainty>Likely</certainty><expires>2026-07-01T20:00:00+08:00</expires>' +
      '<area><areaDesc>大圩镇</areaDesc><geocode><valueName>GB/T2260</valueName><value>450323101</value></geocode></area></info>';
  const root = parts.root ?? '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">';
  return `<?xml version="1.0" encoding="UTF-8"?>${root}${head}${info}</alert>`;
}
