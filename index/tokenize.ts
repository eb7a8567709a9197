// Text → search terms for unspaced Chinese: NFKC, lowercase, quote marks dropped, then
// overlapping CJK bigrams (a lone CJK character stays a unigram) and whole ASCII words.

// Runs of CJK characters or of ASCII letters/digits; everything else separates runs.
const RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]+|[a-z0-9]+(?:\.[0-9]+)?/gu;
// Quotes and spaces are transparent: people type 平安通服务 for 广州市“平安通”服务项目.
const TRANSPARENT = /[\s"'“”‘’「」『』《》〈〉]/g;

/** The form every field and query is compared in. */
export function normalizeForSearch(s: string): string {
  return s.normalize("NFKC").toLowerCase().replace(TRANSPARENT, "");
}

/** Terms of already-normalized text, in order, duplicates kept. */
export function termsOfNormalized(norm: string): string[] {
  const out: string[] = [];
  for (const m of norm.matchAll(RUN)) {
    const run = m[0];
    const first = run.codePointAt(0)!;
    if (first < 0x80) {
      out.push(run);
      continue;
    }
    const chars = Array.from(run);
    if (chars.length === 1) out.push(chars[0]!);
    else for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** Terms of raw text (normalizes first). MiniSearch's tokenizer. */
export function tokenize(text: string): string[] {
  return termsOfNormalized(normalizeForSearch(text));
}

/** Distinct query terms, in order. */
export function queryTerms(text: string): string[] {
  return [...new Set(tokenize(text))];
}

/** Text as space-separated terms, for an FTS5 unicode61 column: a phrase query then means "substring". */
export function bigramText(text: string): string {
  return tokenize(text).join(" ");
}
