import { describe, expect, it } from 'vitest';
import { espeakPitch, espeakRate } from './espeak-provider.ts';
import { SPEECH_VOICES } from './speech-text.ts';
import { DEFAULT_VOICE_ID, findVoice, VOICES } from './voices.ts';

describe('voice catalogue', () => {
  it('has unique ids of the form engine:voice, and a usable default', () => {
    expect(new Set(VOICES.map((v) => v.id)).size).toBe(VOICES.length);
    for (const v of VOICES)
      expect(v.id).toBe(`${v.provider === 'azure' ? 'azure' : 'espeak'}:${v.engineVoice}`);
    expect(findVoice(DEFAULT_VOICE_ID)?.provider).toBe('espeak-ng');
    expect(findVoice('nope')).toBeUndefined();
    expect(findVoice(42)).toBeUndefined();
  });

  it('offers the offline voices the engine speaks', () => {
    const offline = VOICES.filter((v) => v.provider === 'espeak-ng').map((v) => v.engineVoice);
    expect(offline.sort()).toEqual([...SPEECH_VOICES].sort());
  });

  it('covers Mandarin, the dialect-accented voices, Cantonese and Wu', () => {
    for (const id of [
      'azure:zh-CN-XiaoxiaoNeural',
      'azure:zh-CN-guangxi-YunqiNeural',
      'azure:zh-CN-sichuan-YunxiNeural',
      'azure:zh-CN-henan-YundengNeural',
      'azure:zh-CN-shaanxi-XiaoniNeural',
      'azure:zh-CN-liaoning-XiaobeiNeural',
      'azure:zh-HK-HiuMaanNeural',
      'azure:yue-CN-XiaoMinNeural',
      'azure:wuu-CN-XiaotongNeural',
    ])
      expect(findVoice(id), id).toBeDefined();
    expect(findVoice('azure:zh-CN-guangxi-YunqiNeural')).toMatchObject({
      language: '桂柳话（广西口音普通话）',
      locale: 'zh-CN-guangxi',
      ssmlLang: 'zh-CN',
    });
  });

  it('falls back within the language, and uses phonemes only where Azure supports pinyin ones', () => {
    for (const v of VOICES.filter((x) => x.provider === 'azure')) {
      expect(v.fallback).toBe(v.family === 'yue' ? 'espeak:yue' : 'espeak:cmn');
      expect(v.phonemes).toBe(v.locale === 'zh-CN');
    }
  });
});

describe('espeak settings from the provider scale', () => {
  it('maps relative rate and pitch onto espeak, within its limits', () => {
    expect(espeakRate(0)).toBe(150);
    expect(espeakRate(20)).toBe(180);
    expect(espeakRate(-50)).toBe(80);
    expect(espeakRate(100)).toBe(300);
    expect(espeakPitch(0)).toBe(50);
    expect(espeakPitch(-50)).toBe(0);
    expect(espeakPitch(50)).toBe(99);
  });
});
