// Line and cell handling for the project-card layout: tab-separated rows, `<p>` cells, label keys, amounts.
import { CJK, cleanText, dropFinalStop, parseAmount, stripTags } from "./normalize.ts";

/** One physical row of the extracted text, already split into cells. */
export interface Row {
  /** 0-based line number of the row's first physical line (for diagnostics and tests). */
  line: number;
  /** Cells with tags stripped and whitespace collapsed; stray spaces are kept until the field is finished. */
  cells: string[];
  /** Space-free, NFKC-normalised cells for matching labels. */
  keys: string[];
  /** The row came from a line with at least one tab, i.e. it is a table row, not free text. */
  tabular: boolean;
}

const OPEN_P = /<p\b[^>]*>/gi;
const CLOSE_P = /<\/p\s*>/gi;
/** A `<p>` cell broken over lines is re-joined, but never across more lines than this. */
const MAX_P_SPAN = 40;

const countOf = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

/**
 * Splits text into rows. A line with an unclosed `<p>` continues on the next line (the PDF
 * extractor emits a multi-line cell that way), so those lines are joined first.
 */
export function toRows(text: string): Row[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? "";
    let open = countOf(line, OPEN_P) - countOf(line, CLOSE_P);
    while (open > 0 && i + 1 < lines.length && i - start < MAX_P_SPAN) {
      const next = lines[++i] ?? "";
      line += " " + next;
      open += countOf(next, OPEN_P) - countOf(next, CLOSE_P);
    }
    rows.push(makeRow(start, line));
  }
  return rows;
}

/** Labels, headings and amounts are short; longer cells are text and skip the key normalisation. */
const MAX_KEY_SOURCE = 200;

function makeRow(line: number, raw: string): Row {
  const parts = raw.split("\t");
  const cells = parts.map(cellText);
  const keys = cells.map((c) => (c.length > MAX_KEY_SOURCE ? c : labelKey(c)));
  return { line, cells, keys, tabular: parts.length > 1 };
}

function cellText(raw: string): string {
  const s = raw.includes("<") ? stripTags(raw) : raw;
  return /[\s\u00a0\u3000]/.test(s) ? s.replace(/[\s\u00a0\u3000]+/g, " ").trim() : s;
}

/** A cell reduced for label matching: no spaces, full-width forms folded (：→:, （→( …). */
function labelKey(s: string): string {
  const t = (s.includes("<") ? stripTags(s) : s).normalize("NFKC");
  return /[\s\u00a0\u3000]/.test(t) ? t.replace(/[\s\u00a0\u3000]+/g, "") : t;
}

export const isBlank = (row: Row): boolean => row.cells.every((c) => c === "");

export const firstFilled = (row: Row): number => row.cells.findIndex((c) => c !== "");

// No space belongs next to CJK characters and full-width punctuation in Chinese text.
const SPACE_AFTER_CJK = new RegExp(`([${CJK}])\\s+`, "g");
const SPACE_BEFORE_CJK = new RegExp(`\\s+(?=[${CJK}])`, "g");

/**
 * Final form of a text field: no tags, no stray spaces inside CJK text — including spaces the
 * PDF put between CJK text and punctuation ("人 /次", "人数 )"); spaces between Latin words stay.
 */
export function cardText(s: string): string {
  if (!/[\s\u00a0\u3000<]/.test(s)) return s; // nothing to clean (most cells)
  return cleanText(s).replace(SPACE_AFTER_CJK, "$1").replace(SPACE_BEFORE_CJK, "");
}

/** Final form of an indicator field: cardText without a trailing 。, null when empty. */
export function indicatorField(s: string): string | null {
  const t = dropFinalStop(cardText(s));
  return t === "" ? null : t;
}

const AMOUNT_IN_CELL = /^([-+]?[0-9,，]+(?:[.．][0-9]+)?)(万元|元)?$/;

/** "14.00", "1,234.50", "14.00万元" → the number; a blank or a dash → null; anything else → undefined. */
export function cellAmount(key: string): number | null | undefined {
  if (key === "" || /^[-—–/／无]$/.test(key)) return null;
  const m = AMOUNT_IN_CELL.exec(key);
  if (!m?.[1]) return undefined;
  return parseAmount(m[1]) ?? undefined;
}

/** A line that is only a page number ("- 3 -", "第 3 页", "3"). */
export function isPageNumber(key: string): boolean {
  return /^(?:[-—–]?\d{1,4}[-—–]?|第\d{1,4}页(?:[,，]?共\d{1,4}页)?|\d{1,4}\/\d{1,4})$/.test(key);
}
