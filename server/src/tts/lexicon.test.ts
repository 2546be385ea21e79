import { describe, expect, it } from 'vitest';
import {
  canonicalPinyin,
  findLexiconHits,
  type LexiconEntry,
  LexiconEntrySchema,
  respell,
  toSapi,
} from './lexicon.ts';

const entry = (term: string, pinyin: string, respelling?: string): LexiconEntry =>
  LexiconEntrySchema.parse({ term, pinyin, ...(respelling && { respell: respelling }) });

const DAXU = entry('大圩', 'da4 xu1', '大虚');
const DAXU_TOWN = entry('大圩镇', 'da4 xu1 zhen4', '大虚镇');
const LUJIA = entry('六甲', 'lu4 jia3');
const GONGCHENG = entry('恭城', 'gong1 cheng2', '工城');

describe('LexiconEntrySchema', () => {
  it('accepts tone-numbered pinyin and writes it in one canonical form', () => {
    expect(DAXU).toEqual({ term: '大圩', pinyin: 'da4 xu1', respell: '大虚' });
    expect(entry('绿化', ' LÜ4   hua4 ').pinyin).toBe('lv4 hua4');
    expect(canonicalPinyin('nu:3')).toBe('nv3');
  });

  it.each([
    [{ term: '', pinyin: 'da4' }, '请填写词条'],
    [{ term: '大圩', pinyin: 'da xu' }, '拼音须为带数字声调的音节'],
    [{ term: '大圩', pinyin: 'dà xū' }, '拼音须为带数字声调的音节'],
    [{ term: '大圩', pinyin: 'da4 xu1 zhen4' }, '拼音音节数须与词条字数相同'],
    [{ term: '大圩', pinyin: 'da4 qqq1' }, '拼音须为带数字声调的音节'],
    [{ term: '大<圩>', pinyin: 'da4 xu1' }, '词条只能包含文字和数字'],
    [{ term: '大圩', pinyin: 'da4 xu1', respell: '<b>' }, '同音字写法只能包含文字'],
  ])('refuses %j with a Chinese message', (input, message) => {
    const r = LexiconEntrySchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join(' ')).toContain(message);
  });
});

describe('findLexiconHits', () => {
  it('finds every occurrence, longest term first, without overlaps, in text order', () => {
    const text = '大圩镇政府通知：大圩村、六甲村村民注意。';
    const hits = findLexiconHits(text, [DAXU, LUJIA, DAXU_TOWN]);
    expect(hits.map((h) => [text.slice(h.start, h.end), h.entry.term])).toEqual([
      ['大圩镇', '大圩镇'],
      ['大圩', '大圩'],
      ['六甲', '六甲'],
    ]);
  });

  it('finds nothing in text without the terms, and nothing with an empty lexicon', () => {
    expect(findLexiconHits('请群众注意防范。', [DAXU])).toEqual([]);
    expect(findLexiconHits('大圩镇', [])).toEqual([]);
  });
});

describe('rendering', () => {
  it('writes SAPI phones with the tone as its own symbol', () => {
    expect(toSapi('da4 xu1')).toBe('da 4 xu 1');
    expect(toSapi('lv4 hua4')).toBe('lv 4 hua 4');
  });

  it('respells hits that have a respelling, and notes those that have none', () => {
    const text = '恭城、大圩和六甲';
    const r = respell(text, findLexiconHits(text, [DAXU, LUJIA, GONGCHENG]));
    expect(r.text).toBe('工城、大虚和六甲');
    expect(r.notes).toEqual(['读音词条“六甲”没有同音字写法，所选语音不支持拼音注音，按默认读音朗读']);
  });
});
