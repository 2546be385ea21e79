import { readDigits, readHour, readInteger, readMinute, readNumber, readYuan } from './numbers.ts';

/**
 * The rewriting rules of the normaliser, in the order they run. Each turns some written form with ASCII digits
 * into words; what it writes has no ASCII digits left, so a later rule never re-reads it. Earlier rules take
 * the more specific forms (a telephone number, a date) before the general ones (a range, an integer).
 */

export interface RuleOptions {
  /** Read 1 as 幺 in telephone numbers (Mandarin); Cantonese says 一. */
  yao: boolean;
}

type Replacer = (opts: RuleOptions, ...groups: Array<string | undefined>) => string;
export interface Rule {
  name: string;
  re: RegExp;
  to: Replacer;
}

const NUM = String.raw`\d+(?:\.\d+)?`;
const DASH = '[-—–~～]';
const validDate = (m: string, d: string) =>
  Number(m) >= 1 && Number(m) <= 12 && Number(d) >= 1 && Number(d) <= 31;
const phone = (o: RuleOptions, ...parts: string[]) =>
  parts
    .filter(Boolean)
    .map((p) => readDigits(p, { yao: o.yao }))
    .join(' ');
const year = (y: string) => `${readDigits(y)}年`;
const monthDay = (m: string, d: string) => `${readInteger(m)}月${readInteger(d)}日`;

/** Service numbers always read digit by digit, wherever they stand (政务 12345, 电力 95598, 反诈 96110 …). */
const HOTLINES = (
  '12345 12315 12369 12320 12333 12348 12355 12366 12358 12316 12319 12328 12338 12351 12350 12121 12379 ' +
  '12393 12310 12380 12356 12122 12306 12110 12119 12395 95598 96110'
).split(' ');
/** Words that make the number after them a telephone number: 拨打110, 报警电话：110, 热线12316. */
const PHONE_BEFORE = '(?:电话|热线|拨打|致电|呼叫|报警|号码|传真|联系方式)[：:为是\\s]{0,2}';
/** …or the words after it: 110报警, 120急救, 119火警. */
const PHONE_AFTER = '(?=报警|急救|火警|求助|求救|热线|服务热线|电话)';

/** Unit symbols after a number (or after "/"), longest first. */
const UNITS: ReadonlyArray<[string, string]> = [
  ['km/h', '公里每小时'],
  ['m/s', '米每秒'],
  ['kW·h', '千瓦时'],
  ['kWh', '千瓦时'],
  ['km²', '平方公里'],
  ['km2', '平方公里'],
  ['m²', '平方米'],
  ['㎡', '平方米'],
  ['m³', '立方米'],
  ['m3', '立方米'],
  ['m2', '平方米'],
  ['μg', '微克'],
  ['µg', '微克'],
  ['mm', '毫米'],
  ['㎜', '毫米'],
  ['cm', '厘米'],
  ['㎝', '厘米'],
  ['km', '公里'],
  ['㎞', '公里'],
  ['kg', '公斤'],
  ['㎏', '公斤'],
  ['mg', '毫克'],
  ['mL', '毫升'],
  ['ml', '毫升'],
  ['kW', '千瓦'],
  ['kV', '千伏'],
  ['ha', '公顷'],
  ['min', '分钟'],
  ['m', '米'],
  ['g', '克'],
  ['t', '吨'],
  ['L', '升'],
  ['h', '小时'],
];
const UNIT_WORDS = new Map(UNITS);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const UNIT_RE = UNITS.map(([u]) => escapeRe(u)).join('|');

/** What can follow "/" to mean "per": 元/亩 → 元每亩, 元/人/年 → 元每人每年. */
const PER_UNITS =
  '(?:人|户|亩|年|月|日|天|次|斤|公斤|千克|克|吨|平方米|立方米|小时|分钟|秒|公里|米|个|只|头|株|棵|份|件|台|辆|间|套|袋|箱|张|期|季|周|升|毫升|千瓦时|度)';

/** A bare 2 before these measure words is 两: 2小时 → 两小时, 2万 → 两万 (but 第2次, 2月 stay 二). */
const LIANG_BEFORE =
  '(?:个|起|剂|针|例|处|床|片|艘|份|件|小时|天|周|次|名|位|台|辆|条|只|头|亩|公里|千米|米|斤|公斤|吨|元|块|万|千|人|户|岁|年(?!级)|倍|类|种|项|批|家|所|座|间|层|栋|分钟|趟|班)';

