/**
 * China's administrative division codes: 6 digits for a county, 9 for a township, 12 for a village.
 * The code of every ancestor is a prefix, so a terminal's "chain" follows from its village code.
 */
export type AreaLevel = 'county' | 'township' | 'village';

export const COUNTY_CODE = /^\d{6}$/;
export const TOWNSHIP_CODE = /^\d{9}$/;
export const VILLAGE_CODE = /^\d{12}$/;
export const AREA_CODE = /^(\d{6}|\d{9}|\d{12})$/;

export function areaLevelOf(code: string): AreaLevel | null {
  if (COUNTY_CODE.test(code)) return 'county';
  if (TOWNSHIP_CODE.test(code)) return 'township';
  if (VILLAGE_CODE.test(code)) return 'village';
  return null;
}

/** County, township and village codes from a 12-digit village code, widest first. */
export function areaChainOf(villageCode: string): string[] {
  if (!VILLAGE_CODE.test(villageCode)) throw new Error(`不是12位村级行政区划代码: ${villageCode}`);
  return [villageCode.slice(0, 6), villageCode.slice(0, 9), villageCode];
}

export function parentCodeOf(code: string): string | null {
  const level = areaLevelOf(code);
  if (level === 'village') return code.slice(0, 9);
  if (level === 'township') return code.slice(0, 6);
  return null;
}

/**
 * Terminal ids follow the 23-digit emergency-broadcast resource code:
 * level (1) + division code (12) + resource type (2) + subtype (2) + sequence (4) + extension (2).
 * We use level 6 (village), type 03 (terminal), subtype 01 (loudspeaker terminal), extension 00.
 */
export const TERMINAL_ID = /^\d{23}$/;

export function makeTerminalId(villageCode: string, sequence: number): string {
  if (!VILLAGE_CODE.test(villageCode)) throw new Error(`不是12位村级行政区划代码: ${villageCode}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 9999) throw new Error('终端序号须为 1-9999');
  return `6${villageCode}0301${String(sequence).padStart(4, '0')}00`;
}

/** The 12-digit division code embedded in a terminal id. */
export function divisionOfTerminalId(terminalId: string): string {
  if (!TERMINAL_ID.test(terminalId)) throw new Error(`终端编号须为23位数字: ${terminalId}`);
  return terminalId.slice(1, 13);
}
