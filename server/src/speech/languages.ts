/**
 * The spoken versions an item can have. Lingchuan's practice: Mandarin, and the local dialect (Guilin's
 * Southwestern Mandarin, 桂柳话); Zhuang and Yao communities need their own languages.
 */
export const LANGUAGES = {
  cmn: '普通话',
  guiliu: '桂柳话',
  yue: '粤语',
  zha: '壮语',
  yao: '瑶语',
} as const;
export type Language = keyof typeof LANGUAGES;
export const LANGUAGE_CODES = Object.keys(LANGUAGES) as [Language, ...Language[]];

/** Where no township or county setting says otherwise: Mandarin, then the local dialect. */
export const DEFAULT_VERSION_ORDER: readonly Language[] = ['cmn', 'guiliu'];

export function languageName(code: string): string {
  return (LANGUAGES as Record<string, string>)[code] ?? code;
}
