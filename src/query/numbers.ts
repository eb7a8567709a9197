// Numbers as officials type them: Arabic or Chinese numerals, amounts in 元/万/万元/亿.
import { fromCents, toCents } from "../money.ts";

const DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 1e4, 亿: 1e8 };

export const CHINESE_NUMERAL = "[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿]+";

/** "三" → 3, "十" → 10, "二十五" → 25, "一百零五" → 105, "两万" → 20000; null if not a numeral. */
export function parseChineseNumeral(s: string): number | null {
  if (!new RegExp(`^${CHINESE_NUMERAL}$`).test(s)) return null;
  let total = 0; // finished 万/亿 sections
  let section = 0; // current section below 万
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in DIGITS) {
      digit = DIGITS[ch]!;
    } else if (ch in SMALL_UNITS) {
      section += (digit ?? 1) * SMALL_UNITS[ch]!; // "十五": a bare 十 means 一十
      digit = null;
    } else {
      const big = BIG_UNITS[ch]!;
      total = (total + section + (digit ?? 0)) * big;
      section = 0;
      digit = null;
    }
  }
  return total + section + (digit ?? 0);
}

/** An integer written either way: "3", "３", "三", "二十五"; null otherwise. */
export function parseCount(s: string): number | null {
  const t = s.normalize("NFKC").trim();
  if (/^\d+$/.test(t)) return Number(t);
  return parseChineseNumeral(t);
}

/** Unit word → factor to 万元. No unit means 万元, the tables' unit. */
const UNIT_TO_WAN: Record<string, number> = {
  亿元: 1e4, 亿: 1e4, 千万元: 1e3, 千万: 1e3, 百万元: 100, 百万: 100, 十万元: 10, 十万: 10,
  万元: 1, 万: 1, w: 1, 千元: 0.1, 千: 0.1, 元: 1e-4, 块钱: 1e-4, 块: 1e-4,
};

/** Regex source for one amount: a number (Arabic with separators/decimals, or Chinese) and an optional unit. */
export const AMOUNT_SOURCE = `(\\d[\\d,]*(?:\\.\\d+)?|${CHINESE_NUMERAL.replace("万亿", "")})\\s*(亿元|亿|千万元|千万|百万元|百万|十万元|十万|万元|万|w(?![a-z])|千元|千|元|块钱|块)?`;

export interface AmountMatch {
  /** Value in 万元, rounded to cents. */
  wan: number;
  /** Whether the text named a unit (500 到 600万: the first takes the second's unit). */
  hasUnit: boolean;
  index: number;
  length: number;
}

function numberValue(raw: string): number | null {
  if (/^\d/.test(raw)) return Number(raw.replace(/,/g, ""));
  return parseChineseNumeral(raw);
}

const toWan = (n: number, unit: string | undefined): number => fromCents(toCents(n * (UNIT_TO_WAN[unit ?? "万元"] ?? 1)));

/** "1000万" → 1000, "5万元" → 5, "1.5亿" → 15000, "50000元" → 5, "一千万" → 1000, "300" → 300 (万元). */
export function parseAmountWan(s: string): number | null {
  const m = new RegExp(`^${AMOUNT_SOURCE}$`, "i").exec(s.normalize("NFKC").trim());
  if (!m) return null;
  const n = numberValue(m[1]!);
  return n == null ? null : toWan(n, m[2]?.toLowerCase());
}

/** Every amount in a sentence, in order. */
export function findAmounts(s: string): AmountMatch[] {
  const out: AmountMatch[] = [];
  for (const m of s.matchAll(new RegExp(AMOUNT_SOURCE, "gi"))) {
    const n = numberValue(m[1]!);
    if (n == null) continue;
    out.push({ wan: toWan(n, m[2]?.toLowerCase()), hasUnit: m[2] != null, index: m.index, length: m[0].length });
  }
  return out;
}
