/**
 * The voice catalogue: every voice an operator can choose, with the engine that speaks it.
 *
 * Azure voice names were checked on the official list, MicrosoftDocs/azure-ai-docs
 * articles/ai-services/speech-service/includes/language-support/tts.md (ms.date 10/21/2025): locales zh-CN,
 * zh-CN-GUANGXI, zh-CN-henan, zh-CN-liaoning, zh-CN-shaanxi, zh-CN-shandong, zh-CN-sichuan, zh-HK, yue-CN,
 * wuu-CN. Its footnote 3 says phonemes and custom lexicons are not supported by the dialect voices, nor by
 * yue-CN and wuu-CN; the SAPI phone set exists for zh-CN, zh-HK and zh-TW (speech-ssml-phonetic-sets.md), and
 * the zh-HK set is Cantonese, so Mandarin pinyin phonemes are used only with the zh-CN Mandarin voices. The
 * guangxi, sichuan, liaoning and shaanxi voices are marked "public preview" there (not in every region).
 */

export type EngineName = 'espeak-ng' | 'azure';
/** What the text is read in: decides how numbers are said and which offline voice stands in. */
export type VoiceFamily = 'cmn' | 'yue' | 'wuu';

export interface VoiceInfo {
  /** `espeak:cmn`, `azure:zh-CN-XiaoxiaoNeural`, … */
  id: string;
  provider: EngineName;
  /** The engine's own name for it: `cmn`, `zh-CN-XiaoxiaoNeural`. */
  engineVoice: string;
  /** Display name, in Chinese. */
  name: string;
  /** Language or dialect, as county staff call it. */
  language: string;
  /** The voice's locale; `ssmlLang` is what goes in the SSML document's xml:lang. */
  locale: string;
  ssmlLang: string;
  gender: '女' | '男';
  family: VoiceFamily;
  /** Azure SSML <phoneme alphabet="sapi"> with Mandarin pinyin works for this voice. */
  phonemes: boolean;
  /** Azure lists the voice as public preview (it may be missing in some regions). */
  preview: boolean;
  /** The offline voice used when this one cannot be (same language: Mandarin dialects → cmn, Cantonese → yue). */
  fallback: string | null;
}

type AzureRow = [engineVoice: string, name: string, language: string, gender: '女' | '男', preview?: boolean];

const ESPEAK: VoiceInfo[] = [
  {
    id: 'espeak:cmn',
    provider: 'espeak-ng',
    engineVoice: 'cmn',
    name: '离线普通话',
    language: '普通话',
    locale: 'cmn',
    ssmlLang: 'zh-CN',
    gender: '男',
    family: 'cmn',
    phonemes: false,
    preview: false,
    fallback: null,
  },
  {
    id: 'espeak:yue',
    provider: 'espeak-ng',
    engineVoice: 'yue',
    name: '离线粤语',
    language: '粤语',
    locale: 'yue',
    ssmlLang: 'zh-HK',
    gender: '男',
    family: 'yue',
    phonemes: false,
    preview: false,
    fallback: null,
  },
];

const MANDARIN: AzureRow[] = [
  ['zh-CN-XiaoxiaoNeural', '晓晓', '普通话', '女'],
  ['zh-CN-YunxiNeural', '云希', '普通话', '男'],
  ['zh-CN-YunjianNeural', '云健', '普通话', '男'],
  ['zh-CN-XiaoyiNeural', '晓伊', '普通话', '女'],
  ['zh-CN-YunyangNeural', '云扬（新闻播报）', '普通话', '男'],
  ['zh-CN-XiaochenNeural', '晓辰', '普通话', '女'],
  ['zh-CN-XiaohanNeural', '晓涵', '普通话', '女'],
  ['zh-CN-XiaoqiuNeural', '晓秋', '普通话', '女'],
  ['zh-CN-XiaoruiNeural', '晓睿', '普通话', '女'],
  ['zh-CN-YunzeNeural', '云泽', '普通话', '男'],
  ['zh-CN-YunyeNeural', '云野', '普通话', '男'],
  ['zh-CN-YunfengNeural', '云枫', '普通话', '男'],
];

const MANDARIN_DIALECTS: AzureRow[] = [
  ['zh-CN-guangxi-YunqiNeural', '云奇', '桂柳话（广西口音普通话）', '男', true],
  ['zh-CN-sichuan-YunxiNeural', '云希', '四川话（西南官话）', '男', true],
  ['zh-CN-henan-YundengNeural', '云登', '河南话（中原官话）', '男'],
  ['zh-CN-shaanxi-XiaoniNeural', '晓妮', '陕西话（中原官话）', '女', true],
  ['zh-CN-liaoning-XiaobeiNeural', '晓北', '东北话（辽宁）', '女', true],
  ['zh-CN-liaoning-YunbiaoNeural', '云彪', '东北话（辽宁）', '男', true],
  ['zh-CN-shandong-YunxiangNeural', '云翔', '山东话（冀鲁官话）', '男'],
];

const CANTONESE: AzureRow[] = [
  ['yue-CN-XiaoMinNeural', '晓敏', '粤语（广东）', '女'],
  ['yue-CN-YunSongNeural', '云松', '粤语（广东）', '男'],
  ['zh-HK-HiuMaanNeural', '曉曼', '粤语（香港）', '女'],
  ['zh-HK-HiuGaaiNeural', '曉佳', '粤语（香港）', '女'],
  ['zh-HK-WanLungNeural', '雲龍', '粤语（香港）', '男'],
];

const WU: AzureRow[] = [
  ['wuu-CN-XiaotongNeural', '晓彤', '吴语（上海话）', '女'],
  ['wuu-CN-YunzheNeural', '云哲', '吴语（上海话）', '男'],
];

/** zh-CN-sichuan-YunxiNeural → zh-CN-sichuan; yue-CN-XiaoMinNeural → yue-CN. */
const localeOf = (engineVoice: string) => engineVoice.split('-').slice(0, -1).join('-');

function azure(rows: AzureRow[], family: VoiceFamily, phonemes: boolean): VoiceInfo[] {
  return rows.map(([engineVoice, name, language, gender, preview]) => {
    const locale = localeOf(engineVoice);
    return {
      id: `azure:${engineVoice}`,
      provider: 'azure',
      engineVoice,
      name,
      language,
      locale,
      ssmlLang: locale.split('-').slice(0, 2).join('-'),
      gender,
      family,
      phonemes,
      preview: preview ?? false,
      // espeak-ng has no Wu voice; Wu voices read Mandarin text, so Mandarin stands in.
      fallback: family === 'yue' ? 'espeak:yue' : 'espeak:cmn',
    };
  });
}

export const VOICES: ReadonlyArray<VoiceInfo> = [
  ...ESPEAK,
  ...azure(MANDARIN, 'cmn', true),
  ...azure(MANDARIN_DIALECTS, 'cmn', false),
  ...azure(CANTONESE, 'yue', false),
  ...azure(WU, 'wuu', false),
];

/** Used when nothing else is chosen: works everywhere, offline. */
export const DEFAULT_VOICE_ID = 'espeak:cmn';

const BY_ID = new Map(VOICES.map((v) => [v.id, v]));

export function findVoice(id: unknown): VoiceInfo | undefined {
  return typeof id === 'string' ? BY_ID.get(id) : undefined;
}
