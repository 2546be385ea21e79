/**
 * Reading numbers aloud in Mandarin, the way a county announcer does. Pure functions over ASCII digit strings.
 *
 * - amounts and counts: 1200 → 一千二百, 10 → 十, 110 → 一百一十, 2000 → 两千, 20000 → 两万, 1005 → 一千零五
 * - digit strings (years, phone numbers, room numbers): 2025 → 二零二五; with `yao`, 1 is 幺 (12345 → 幺二三四五)
 * - decimals: 2.5 → 二点五, 0.05 → 零点零五
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
const SMALL_UNITS = ['', '十', '百', '千'] as const;
const BIG_UNITS = ['', '万', '亿', '万亿'] as const;

/** Longest integer read as a number; longer digit strings are read digit by digit. */
export const MAX_INTEGER_DIGITS = 16;

const digit = (c: string): string => DIGITS[Number(c)] ?? c;

/** Each digit on its own: 2025 → 二零二五; `yao` reads 1 as 幺, as for telephone numbers. */
export function readDigits(s: string, opts: { yao?: boolean } = {}): string {
  let out = '';
  for (const c of s) {
    if (c >= '0' && c <= '9') out += opts.yao && c === '1' ? '幺' : digit(c);
  }
  return out;
}

/**
 * One group of up to four digits (1..9999) without leading 零. `first`: the group opens the number, so 10..19
 * start with a bare 十 (15 → 十五, but 115 → 一百一十五 and 10 010 → 一万零一十).
 */
function readGroup(group: string, first: boolean): string {
  const g = group.padStart(4, '0');
  let out = '';
  let zero = false;
  for (let i = 0; i < 4; i++) {
    const d = Number(g[i]);
    const unit = SMALL_UNITS[3 - i]!;
    if (d === 0) {
      if (out !== '') zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    let word: string = DIGITS[d]!;
    // 两 for 2 in the thousands (两千), as spoken; 二 elsewhere (二十, 二百).
    if (d === 2 && unit === '千') word = '两';
    else if (d === 1 && unit === '十' && out === '' && first) word = '';
    out += word + unit;
  }
  return out;
}

/** An unsigned integer given as digits, up to 16 digits; a leading-zero string is read as digits instead. */
export function readInteger(s: string): string {
  const digits = s.replace(/^0+(?=\d)/, '');
  if (digits === '0') return '零';
  if (!/^\d+$/.test(digits) || digits.length > MAX_INTEGER_DIGITS) return readDigits(s);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  let out = '';
  let pendingZero = false;
  groups.forEach((group, i) => {
    const big = BIG_UNITS[groups.length - 1 - i]!;
    const value = Number(group);
    if (value === 0) {
      if (out !== '') pendingZero = true;
      return;
    }
    // A gap inside the number (10010 → 一万零一十, 100200 → 十万零二百) is spoken as one 零.
    if (out !== '' && (pendingZero || group.length === 4) && group[0] === '0') out += '零';
    else if (pendingZero) out += '零';
    pendingZero = false;
    // A bare 2 before 万 or 亿 is 两 (两万, 两亿); 二十万 stays.
    const words = value === 2 && big !== '' ? '两' : readGroup(group, out === '');
    out += words + big;
  });
  return out;
}

/** A decimal fraction's digits: .05 → 零五. */
const readFraction = (frac: string): string => readDigits(frac);

/**
 * A number as written: optional minus sign (负), thousands separators, decimal part.
 * `1,200` → 一千二百, `2.5` → 二点五, `-3` → 负三.
 */
export function readNumber(written: string): string {
  const m = /^([-−])?(\d[\d,]*)(?:\.(\d+))?$/.exec(written.trim());
  if (!m) return written;
  const [, sign, int = '', frac] = m;
  const whole = int.replace(/,/g, '');
  // A leading zero on a multi-digit integer (007) is an identifier, not an amount.
  const intWords = /^0\d/.test(whole) && frac === undefined ? readDigits(whole) : readInteger(whole);
  return `${sign ? '负' : ''}${intWords}${frac !== undefined ? `点${readFraction(frac)}` : ''}`;
}

/** Yuan with jiao and fen: 1250.5 → 一千二百五十元五角, 12.05 → 十二元零五分, 0.8 → 八角. */
export function readYuan(int: string, frac = ''): string {
  const yuan = int.replace(/,/g, '');
  const jiao = Number(frac[0] ?? '0');
  const fen = Number(frac[1] ?? '0');
  const hasYuan = Number(yuan) > 0 || (jiao === 0 && fen === 0);
  let out = hasYuan ? `${readInteger(yuan)}元` : '';
  if (jiao > 0) out += `${DIGITS[jiao]}角`;
  if (fen > 0) out += `${hasYuan && jiao === 0 ? '零' : ''}${DIGITS[fen]}分`;
  return out;
}

/** A clock hour: 2 → 两 (两点), otherwise the number (十三). */
export const readHour = (h: string): string => (Number(h) === 2 ? '两' : readInteger(h));

/** Minutes or seconds of a clock time: 05 → 零五, 30 → 三十. */
export const readMinute = (m: string): string =>
  m.length === 2 && m[0] === '0' ? `零${digit(m[1]!)}` : readInteger(m);
