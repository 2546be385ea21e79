import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { checkOptions, cleanText, DEFAULT_RATE, MAX_SPEECH_CHARS } from './speech-text.ts';
import { readWav } from './wav-info.ts';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
  throw new Error('did not throw');
};

describe('cleanText', () => {
  it('passes ordinary Chinese text through unchanged, with no notes', () => {
    expect(cleanText('请群众注意防范。')).toEqual({ text: '请群众注意防范。', notes: [] });
  });

  it('refuses empty and whitespace-only text', () => {
    for (const t of ['', '   ', '\n\t ', '\u3000\u3000', undefined, 42])
      expect(codeOf(() => cleanText(t))).toBe('tts_empty_text');
  });

  it('refuses more than 5,000 characters, counting characters rather than UTF-16 units', () => {
    expect(cleanText('预'.repeat(MAX_SPEECH_CHARS)).text).toHaveLength(MAX_SPEECH_CHARS);
    expect(codeOf(() => cleanText('预'.repeat(MAX_SPEECH_CHARS + 1)))).toBe('tts_text_too_long');
    // 5,000 characters outside the BMP are 10,000 UTF-16 units but still 5,000 characters.
    expect(() => cleanText('𠀀'.repeat(MAX_SPEECH_CHARS))).not.toThrow();
  });

  it('strips emoji and control characters with a note, keeping line breaks as pauses', () => {
    const r = cleanText('注意😀👍🏽防范\u0007\u200b！\n明天\r\n停电');
    expect(r.text).toBe('注意防范！ 明天 停电');
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toContain('😀');
    expect(r.notes[0]).not.toContain('\u0007');
  });

  it('refuses text with nothing speakable', () => {
    for (const t of ['😀😀', '。。！！', '——……', '\u0007\u0008', '★☆'])
      expect(codeOf(() => cleanText(t))).toBe('tts_unspeakable');
  });

  it('spells out percent and degrees Celsius the Chinese way', () => {
    expect(cleanText('湿度95%，气温38℃').text).toBe('湿度百分之95，气温38摄氏度');
  });
});

describe('checkOptions', () => {
  it('defaults the rate and pitch', () => {
    expect(checkOptions({ text: 'x', voice: 'yue' })).toEqual({
      voice: 'yue',
      rate: DEFAULT_RATE,
      pitch: 50,
    });
  });

  it('refuses unknown voices, and rates and pitches out of range', () => {
    for (const voice of ['en', 'zh', '', 'cmn ', undefined])
      expect(codeOf(() => checkOptions({ text: 'x', voice: voice as 'cmn' }))).toBe('tts_unknown_voice');
    for (const rate of [79, 451, 150.5, Number.NaN])
      expect(codeOf(() => checkOptions({ text: 'x', voice: 'cmn', rate }))).toBe('tts_bad_rate');
    for (const pitch of [-1, 100, 1.5])
      expect(codeOf(() => checkOptions({ text: 'x', voice: 'cmn', pitch }))).toBe('tts_bad_pitch');
  });
});

describe('readWav', () => {
  const wav = (samples: number[], sampleRate = 22050) => {
    const b = Buffer.alloc(44 + samples.length * 2);
    b.write('RIFF', 0, 'ascii');
    b.writeUInt32LE(36 + samples.length * 2, 4);
    b.write('WAVEfmt ', 8, 'ascii');
    b.writeUInt32LE(16, 16);
    b.writeUInt16LE(1, 20);
    b.writeUInt16LE(1, 22);
    b.writeUInt32LE(sampleRate, 24);
    b.writeUInt32LE(sampleRate * 2, 28);
    b.writeUInt16LE(2, 32);
    b.writeUInt16LE(16, 34);
    b.write('data', 36, 'ascii');
    b.writeUInt32LE(samples.length * 2, 40);
    for (const [i, s] of samples.entries()) b.writeInt16LE(s, 44 + i * 2);
    return b;
  };

  it('reads the length and peak of 16-bit PCM', () => {
    const info = readWav(wav([0, 16384, -32768, ...new Array(2202).fill(0)]));
    expect(info).toMatchObject({ sampleRate: 22050, channels: 1, durationMs: 100, peak: 1 });
  });

  it('reads the same from a buffer at an odd offset', () => {
    const src = wav([0, -20000, 100, 0]);
    const odd = new Uint8Array(src.length + 1);
    odd.set(src, 1);
    expect(readWav(odd.subarray(1))).toMatchObject({ durationMs: 0, peak: 20000 / 32768 });
  });

  it('throws on anything else', () => {
    expect(() => readWav(Buffer.from('not a wav file at all'))).toThrow();
  });
});
