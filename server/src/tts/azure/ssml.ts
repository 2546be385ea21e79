import { respell, toSapi } from '../lexicon.ts';
import type { ProviderRequest, ProviderSentence } from '../provider.ts';

/**
 * The SSML document for one Azure request: the voice, a prosody element for rate and pitch (relative, in
 * percent), a <break> between sentences, and the lexicon's terms as SAPI phonemes
 * (<phoneme alphabet="sapi" ph="da 4 xu 1">大圩</phoneme>) where the voice supports them, otherwise as their
 * respelling. Everything from the text is escaped; characters XML 1.0 cannot carry are dropped.
 */

/** Azure accepts breaks up to 5 s in one element (longer ones are split). */
const MAX_BREAK_MS = 5000;

// Not allowed in XML 1.0 documents: control characters other than tab, newline and return (C1 ones dropped
// too: never wanted in speech), lone surrogates, U+FFFE and U+FFFF.
const XML_INVALID = /(?![\t\n\r])\p{Cc}|\p{Cs}|[\uFFFE\uFFFF]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${Math.round(n)}%`;

function breakTag(ms: number): string {
  let out = '';
  for (let left = Math.round(ms); left > 0; left -= MAX_BREAK_MS) {
    out += `<break time="${Math.min(left, MAX_BREAK_MS)}ms"/>`;
  }
  return out;
}

function sentenceXml(s: ProviderSentence, phonemes: boolean, notes: Set<string>): string {
  if (!phonemes) {
    const r = respell(s.text, s.hits);
    for (const n of r.notes) notes.add(n);
    return escapeXml(r.text);
  }
  let out = '';
  let from = 0;
  for (const hit of s.hits) {
    out += escapeXml(s.text.slice(from, hit.start));
    const ph = escapeXml(toSapi(hit.entry.pinyin));
    out += `<phoneme alphabet="sapi" ph="${ph}">${escapeXml(s.text.slice(hit.start, hit.end))}</phoneme>`;
    from = hit.end;
  }
  return out + escapeXml(s.text.slice(from));
}

export interface BuiltSsml {
  ssml: string;
  notes: string[];
}

export function buildSsml(req: ProviderRequest): BuiltSsml {
  const notes = new Set<string>();
  const body = req.sentences
    .map((s) => sentenceXml(s, req.voice.phonemes, notes))
    .join(req.pauseMs > 0 ? breakTag(req.pauseMs) : '');
  const attrs = [
    ...(req.rate !== 0 ? [`rate="${signed(req.rate)}"`] : []),
    ...(req.pitch !== 0 ? [`pitch="${signed(req.pitch)}"`] : []),
  ];
  const inner = attrs.length > 0 ? `<prosody ${attrs.join(' ')}>${body}</prosody>` : body;
  const ssml =
    `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${escapeXml(req.voice.ssmlLang)}">` +
    `<voice name="${escapeXml(req.voice.engineVoice)}">${inner}</voice></speak>`;
  return { ssml, notes: [...notes] };
}
