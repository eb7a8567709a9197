// Text clean-up shared by both layouts: tags, stray spaces inside CJK text, amounts.

const CJK = "\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef“”‘’—…·";
const SPACE_BETWEEN_CJK = new RegExp(`([${CJK}])[\\s\\u00a0]+(?=[${CJK}])`, "g");
const SPACE_AFTER_CJK_BEFORE_ANY = new RegExp(`([${CJK}])[\\s\\u00a0]+(?=[0-9A-Za-z%])`, "g");
const SPACE_BEFORE_CJK_AFTER_ANY = new RegExp(`([0-9A-Za-z%])[\\s\\u00a0]+(?=[${CJK}])`, "g");

export function stripTags(s: string): string {
  return s.replace(/<\/?[a-zA-Z][^>]*>/g, "");
}

/**
 * A cell's text as a reader means it: tags gone, whitespace collapsed, and no spaces inside
 * CJK text or between CJK text and numbers (PDF extraction inserts them at random).
 */
export function cleanText(s: string): string {
  return stripTags(s)
    .replace(/[\s\u00a0\u3000]+/g, " ")
    .replace(SPACE_BETWEEN_CJK, "$1")
    .replace(SPACE_AFTER_CJK_BEFORE_ANY, "$1")
    .replace(SPACE_BEFORE_CJK_AFTER_ANY, "$1")
    .trim();
}

/** cleanText, then null for an empty cell. */
export function cleanOrNull(s: string | undefined | null): string | null {
  if (s == null) return null;
  const t = cleanText(s);
  return t === "" ? null : t;
}

/** Drops one trailing 。 (indicator fields never keep it). */
export function dropFinalStop(s: string): string {
  return s.replace(/[。.]\s*$/, "").trim();
}

const AMOUNT = /^[-+]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．]\d+)?$/;

/** "1,234.50" / "１２．３" → 1234.5; anything that is not a plain amount → null. */
export function parseAmount(raw: string | undefined | null): number | null {
  if (raw == null) return null;
  const s = cleanText(raw)
    .normalize("NFKC")
    .replace(/\s+/g, "");
  if (!AMOUNT.test(s)) return null;
  return Number(s.replace(/,/g, ""));
}

/** Amount in 万元 rounded to cents, so sums compare exactly. */
export function roundAmount(n: number): number {
  return Math.round(n * 100) / 100;
}
