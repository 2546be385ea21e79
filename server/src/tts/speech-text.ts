import { AppError, badRequest } from '../errors.ts';

/** The voices the offline engine speaks: Mandarin (普通话) and Cantonese (粤语). */
export const SPEECH_VOICES = ['cmn', 'yue'] as const;
export type SpeechVoice = (typeof SPEECH_VOICES)[number];

export interface SpeechRequest {
  text: string;
  voice: SpeechVoice;
  /** Words per minute as espeak counts them, 80..450. For Chinese, 150 is about 2.9 characters a second. */
  rate?: number;
  /** espeak pitch, 0..99 (50 is the voice's own). */
  pitch?: number;
}

/** Per call, counted in characters (code points); callers split longer text at sentence ends. */
export const MAX_SPEECH_CHARS = 5000;
/** A clear, unhurried announcer pace for horn speakers (espeak's own default, 175, is brisk). */
export const DEFAULT_RATE = 150;
export const RATE_RANGE = { min: 80, max: 450 } as const;
export const PITCH_RANGE = { min: 0, max: 99 } as const;
export const DEFAULT_PITCH = 50;

export const ttsErrors = {
  emptyText: () => badRequest('tts_empty_text', '请输入要播报的文字'),
  tooLong: (chars: number) =>
    badRequest('tts_text_too_long', `文字过长（${chars} 字），每次最多 ${MAX_SPEECH_CHARS} 字，请分段合成`, {
      chars,
      max: MAX_SPEECH_CHARS,
    }),
  unspeakable: () => badRequest('tts_unspeakable', '文字中没有可以朗读的内容'),
  unknownVoice: (voice: unknown) =>
    badRequest(
      'tts_unknown_voice',
      `不支持的语音：${String(voice).slice(0, 40)}（可选 普通话 cmn、粤语 yue）`,
    ),
  badRate: () =>
    badRequest('tts_bad_rate', `语速须为 ${RATE_RANGE.min}–${RATE_RANGE.max} 之间的整数（每分钟字词数）`),
  badPitch: () => badRequest('tts_bad_pitch', `音调须为 ${PITCH_RANGE.min}–${PITCH_RANGE.max} 之间的整数`),
  timeout: (ms: number) =>
    new AppError(503, 'tts_timeout', `语音合成超时（${Math.round(ms / 1000)} 秒），请稍后重试`),
  aborted: () => new AppError(503, 'tts_aborted', '语音合成已取消'),
  engineFailed: (reason: string) =>
    new AppError(503, 'tts_engine_failed', '离线语音合成引擎出错，请稍后重试', {
      reason: reason.slice(0, 200),
    }),
  closed: () => new AppError(503, 'tts_engine_closed', '离线语音合成引擎已关闭'),
};

export interface CleanedText {
  text: string;
  /** What was changed, for the operator (Chinese). Empty when the text went through as it was. */
  notes: string[];
}

// Nothing a voice can say: control and format characters (zero-width joiners, bidi marks), private-use and
// unassigned code points, lone surrogates, emoji and their modifiers, variation selectors. Line breaks and tabs
// are kept (cleanText turns them into spaces first; the sentence splitter ends sentences at line breaks).
const UNSPEAKABLE_KEEPING_LINES =
  /(?![\t\n\r\u2028\u2029])(?:[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Extended_Pictographic}\p{Emoji_Modifier}]|\p{Variation_Selector}|\u20E3)/gu;
/** Line breaks and tabs are pauses, not rubbish: they become spaces before the strip. */
const SPACING = /[\t\n\v\f\r\u2028\u2029]+/g;
/** Something a voice can pronounce: a letter (汉字 included) or a digit. */
const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * Symbols common in weather and emergency notices that espeak's Chinese voices skip or read in English:
 * "50%" would be "五十 percent", "38℃" just "三十八".
 */
const SYMBOLS: ReadonlyArray<[RegExp, string]> = [
  [/(\d+(?:\.\d+)?)\s*[%％]/g, '百分之$1'],
  [/\s*℃/g, '摄氏度'],
];

const isVoice = (v: unknown): v is SpeechVoice => SPEECH_VOICES.includes(v as SpeechVoice);

/** Checks a request's options; throws the AppError the caller should see. Text is checked by `cleanText`. */
export function checkOptions(req: SpeechRequest): { voice: SpeechVoice; rate: number; pitch: number } {
  if (!isVoice(req.voice)) throw ttsErrors.unknownVoice(req.voice);
  const rate = req.rate ?? DEFAULT_RATE;
  if (!Number.isInteger(rate) || rate < RATE_RANGE.min || rate > RATE_RANGE.max) throw ttsErrors.badRate();
  const pitch = req.pitch ?? DEFAULT_PITCH;
  if (!Number.isInteger(pitch) || pitch < PITCH_RANGE.min || pitch > PITCH_RANGE.max)
    throw ttsErrors.badPitch();
  return { voice: req.voice, rate, pitch };
}

/**
 * Validates and cleans the text for espeak. Refuses empty text, more than MAX_SPEECH_CHARS characters (as
 * given, before cleaning) and text with nothing speakable; strips what cannot be spoken, with a note.
 */
export function cleanText(input: unknown): CleanedText {
  if (typeof input !== 'string' || input.trim() === '') throw ttsErrors.emptyText();
  const chars = [...input].length;
  if (chars > MAX_SPEECH_CHARS) throw ttsErrors.tooLong(chars);
  const { text: stripped, notes } = stripUnspeakable(input.replace(SPACING, ' '));
  let text = stripped;
  for (const [re, replacement] of SYMBOLS) text = text.replace(re, replacement);
  text = text.replace(/ {2,}/g, ' ').trim();
  if (!SPEAKABLE.test(text)) throw ttsErrors.unspeakable();
  return { text, notes };
}

/**
 * NFC, and without what no voice can say (control and format characters, private-use and unassigned code
 * points, emoji); says what was removed in a note. Line breaks are kept.
 */
export function stripUnspeakable(input: string): CleanedText {
  const notes: string[] = [];
  const nfc = input.normalize('NFC');
  const removed = nfc.match(UNSPEAKABLE_KEEPING_LINES) ?? [];
  const text = nfc.replace(UNSPEAKABLE_KEEPING_LINES, '');
  if (removed.length > 0) {
    const shown = [...new Set(removed)]
      .filter((c) => !/[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u.test(c))
      .slice(0, 10)
      .join('');
    notes.push(`已去掉 ${removed.length} 个无法朗读的字符${shown ? `（${shown}）` : '（控制字符）'}`);
  }
  return { text, notes };
}

/** True when the text has something a voice can pronounce (a letter, 汉字 included, or a digit). */
export const hasSpeakable = (text: string): boolean => SPEAKABLE.test(text);
