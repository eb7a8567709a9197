// Question text clean-up: Traditional → Simplified first, then width/spacing, so every later
// rule sees one spelling.
import * as OpenCC from "opencc-js/t2cn";

const traditionalToSimplified = OpenCC.Converter({ from: "t", to: "cn" });

/** Traditional → Simplified, NFKC (full-width digits/letters), collapsed spaces (kept: "预算 平安通"), trimmed. */
export function normalizeQuestion(raw: string): string {
  return traditionalToSimplified(raw)
    .normalize("NFKC")
    .replace(/[\s\u00a0\u3000]+/g, " ")
    .trim();
}

/** A name reduced to what identifies it: no punctuation, brackets, quotes or spaces; lower case. */
export function compactName(s: string): string {
  return s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s"'“”‘’「」『』《》〈〉()（）【】\[\]{}<>,，.。、;；:：!！?？·•\-—_~～/\\|]+/g, "");
}

/** True when the text has Latin letters and no CJK characters (pinyin or a code such as TZMMZX). */
export const isLatin = (s: string): boolean => /[a-z]/i.test(s) && !/[\u4e00-\u9fff]/.test(s);
