// Text clean-up shared by both layouts: tags, stray spaces inside CJK text, amounts.

/** CJK characters and full-width punctuation (a regex character-class body). */
export const CJK = "\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef“”‘’—…·";
const SPACE_BETWEEN_CJK = new RegExp(`([${CJK}])[\\s\\u00a0]+(?=[${CJK}])`, "g");
const SPACE_AFTER_CJK_BEFORE_ANY = new RegExp(`([${CJK}])[\\s\\u00a0]+(?=[0-9A-Za-z%])`, "g");
const SPACE_BEFORE_CJK_AFTER_ANY = new RegExp(`([0-9A-Za-z%])[\\s\\u00a0]+(?=[${CJK}])`, "g");

// `[^<>]*` (not `[^>]*`) keeps this linear on text with many unclosed `<`.
const TAG = /<\/?[a-zA-Z][^<>]*>/g;

export function stripTags(s: string): string {
  return s.indexOf("<") < 0 ? s : s.replace(TAG, "");
}

/**
 * A cell's text as a reader means it: tags gone, whitespace collapsed, and no spaces inside
 * CJK text or between CJK text and numbers (PDF extraction inserts them at random).
 */
const ANY_SPACE = /[\s\u00a0\u3000]/;

export function cleanText(s: string): string {
  const t = stripTags(s);
  if (!ANY_SPACE.test(t)) return t; // the common case: nothing to collapse
  return t
    .replace(/[\s\u00a0\u3000]+/g, " ")
    .replace(SPACE_BETWEEN_CJK, "$1")
    .replace(SPACE_AFTER_CJK_BEFORE_ANY, "$1")
    .replace(SPACE_BEFORE_CJK_AFTER_ANY, "$1")
    .trim();
}

/** Drops one trailing 。 (indicator fields never keep it). */
export function dropFinalStop(s: string): string {
  return s.replace(/[。.]\s*$/, "").trim();
}

const AMOUNT = /^[-+]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．]\d+)?$/;

/** "1,234.50" / "１２．３" → 1234.5; anything that is not a plain amount → null. */
const AMOUNT_CHARS = /^[\s\d.,，．+\-\uff0b\uff0d\uff10-\uff19\u00a0\u3000]*$/;

export function parseAmount(raw: string | undefined | null): number | null {
  if (raw == null || raw.length > 80) return null; // amounts are short: keeps text cells cheap
  if (!AMOUNT_CHARS.test(stripTags(raw))) return null;
  const s = cleanText(raw)
    .normalize("NFKC")
    .replace(/\s+/g, "");
  if (!AMOUNT.test(s)) return null;
  return Number(s.replace(/,/g, ""));
}

/** All whitespace and tags removed: for comparing labels such as "项 目名称" with "项目名称". */
export function compact(s: string): string {
  return stripTags(s).replace(/[\s\u00a0\u3000]+/g, "");
}

/** Space, tab, no-break space or ideographic space (by char code). */
export const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x3000;
export const isAsciiLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * Re-joins two pieces of one cell that a line break split. Chinese text and numbers are glued
 * directly; a space is kept only between two Latin words. Looks only at the ends of `a`, so
 * joining many pieces onto one long cell stays linear.
 */
export function joinBroken(a: string, b: string): string {
  let end = a.length;
  while (end > 0 && isSpace(a.charCodeAt(end - 1))) end--;
  let start = 0;
  while (start < b.length && isSpace(b.charCodeAt(start))) start++;
  const left = end === a.length ? a : a.slice(0, end);
  const right = start === 0 ? b : b.slice(start);
  if (left === "") return right;
  if (right === "") return left;
  return isAsciiLetter(left.charCodeAt(left.length - 1)) && isAsciiLetter(right.charCodeAt(0)) ? `${left} ${right}` : left + right;
}

/** True for a cell with nothing but whitespace and tags; cheap on long cells. */
export function isBlankCell(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0x3000) continue;
    return c === 0x3c /* "<": maybe only tags */ ? compact(s) === "" : false;
  }
  return true;
}

/** Trailing separators and stops (。；，…) dropped: indicator fields and names never keep them. */
export function trimSeparators(s: string): string {
  // Index loops, not /[…]+$/: that regex is quadratic on long runs of separators.
  let start = 0;
  while (start < s.length && LEADING_SEPARATORS.has(s[start]!)) start++;
  let end = s.length;
  while (end > start && TRAILING_SEPARATORS.has(s[end - 1]!)) end--;
  return s.slice(start, end);
}
const LEADING_SEPARATORS = new Set([..." \t\n\r\u00a0\u3000：:；;，,、"]);
const TRAILING_SEPARATORS = new Set([..." \t\n\r\u00a0\u3000。；;，,、.．"]);

/**
 * An amount as an integer count of 1/10000 of the document's unit, so sums compare exactly
 * ("2,294.25" → 22942500). Null for anything that is not a plain amount.
 */
export function parseScaledAmount(raw: string | undefined | null): number | null {
  const n = parseAmount(raw);
  return n == null ? null : Math.round(n * 10000);
}

/** A cell that may stand in an amount column: an amount, empty, or a dash for "none". */
export function isAmountLike(raw: string): boolean {
  if (raw.length > 80) return false; // amount cells are short; keeps long text cells cheap
  const s = compact(raw);
  return s === "" || /^[-—–－]+$/.test(s) || parseAmount(s) != null;
}
