import { AREA_CODE } from '@dlb/protocol';
import { AppError, unprocessable } from '../../errors.ts';
import type { AlertArea } from '../alert-model.ts';
import type { CapArea } from './cap-schema.ts';
import type { CapImportContext } from './cap-to-alert.ts';
import { pointInCircle, pointInPolygon } from './geo.ts';

/**
 * Where a CAP message sounds in our county: division codes from geocodes we recognise, plus the terminals
 * standing inside its polygons and circles. Anything outside the source's allowance refuses the whole
 * message: a partial broadcast of a message its author did not scope for us would mislead.
 */

/** geocode valueNames read as GB/T 2260 division codes; compared upper-case with spaces removed. */
export const DIVISION_GEOCODE_NAMES = ['GB/T2260', 'GB2260', 'ADCODE', '行政区划代码', 'DIVISION'] as const;
const NAMES = new Set<string>(DIVISION_GEOCODE_NAMES);

export function isDivisionGeocode(valueName: string): boolean {
  return NAMES.has(valueName.replace(/\s+/g, '').toUpperCase());
}

/**
 * 6/9/12-digit codes as they are; the 12-digit statistical form pads with zeros ("450323000000" is the
 * county, "450323101000" the township), so trailing zero groups are folded to the shorter code.
 */
export function normaliseDivisionCode(raw: string): string | null {
  let code = raw.trim();
  if (!AREA_CODE.test(code)) return null;
  if (code.length === 12 && code.endsWith('000')) code = code.slice(0, 9);
  if (code.length === 9 && code.endsWith('000')) code = code.slice(0, 6);
  return code;
}

export function isAllowed(code: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => code.startsWith(a));
}

export function mapArea(areas: readonly CapArea[], ctx: CapImportContext, notes: string[]): AlertArea {
  const codes = new Set<string>();
  const terminalIds = new Set<string>();
  const ignored = new Set<string>();
  const notAllowed: string[] = [];
  let shapes = 0;
  for (const area of areas) {
    for (const g of area.geocode) {
      if (!isDivisionGeocode(g.valueName)) {
        ignored.add(g.valueName);
        continue;
      }
      const code = normaliseDivisionCode(g.value);
      if (code === null) {
        throw unprocessable(
          'cap_unknown_area',
          `区域“${area.areaDesc}”的行政区划代码“${g.value}”格式不正确，须为 6、9 或 12 位数字`,
        );
      }
      if (!isAllowed(code, ctx.allowedAreaCodes)) {
        notAllowed.push(code);
        continue;
      }
      if (!ctx.knownAreaCodes(code)) {
        throw unprocessable(
          'cap_unknown_area',
          `区域“${area.areaDesc}”的行政区划代码 ${code} 不在本系统的区划中`,
        );
      }
      codes.add(code);
    }
    shapes += area.polygon.length + area.circle.length;
    for (const t of ctx.terminals) {
      const inside =
        area.polygon.some((ring) => pointInPolygon(t, ring)) || area.circle.some((c) => pointInCircle(t, c));
      if (!inside) continue;
      if (isAllowed(t.villageCode, ctx.allowedAreaCodes)) terminalIds.add(t.id);
      else notAllowed.push(`${t.villageCode}（终端 ${t.id}）`);
    }
  }
  if (notAllowed.length > 0) {
    throw new AppError(
      403,
      'cap_area_not_allowed',
      `该信息源无权向这些区域发布：${notAllowed.slice(0, 5).join('、')}${notAllowed.length > 5 ? ' 等' : ''}`,
      { areas: notAllowed },
    );
  }
  if (ignored.size > 0) notes.push(`忽略了不认识的 geocode 类型：${[...ignored].slice(0, 10).join('、')}`);
  if (codes.size === 0 && terminalIds.size === 0) {
    const why =
      shapes > 0
        ? '多边形/圆形区域内没有本县的终端'
        : '没有可识别的行政区划代码（geocode），也没有多边形或圆形区域';
    throw unprocessable('cap_no_area', `CAP 消息的区域不在本县：${why}`);
  }
  return { codes: [...codes], terminalIds: [...terminalIds], groups: [] };
}
