import { describe, expect, it } from 'vitest';
import { describeGrants, grantProblems } from './grants.ts';

const AREAS = {
  '450323': { code: '450323', name: '灵川县', level: 'county' as const },
  '450323101': { code: '450323101', name: '大圩镇', level: 'township' as const },
  '450323101200': { code: '450323101200', name: '大圩村委会', level: 'village' as const },
};
const areas = { get: (code: string) => AREAS[code as keyof typeof AREAS] ?? null };

describe('grantProblems', () => {
  it('accepts county roles county-wide, township roles at a township, the emergency officer at either', () => {
    expect(
      grantProblems(
        [
          { role: 'county_admin', scopeCode: null },
          { role: 'township_operator', scopeCode: '450323101' },
          { role: 'emergency_officer', scopeCode: null },
          { role: 'emergency_officer', scopeCode: '450323101' },
        ],
        areas,
      ),
    ).toEqual([]);
  });

  it('names the role in each problem', () => {
    expect(grantProblems([{ role: 'auditor', scopeCode: '450323101' }], areas)).toEqual([
      '审计员只能在全县范围授予（scopeCode 须为 null）',
    ]);
    expect(grantProblems([{ role: 'township_reviewer', scopeCode: null }], areas)[0]).toMatch(
      /^乡镇审核员须指定/,
    );
    expect(grantProblems([{ role: 'township_operator', scopeCode: '450323999' }], areas)[0]).toBe(
      '乡镇编播员的范围 450323999 不存在',
    );
    expect(grantProblems([{ role: 'emergency_officer', scopeCode: '450323101200' }], areas)[0]).toBe(
      '应急值守员的范围须为乡镇，大圩村委会（450323101200）不是乡镇',
    );
    expect(grantProblems([{ role: 'township_operator', scopeCode: '450323' }], areas)[0]).toMatch(/不是乡镇/);
    expect(
      grantProblems(
        [
          { role: 'auditor', scopeCode: null },
          { role: 'auditor', scopeCode: null },
        ],
        areas,
      ),
    ).toEqual(['审计员（全县）重复授予']);
  });

  it('describes grants with Chinese names', () => {
    expect(describeGrants([{ role: 'township_operator', scopeCode: '450323101' }], areas)).toEqual([
      { role: 'township_operator', scopeCode: '450323101', label: '乡镇编播员', scopeName: '大圩镇' },
    ]);
  });
});
