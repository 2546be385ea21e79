import { describe, expect, it } from 'vitest';
import { normaliseForSpeech } from './normalise.ts';
import { MAX_SENTENCE_CHARS, splitSentences } from './split.ts';

const len = (s: string) => [...s].length;

describe('splitSentences', () => {
  it('splits at 。！？； and line breaks, keeping closing quotes with their sentence', () => {
    expect(splitSentences('各位村民：\n明天停电。请做好准备！有问题吗？“请注意安全。”谢谢；再见')).toEqual([
      '各位村民：',
      '明天停电。',
      '请做好准备！',
      '有问题吗？',
      '“请注意安全。”',
      '谢谢；',
      '再见',
    ]);
  });

  it('keeps runs of marks together and drops pieces with nothing to say', () => {
    expect(splitSentences('注意！！！……\n\n   \n。。。\n快跑')).toEqual(['注意！！！……', '快跑']);
  });

  it('does not split at a decimal point', () => {
    expect(splitSentences('水位上涨2.5米。请转移。')).toEqual(['水位上涨2.5米。', '请转移。']);
  });

  it('cuts a long sentence at the last comma before the limit', () => {
    const clause = '请各村做好防汛准备';
    const long = Array.from({ length: 40 }, () => clause).join('，') + '。';
    const pieces = splitSentences(long);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(len(p)).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('，')).toBe(true);
    expect(pieces.join('')).toBe(long);
  });

  it('never cuts inside a number, before or after normalisation', () => {
    const raw = `${'预'.repeat(195)}12345678901234567890元`;
    for (const text of [raw, normaliseForSpeech(raw)]) {
      const pieces = splitSentences(text);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) expect(len(p)).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
      // The digits (or numeral words) all land in one piece.
      const numberPiece = pieces.find((p) => /[0-9幺零]/.test(p))!;
      expect(numberPiece).toMatch(/^(?:[0-9]{20}|[幺零一二三四五六七八九]{20})元$/);
    }
  });

  it('does not cut at the spaces inside a telephone number', () => {
    const text = `${'请'.repeat(185)}咨询电话幺三八 零零幺三 八零零零`;
    const pieces = splitSentences(text);
    expect(pieces.some((p) => p.includes('幺三八 零零幺三 八零零零'))).toBe(true);
  });

  it('cuts a text of 20,000 characters without a single mark into pieces of at most 200', () => {
    const pieces = splitSentences('通'.repeat(20_000));
    expect(pieces).toHaveLength(100);
    expect(pieces.every((p) => len(p) === 200)).toBe(true);
  });
});
