import { describe, expect, it } from 'vitest';
import { findLexiconHits, type LexiconEntry, LexiconEntrySchema } from '../lexicon.ts';
import type { ProviderRequest } from '../provider.ts';
import { findVoice, type VoiceInfo } from '../voices.ts';
import { buildSsml, escapeXml } from './ssml.ts';

const LEXICON: LexiconEntry[] = [
  LexiconEntrySchema.parse({ term: '大圩', pinyin: 'da4 xu1', respell: '大虚' }),
  LexiconEntrySchema.parse({ term: '六甲', pinyin: 'lu4 jia3' }),
];
const voice = (id: string): VoiceInfo => findVoice(id)!;

function request(v: VoiceInfo, texts: string[], extra: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    voice: v,
    sentences: texts.map((text) => ({ text, hits: findLexiconHits(text, LEXICON) })),
    rate: 0,
    pitch: 0,
    pauseMs: 0,
    ...extra,
  };
}

const HEAD = '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN">';

describe('buildSsml', () => {
  it('names the voice and carries plain text', () => {
    const r = buildSsml(request(voice('azure:zh-CN-XiaoxiaoNeural'), ['请群众注意防范。']));
    expect(r.ssml).toBe(`${HEAD}<voice name="zh-CN-XiaoxiaoNeural">请群众注意防范。</voice></speak>`);
    expect(r.notes).toEqual([]);
  });

  it('sets relative rate and pitch on a prosody element, and breaks between sentences', () => {
    const r = buildSsml(
      request(voice('azure:zh-CN-YunyangNeural'), ['第一句。', '第二句。', '第三句。'], {
        rate: -10,
        pitch: 5,
        pauseMs: 600,
      }),
    );
    expect(r.ssml).toBe(
      `${HEAD}<voice name="zh-CN-YunyangNeural"><prosody rate="-10%" pitch="+5%">` +
        '第一句。<break time="600ms"/>第二句。<break time="600ms"/>第三句。</prosody></voice></speak>',
    );
  });

  it('splits a pause longer than 5 s into several breaks', () => {
    const r = buildSsml(request(voice('azure:zh-CN-YunxiNeural'), ['一。', '二。'], { pauseMs: 7000 }));
    expect(r.ssml).toContain('一。<break time="5000ms"/><break time="2000ms"/>二。');
  });

  it('writes lexicon terms as SAPI phonemes for Mandarin voices', () => {
    const r = buildSsml(request(voice('azure:zh-CN-XiaoxiaoNeural'), ['大圩镇和六甲村。']));
    expect(r.ssml).toContain(
      '<phoneme alphabet="sapi" ph="da 4 xu 1">大圩</phoneme>镇和<phoneme alphabet="sapi" ph="lu 4 jia 3">六甲</phoneme>村。',
    );
    expect(r.notes).toEqual([]);
  });

  it('respells for dialect voices, which take no phonemes, and notes terms without a respelling', () => {
    const r = buildSsml(request(voice('azure:zh-CN-guangxi-YunqiNeural'), ['大圩镇和六甲村。']));
    expect(r.ssml).toBe(`${HEAD}<voice name="zh-CN-guangxi-YunqiNeural">大虚镇和六甲村。</voice></speak>`);
    expect(r.ssml).not.toContain('phoneme');
    expect(r.notes).toEqual([expect.stringContaining('六甲')]);
  });

  it('uses the right document language for Cantonese and Wu voices', () => {
    expect(buildSsml(request(voice('azure:zh-HK-HiuMaanNeural'), ['你好。'])).ssml).toContain(
      'xml:lang="zh-HK"',
    );
    expect(buildSsml(request(voice('azure:yue-CN-XiaoMinNeural'), ['你好。'])).ssml).toContain(
      'xml:lang="yue-CN"',
    );
    expect(buildSsml(request(voice('azure:wuu-CN-XiaotongNeural'), ['侬好。'])).ssml).toContain(
      'xml:lang="wuu-CN"',
    );
  });

  it('escapes markup in the text, so text cannot inject SSML', () => {
    const r = buildSsml(
      request(voice('azure:zh-CN-XiaoxiaoNeural'), ['A&B <break time="9s"/> "引号" \'单\' 大圩>']),
    );
    expect(r.ssml).toContain(
      'A&amp;B &lt;break time=&quot;9s&quot;/&gt; &quot;引号&quot; &apos;单&apos; <phoneme alphabet="sapi" ph="da 4 xu 1">大圩</phoneme>&gt;',
    );
    expect(r.ssml.match(/<break/g)).toBeNull();
  });

  it('drops characters XML cannot carry', () => {
    expect(escapeXml('a\u0001b\uFFFEc\uD800d😀')).toBe('abcd😀');
  });
});
