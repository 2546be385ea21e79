import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { normaliseCode, parseAreaCsv, parseAreaJson, validateAreas } from './area-import.ts';

describe('division codes and area files', () => {
  it('normalises NBS 12-digit padded codes to their level', () => {
    expect(normaliseCode('450323000000')).toBe('450323');
    expect(normaliseCode('450323101000')).toBe('450323101');
    expect(normaliseCode('450323101200')).toBe('450323101200');
    expect(normaliseCode(' 450323104 ')).toBe('450323104');
    expect(normaliseCode('4503231')).toBeNull();
    expect(normaliseCode('45032310120x')).toBeNull();
  });

  it('reads nested and flat JSON', () => {
    const nested = parseAreaJson({
      county: { code: '450323', name: '灵川县' },
      townships: [
        { code: '450323101', name: '大圩镇', villages: [{ code: '450323101200', name: '大圩村委会' }] },
      ],
    });
    expect(nested.map((a) => a.code)).toEqual(['450323', '450323101', '450323101200']);
    expect(parseAreaJson({ areas: [{ code: '450323', name: '灵川县' }] })).toHaveLength(1);
    expect(() => parseAreaJson({ townships: 'x' })).toThrow(AppError);
  });

  it('reads CSV with a header, and the header-less NBS code,parent,name layout', () => {
    expect(parseAreaCsv('\uFEFFname,code\n灵川县,450323\n')).toEqual([{ code: '450323', name: '灵川县' }]);
    const nbs = parseAreaCsv(
      '450323000000,450300000000,灵川县,county\n450323101000,450323000000,大圩镇,town\n',
    );
    expect(nbs).toEqual([
      { code: '450323000000', name: '灵川县' },
      { code: '450323101000', name: '大圩镇' },
    ]);
    expect(() => parseAreaCsv('code,name\n450323,\n')).toThrow(/缺少/);
    expect(() => parseAreaCsv('\n\n')).toThrow(/为空/);
  });

  it('orders parents first and derives levels', () => {
    const out = validateAreas(
      [
        { code: '450323101200', name: '大圩村委会' },
        { code: '450323101000', name: '大圩镇' },
        { code: '450323', name: '灵川县' },
      ],
      new Set(),
    );
    expect(out.map((a) => [a.code, a.level, a.parentCode])).toEqual([
      ['450323', 'county', null],
      ['450323101', 'township', '450323'],
      ['450323101200', 'village', '450323101'],
    ]);
  });

  it('names every problem: orphan, bad code, duplicate, second county', () => {
    const attempt = () =>
      validateAreas(
        [
          { code: '450323', name: '灵川县' },
          { code: '450324101', name: '别县的镇' },
          { code: '450323999200', name: '孤儿村' },
          { code: '12345', name: '坏代码' },
          { code: '450323', name: '重复' },
        ],
        new Set(),
      );
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (e) {
      const problems = (e as AppError).details as string[];
      expect(problems.join('\n')).toMatch(/12345/);
      expect(problems.join('\n')).toMatch(/450323 重复/);
      expect(problems.join('\n')).toMatch(/多个县/);
      expect(problems.join('\n')).toMatch(/450323999200 孤儿村 的上级 450323999 不存在/);
    }
  });

  it('accepts a village whose township already exists', () => {
    expect(
      validateAreas([{ code: '450323101777', name: '新村' }], new Set(['450323', '450323101'])),
    ).toHaveLength(1);
  });
});
