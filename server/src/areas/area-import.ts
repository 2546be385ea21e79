import { type AreaLevel, areaLevelOf, parentCodeOf } from '@dlb/protocol';
import { z } from 'zod';
import { unprocessable } from '../errors.ts';

export interface AreaInput {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

const Name = z.string().trim().min(1).max(100);
const NestedSchema = z.object({
  county: z.object({ code: z.string(), name: Name }),
  townships: z.array(
    z.object({
      code: z.string(),
      name: Name,
      villages: z.array(z.object({ code: z.string(), name: Name })).default([]),
    }),
  ),
});
const FlatSchema = z.object({ areas: z.array(z.object({ code: z.string(), name: Name })).min(1) });

/**
 * Normalises a division code: 6/9/12-digit codes stay; a 12-digit code padded with zeros
 * (as in the NBS tables, e.g. 450323100000 for a township) becomes its 6- or 9-digit form.
 */
export function normaliseCode(raw: string): string | null {
  const code = raw.trim();
  if (/^\d{12}$/.test(code)) {
    if (code.endsWith('000000')) return code.slice(0, 6);
    if (code.endsWith('000')) return code.slice(0, 9);
    return code;
  }
  return areaLevelOf(code) ? code : null;
}

/** Parses the JSON forms: nested {county, townships[{villages}]} or flat {areas:[{code,name}]}. */
export function parseAreaJson(input: unknown): Array<{ code: string; name: string }> {
  const nested = NestedSchema.safeParse(input);
  if (nested.success) {
    const { county, townships } = nested.data;
    return [
      { code: county.code, name: county.name },
      ...townships.flatMap((t) => [
        { code: t.code, name: t.name },
        ...t.villages.map((v) => ({ code: v.code, name: v.name })),
      ]),
    ];
  }
  const flat = FlatSchema.safeParse(input);
  if (flat.success) return flat.data.areas;
  throw unprocessable(
    'bad_area_file',
    '行政区划文件格式不对：应为 {county, townships:[{code,name,villages}]} 或 {areas:[{code,name}]}',
  );
}

/** Parses CSV with a `code,name` header, or header-less rows of `code,name` / `code,parent,name` (NBS tables). */
export function parseAreaCsv(text: string): Array<{ code: string; name: string }> {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) throw unprocessable('bad_area_file', 'CSV 文件为空');
  const first = lines[0]!.split(',').map((c) => c.trim().toLowerCase());
  let codeCol = 0;
  let nameCol = 1;
  let rows = lines;
  if (first.includes('code')) {
    codeCol = first.indexOf('code');
    nameCol = first.indexOf('name');
    if (nameCol < 0) throw unprocessable('bad_area_file', 'CSV 表头缺少 name 列');
    rows = lines.slice(1);
  } else if (/^\d+$/.test(lines[0]!.split(',')[1]?.trim() ?? '')) {
    nameCol = 2; // code,parent,name,...
  }
  return rows.map((line, i) => {
    const cols = line.split(',');
    const code = cols[codeCol]?.trim() ?? '';
    const name = cols[nameCol]?.trim() ?? '';
    if (!code || !name)
      throw unprocessable('bad_area_file', `CSV 第 ${i + 1 + (rows === lines ? 0 : 1)} 行缺少代码或名称`);
    return { code, name };
  });
}

/**
 * Checks a whole import: codes valid, one county, every parent present (in the file or already known).
 * Returns the areas ordered parents-first so they insert cleanly.
 */
export function validateAreas(
  rows: Array<{ code: string; name: string }>,
  existing: ReadonlySet<string>,
): AreaInput[] {
  const problems: string[] = [];
  const byCode = new Map<string, AreaInput>();
  for (const row of rows) {
    const code = normaliseCode(row.code);
    const level = code ? areaLevelOf(code) : null;
    if (!code || !level) {
      problems.push(`代码 "${row.code}" 不是6/9/12位行政区划代码`);
      continue;
    }
    if (byCode.has(code)) problems.push(`代码 ${code} 重复`);
    byCode.set(code, { code, name: row.name.trim(), level, parentCode: parentCodeOf(code) });
  }
  const counties = new Set([...byCode.keys(), ...existing].map((c) => c.slice(0, 6)));
  if (counties.size > 1) problems.push(`一个中心只管一个县，文件中出现了多个县: ${[...counties].join(', ')}`);
  for (const a of byCode.values()) {
    if (a.parentCode && !byCode.has(a.parentCode) && !existing.has(a.parentCode)) {
      problems.push(`${a.code} ${a.name} 的上级 ${a.parentCode} 不存在`);
    }
  }
  if (problems.length > 0) {
    throw unprocessable(
      'bad_area_file',
      `行政区划导入失败：${problems.slice(0, 5).join('；')}${problems.length > 5 ? ` 等 ${problems.length} 处` : ''}`,
      problems,
    );
  }
  const rank: Record<AreaLevel, number> = { county: 0, township: 1, village: 2 };
  return [...byCode.values()].sort((a, b) => rank[a.level] - rank[b.level] || a.code.localeCompare(b.code));
}
