// Parser entry: bytes in, a schema-valid ParsedDocument out, or a ParseError with a Chinese message.
import { ParseError, ParsedDocumentSchema, type Layout, type ParsedDocument } from "../domain.ts";
import { parseProjectCards } from "./cards.ts";
import { decodeBytes } from "./decode.ts";
import { compact } from "./normalize.ts";
import { parseWideTable } from "./wide-table.ts";

export { decodeBytes } from "./decode.ts";
export { parseWideTable } from "./wide-table.ts";

const NOT_BUDGET = "未找到项目支出绩效目标表";

/** Which layout the text is in, judged by its table headers; null when it is neither. */
export function detectLayout(text: string): Layout | null {
  let wide = 0;
  let cards = 0;
  let start = 0;
  // Line by line without splitting the whole text (a 50 MB file stays one string).
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    // Only the first 300 characters of a line matter for its labels.
    const raw = text.slice(start, Math.min(end, start + 300));
    const head = compact(raw);
    if (head.startsWith("项目名称")) {
      if (/总计|合计/.test(head) && /绩效(目标|指标)|财政拨款/.test(head)) wide++;
      else if (/^[^\t]*\t\s*[^\s\t]/.test(raw)) cards++; // a card's "项目名称 | <name>" table row
    }
    if (/^预算规模/.test(head) || /^一级指标二级指标/.test(head)) cards++;
    if (wide >= 3 || cards >= 6) break;
    start = end + 1;
  }
  if (wide === 0 && cards === 0) return null;
  return wide > 0 && wide * 2 >= cards ? "wide-table" : cards > 0 ? "project-cards" : "wide-table";
}

export function parseDocument(bytes: Uint8Array): ParsedDocument {
  const { text } = decodeBytes(bytes);
  const layout = detectLayout(text);
  if (layout == null) throw new ParseError("not-budget", `${NOT_BUDGET}：文件中没有项目表格`);
  const doc = layout === "wide-table" ? parseWideTable(text) : parseProjectCards(text);
  const checked = ParsedDocumentSchema.safeParse(doc);
  if (!checked.success) throw new ParseError("not-budget", `${NOT_BUDGET}：解析结果不完整（${checked.error.issues[0]?.message ?? "格式错误"}）`);
  if (checked.data.projects.length === 0) throw new ParseError("no-projects", "未在项目支出绩效目标表中找到任何项目");
  return checked.data;
}
