import { RULES, type RuleOptions } from './rules.ts';

export { splitSentences } from './split.ts';

/** Which spoken language the text is read in: it decides how telephone digits are said (幺 or 一). */
export type NormaliseLanguage = 'cmn' | 'yue' | 'wuu';

export interface NormaliseOptions {
  language?: NormaliseLanguage;
}

/**
 * Full-width digits and signs as ASCII, so that one set of rules reads both "２０２５" and "2025". Only what the
 * rules read is folded: Chinese punctuation (，。！？；：) is left as it is, the sentence splitter needs it.
 */
function foldWidth(text: string): string {
  return text
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/(?<=\d)[．](?=\d)/g, '.')
    .replace(/(?<=\d)[：](?=\d)/g, ':')
    .replace(/(?<=\d)[，](?=\d{3}(?!\d))/g, ',')
    .replace(/[－−﹣]/g, '-')
    .replace(/[～〜]/g, '~')
    .replace(/／/g, '/')
    .replace(/％/g, '%')
    .replace(/°\s?C|℃/g, '℃');
}

/**
 * Turns written announcement text into the words an announcer would say: dates, clock times, money,
 * telephone and hotline numbers, percentages, temperatures, units and plain numbers become Chinese words;
 * everything else is left alone. Pure and deterministic: the same text always gives the same result.
 *
 *   2025年3月15日 → 二零二五年三月十五日   13:30 → 十三点三十分   12345 → 幺二三四五
 *   2.5亩 → 二点五亩   10% → 百分之十   -3℃ → 零下三摄氏度   3-5级 → 三到五级
 */
export function normaliseForSpeech(text: string, opts: NormaliseOptions = {}): string {
  const ruleOpts: RuleOptions = { yao: (opts.language ?? 'cmn') === 'cmn' };
  let out = foldWidth(text);
  for (const rule of RULES) {
    out = out.replace(rule.re, (...args: unknown[]) => {
      // replace() passes the match, the groups, then offset and the whole string (no named groups are used).
      const groups = args.slice(1, -2) as Array<string | undefined>;
      return rule.to(ruleOpts, ...groups);
    });
  }
  return out;
}