export const RULES: ReadonlyArray<Rule> = [
  // ── telephone numbers ──
  {
    name: 'mobile',
    re: /(?<![\d.])(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g,
    to: (o, a, b, c) => phone(o, a!, b!, c!),
  },
  {
    name: 'landline',
    re: /(?<![\d.])[(（]?(0\d{2,3})[)）]?[- ]?(\d{7,8})(?:[-转](\d{1,5}))?(?!\d)/g,
    to: (o, area, num, ext) => phone(o, area!, num!) + (ext ? ` 转${readDigits(ext, { yao: o.yao })}` : ''),
  },
  {
    name: '400/800 number',
    re: /(?<!\d)([48]00)[- ]?(\d{3})[- ]?(\d{4})(?!\d)/g,
    to: (o, a, b, c) => phone(o, a!, b!, c!),
  },
  {
    name: 'hotline',
    re: new RegExp(`(?<![\\d.])(${HOTLINES.join('|')})(?![\\d.%元万亿人户亩])`, 'g'),
    to: (o, n) => phone(o, n!),
  },
  {
    // 拨打110、119或120求助: every number of the list is a telephone number.
    name: 'numbers after a telephone word',
    re: new RegExp(`(${PHONE_BEFORE})(\\d{3,12}(?:(?:、|或|和|及|/)\\d{3,12})*)(?![\\d.%])`, 'g'),
    to: (o, before, list) => before! + list!.replace(/\d+/g, (n) => phone(o, n)),
  },
  {
    name: 'number before a telephone word',
    re: new RegExp(`(?<![\\d.])(\\d{3,5})${PHONE_AFTER}`, 'g'),
    to: (o, n) => phone(o, n!),
  },
  {
    name: 'long digit string (ID, account)',
    re: /(?<![\d.,])(\d{11,})([Xx]?)(?![\d.])/g,
    to: (o, n, x) => readDigits(n!, { yao: o.yao }) + (x ? ' X' : ''),
  },
  // ── dates ──
  {
    name: 'numeric date',
    re: /(?<![\d.])((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])[日号]?/g,
    to: (_o, y, _s, m, d) => (validDate(m!, d!) ? year(y!) + monthDay(m!, d!) : `${y}-${m}-${d}`),
  },
  {
    name: 'year range',
    re: new RegExp(
      `(?<![\\d.])((?:19|20)\\d\\d)\\s*(?:${DASH}|至|到)\\s*((?:19|20)\\d\\d)(?=\\s*(?:学?年))`,
      'g',
    ),
    to: (_o, a, b) => `${readDigits(a!)}到${readDigits(b!)}`,
  },
  {
    name: 'year',
    re: /(?<![\d.])((?:19|20)\d\d)(?=\s*年)/g,
    to: (_o, y) => readDigits(y!),
  },
  {
    name: 'month.day range',
    re: new RegExp(
      `(?<![\\d.])(\\d{1,2})\\.(\\d{1,2})\\s*(?:${DASH}|至|到)\\s*(\\d{1,2})\\.(\\d{1,2})(?=[日号期，。、；！？,;\\s）)]|$)`,
      'g',
    ),
    to: (_o, m1, d1, m2, d2) =>
      validDate(m1!, d1!) && validDate(m2!, d2!)
        ? `${monthDay(m1!, d1!)}到${monthDay(m2!, d2!)}`
        : `${m1}.${d1}至${m2}.${d2}`,
  },
  {
    name: 'month.day',
    re: /(?:(?<=[于自从在至到止])|(?<![\d.])(?=\d{1,2}\.\d{1,2}[日号]))(\d{1,2})\.(\d{1,2})(?=[日号起前后至到，。、；\s]|$)[日号]?/g,
    to: (_o, m, d) => (validDate(m!, d!) ? monthDay(m!, d!) : `${m}.${d}`),
  },
  {
    name: 'event date with a middle dot',
    re: /(?<!\d)(\d{1,2})[·•・](\d{1,2})(?!\d)/g,
    to: (_o, a, b) => readDigits(a! + b!),
  },
  {
    name: 'leading zero of month, day, hour',
    re: /(?<![\d.])0(\d)(?=\s*[月日号时])/g,
    to: (_o, d) => d!,
  },
  // ── ranges: 3-5级, 20~25℃, 8:00-12:00 (the dash becomes 到) ──
  {
    name: 'range dash',
    re: new RegExp(`(?<=\\d[%℃月日号时级岁]?)\\s*${DASH}\\s*(?=[-−]?\\d)`, 'g'),
    to: () => '到',
  },
  // ── clock times ──
  {
    name: 'time',
    re: /(?<![\d:.])([01]?\d|2[0-4])[:：]([0-5]\d)(?:[:：]([0-5]\d))?(?![\d:])/g,
    to: (_o, h, m, s) =>
      `${readHour(h!)}点${m === '00' && !s ? '' : `${readMinute(m!)}分`}${s && s !== '00' ? `${readMinute(s)}秒` : ''}`,
  },
  // ── percentages ──
  {
    name: 'percentage range',
    re: new RegExp(`([-−]?${NUM})[%％]?\\s*(到|至)\\s*([-−]?${NUM})\\s*[%％]`, 'g'),
    to: (_o, a, sep, b) => `${percent(a!)}${sep}${percent(b!)}`,
  },
  {
    name: 'percentage',
    re: /([-−]?\d[\d,]*(?:\.\d+)?)\s*([%％‰])/g,
    to: (_o, n, sign) => (sign === '‰' ? `千分之${readNumber(n!)}` : percent(n!)),
  },
  // ── temperatures: -3℃ → 零下三摄氏度 ──
  {
    name: 'temperature range',
    re: new RegExp(`([-−]?)(${NUM})\\s*(?:℃|°C)?\\s*(到|至)\\s*([-−]?)(${NUM})\\s*(℃|°C|度)`, 'g'),
    to: (_o, s1, a, sep, s2, b, unit) => `${temp(s1!, a!)}${sep}${temp(s2!, b!)}${unitOfTemp(unit!)}`,
  },
  {
    name: 'temperature',
    re: new RegExp(`([-−]?)(${NUM})\\s*(℃|°C|度(?=[，。；、\\s左右以上下]|$))`, 'g'),
    to: (_o, s, n, unit) => temp(s!, n!) + unitOfTemp(unit!),
  },
  // ── money ──
  {
    name: 'yuan sign',
    re: /[¥￥]\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(万|亿)?\s*元?/g,
    to: (_o, int, frac, big) =>
      big ? `${readNumber(frac ? `${int}.${frac}` : int!)}${big}元` : readYuan(int!, frac ?? ''),
  },
  {
    name: 'yuan with jiao and fen',
    re: /(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{1,2})\s*元(?![\d])/g,
    to: (_o, int, frac) => readYuan(int!, frac!),
  },
  // ── units: 50mm → 五十毫米, 100元/亩 → 一百元每亩 ──
  {
    name: 'unit symbol',
    re: new RegExp(`(?<=[\\d/]\\s?)(${UNIT_RE})(?![A-Za-z])`, 'g'),
    to: (_o, u) => UNIT_WORDS.get(u!) ?? u!,
  },
  {
    name: 'per',
    re: new RegExp(`(?<=[\\p{Script=Han}])\\s*/\\s*(?=${PER_UNITS})`, 'gu'),
    to: () => '每',
  },
  {
    name: 'fraction',
    re: /(?<![\d./])(\d+)\/(\d+)(?![\d/])/g,
    to: (_o, a, b) => `${readInteger(b!)}分之${readInteger(a!)}`,
  },
  // ── numbers read as identifiers ──
  {
    name: 'room number',
    re: /(?<![\d.])(\d{3,4})(?=室|房间|号房)/g,
    to: (o, n) => readDigits(n!, { yao: o.yao }),
  },
  {
    name: 'road number',
    re: /(?<![\d.])(\d{3})(?=\s*(?:国道|省道|县道|乡道))/g,
    to: (_o, n) => readDigits(n!),
  },
  {
    name: 'liang',
    re: new RegExp(`(?<![\\d.第])2(?![\\d.])(?=\\s*${LIANG_BEFORE})`, 'g'),
    to: () => '两',
  },
  // ── everything else: 1,200 → 一千二百, 2.5 → 二点五, -5 → 负五 ──
  {
    name: 'number',
    re: /(?<![\d.])(?:(?<![A-Za-z\d])([-−]))?(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.(\d+))?/g,
    to: (_o, sign, int, frac) =>
      readNumber(`${sign ? '-' : ''}${int}${frac !== undefined ? `.${frac}` : ''}`),
  },
];

function percent(n: string): string {
  const negative = /^[-−]/.test(n);
  return `${negative ? '负' : ''}百分之${readNumber(n.replace(/^[-−]/, ''))}`;
}

function temp(sign: string, n: string): string {
  return `${sign ? '零下' : ''}${readNumber(n)}`;
}

const unitOfTemp = (u: string) => (u === '度' ? '度' : '摄氏度');
