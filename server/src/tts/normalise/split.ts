/**
 * Splits text for listening into sentences that are synthesised one piece at a time. Sentences end at 。！？；
 * (and ! ? ; …) and at line breaks; a closing quote or bracket stays with its sentence. A sentence longer than
 * `maxChars` is cut at the last comma-like pause before the limit, and only when there is none, at the limit,
 * but never inside a number (digits or the Chinese numerals the normaliser wrote).
 */

/** Default longest piece, in characters (code points). */
export const MAX_SENTENCE_CHARS = 200;

const TERMINATORS = new Set(['。', '！', '？', '；', '!', '?', ';', '…']);
const CLOSERS = new Set(['”', '’', '」', '』', '）', ')', '】', '》', '"', "'", '…']);
const SOFT_BREAKS = new Set(['，', '、', '：', ',', ':', '—']);
/** Characters a number is written with, before or after normalisation; no cut falls between two of them. */
const NUMERAL = /[\d.,零〇一二三四五六七八九十百千万亿两幺点]/;
const SPEAKABLE = /[\p{L}\p{N}]/u;

export function splitSentences(text: string, maxChars = MAX_SENTENCE_CHARS): string[] {
  const out: string[] = [];
  for (const line of text.split(/[\r\n\u2028\u2029]+/)) {
    for (const sentence of splitLine([...line])) {
      for (const piece of cutLong(sentence, maxChars)) {
        const trimmed = piece.join('').trim();
        if (SPEAKABLE.test(trimmed)) out.push(trimmed);
      }
    }
  }
  return out;
}

function splitLine(chars: string[]): string[][] {
  const sentences: string[][] = [];
  let current: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    current.push(c);
    if (!TERMINATORS.has(c)) continue;
    // Keep runs of terminators and closing marks with the sentence: 。」  ！！  ……
    while (i + 1 < chars.length && (TERMINATORS.has(chars[i + 1]!) || CLOSERS.has(chars[i + 1]!))) {
      current.push(chars[++i]!);
    }
    sentences.push(current);
    current = [];
  }
  if (current.length > 0) sentences.push(current);
  return sentences;
}

/** A numeral, or a space between two (幺三八 零零幺三: a telephone number read in groups). */
function numeralAt(chars: string[], i: number): boolean {
  const c = chars[i];
  if (c === undefined) return false;
  if (c === ' ') return NUMERAL.test(chars[i - 1] ?? '') && NUMERAL.test(chars[i + 1] ?? '');
  return NUMERAL.test(c);
}

const insideNumber = (chars: string[], at: number): boolean =>
  at > 0 && at < chars.length && numeralAt(chars, at - 1) && numeralAt(chars, at);

function cutLong(chars: string[], maxChars: number): string[][] {
  const pieces: string[][] = [];
  let rest = chars;
  while (rest.length > maxChars) {
    let cut = -1;
    // The last soft pause in the second half of the window: cut just after it.
    for (let i = maxChars - 1; i >= Math.floor(maxChars / 2); i--) {
      const c = rest[i]!;
      if ((SOFT_BREAKS.has(c) || c === ' ') && !insideNumber(rest, i) && !insideNumber(rest, i + 1)) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      cut = maxChars;
      while (cut > 1 && insideNumber(rest, cut)) cut--;
      // A number longer than the whole window (it cannot happen with normalised text) is cut at the limit.
      if (cut <= 1) cut = maxChars;
    }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}
