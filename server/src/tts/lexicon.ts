import { z } from 'zod';

/**
 * The county pronunciation lexicon: place names and polyphones the engines get wrong (大圩 is dà xū, not
 * dà wéi). Pure: storage and the HTTP API live elsewhere; this finds the terms in a sentence and renders them
 * for each engine — as an Azure SSML phoneme (SAPI Chinese phone set, "da 4 xu 1") or, for engines without
 * phoneme input (espeak-ng, Azure's dialect voices), as a respelling with homophones (大圩 → 大虚).
 */

// A syllable: an optional initial and a final (ü written v, or u: as typed), then the tone 1–5.
const SYLLABLE =
  /^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|un|uo|ve|vn|a|e|i|o|u|v)[1-5]$/;
const HAN = /^\p{Script=Han}+$/u;

/** Lower case, single spaces, ü and u: written v, as the SAPI phone set has it. */
export function canonicalPinyin(pinyin: string): string {
  return pinyin.trim().toLowerCase().replace(/ü|u:/g, 'v').replace(/\s+/g, ' ');
}

const syllablesOf = (pinyin: string): string[] => canonicalPinyin(pinyin).split(' ').filter(Boolean);

export const LexiconEntrySchema = z
  .object({
    term: z
      .string()
      .trim()
      .min(1, { message: '请填写词条' })
      .max(20, { message: '词条最多 20 个字' })
      .regex(/^[\p{L}\p{N}·]+$/u, { message: '词条只能包含文字和数字' }),
    pinyin: z
      .string()
      .trim()
      .min(1, { message: '请填写拼音' })
      .max(200)
      .transform(canonicalPinyin)
      .refine((p) => syllablesOf(p).every((s) => SYLLABLE.test(s)), {
        message: '拼音须为带数字声调的音节，用空格分开，例如 da4 xu1',
      }),
    respell: z
      .string()
      .trim()
      .min(1)
      .max(40, { message: '同音字写法最多 40 个字' })
      .regex(/^[\p{Script=Han}\p{L}]+$/u, { message: '同音字写法只能包含文字' })
      .optional(),
  })
  .refine((e) => !HAN.test(e.term) || syllablesOf(e.pinyin).length === [...e.term].length, {
    message: '拼音音节数须与词条字数相同',
    path: ['pinyin'],
  });

export type LexiconEntry = z.infer<typeof LexiconEntrySchema>;

export interface LexiconHit {
  /** UTF-16 offsets into the sentence, end exclusive. */
  start: number;
  end: number;
  entry: LexiconEntry;
}

/**
 * Where the lexicon's terms occur in `text`: longest terms first, each occurrence kept only if it overlaps none
 * already taken (so 大圩镇 wins over 大圩 where both are entries), returned in text order.
 */
export function findLexiconHits(text: string, entries: ReadonlyArray<LexiconEntry>): LexiconHit[] {
  const byLength = [...entries].sort((a, b) => [...b.term].length - [...a.term].length);
  const taken: LexiconHit[] = [];
  const free = (start: number, end: number) => taken.every((h) => end <= h.start || start >= h.end);
  for (const entry of byLength) {
    if (entry.term === '') continue;
    for (let at = text.indexOf(entry.term); at >= 0; at = text.indexOf(entry.term, at + 1)) {
      const end = at + entry.term.length;
      if (free(at, end)) taken.push({ start: at, end, entry });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** The pinyin as the SAPI Chinese phone set writes it: "da4 xu1" → "da 4 xu 1". */
export function toSapi(pinyin: string): string {
  return syllablesOf(pinyin)
    .map((s) => `${s.slice(0, -1)} ${s.slice(-1)}`)
    .join(' ');
}

export interface Respelled {
  text: string;
  notes: string[];
}

/**
 * For engines without phoneme input: each hit with a respelling is replaced by it; a hit without one is left
 * as written, with a note, since nothing can be derived from pinyin alone.
 */
export function respell(text: string, hits: ReadonlyArray<LexiconHit>): Respelled {
  let out = '';
  let from = 0;
  const missing = new Set<string>();
  for (const hit of hits) {
    out += text.slice(from, hit.start);
    if (hit.entry.respell) out += hit.entry.respell;
    else {
      out += text.slice(hit.start, hit.end);
      missing.add(hit.entry.term);
    }
    from = hit.end;
  }
  out += text.slice(from);
  const notes = [...missing].map(
    (term) => `读音词条“${term}”没有同音字写法，所选语音不支持拼音注音，按默认读音朗读`,
  );
  return { text: out, notes };
}
