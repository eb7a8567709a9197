// The wide-table layout (one row per project; 资金使用单位 subtotal rows; a 合计 row).
// Works on the text's structure, never on particular names:
//   1. lines → logical rows: a row starts where a text cell is followed by an amount cell; any
//      other line continues a cell that a line break (or page break) split;
//   2. row cells → fields by content: amounts, then the goal, then the indicator cell;
//   3. subtotal rows told from projects by arithmetic (a subtotal equals the sum of the rows
//      below it), then self-checks as Chinese warnings.
import { ParseError, type ParsedDocument, type Project, type Unit } from "../domain.ts";
import { indicatorCellComplete, looksLikeIndicators, parseIndicatorCell, startsIndicatorItem } from "./indicators.ts";
import { cleanText, compact, isAmountLike, isAsciiLetter, isBlankCell, isSpace, parseAmount, parseScaledAmount, stripTags } from "./normalize.ts";

type AmountRole = "total" | "fiscal" | "specialAccount" | "other" | "ignore";

interface Header {
  cellCount: number;
  /** Roles of the amount columns, left to right. */
  amountRoles: AmountRole[];
  /** The name column says 资金使用单位: subtotal rows are expected. */
  hasUnitColumn: boolean;
}

/**
 * A cell re-assembled from the pieces a line break split it into. Pieces are joined once, at the
 * end, and only the cell's head or tail is inspected on the way, so appending thousands of lines
 * to one cell stays linear (inspecting a growing concatenated string would copy it each time).
 */
class Cell {
  private parts: string[] = [];
  private joined: string | null = null;
  private blank = true;
  length = 0;

  constructor(first = "") {
    if (first !== "") this.append(first);
  }

  append(piece: string): void {
    // Same glue as joinBroken, decided from the ends alone: nothing, or a space between Latin words.
    let start = 0;
    while (start < piece.length && isSpace(piece.charCodeAt(start))) start++;
    if (start === piece.length) return;
    const p = start === 0 ? piece : piece.slice(start);
    while (this.parts.length > 0) {
      const last = this.parts[this.parts.length - 1]!;
      let end = last.length;
      while (end > 0 && isSpace(last.charCodeAt(end - 1))) end--;
      if (end === last.length) break;
      this.length -= last.length - end;
      if (end === 0) this.parts.pop();
      else this.parts[this.parts.length - 1] = last.slice(0, end);
    }
    const last = this.parts[this.parts.length - 1];
    if (last != null && isAsciiLetter(last.charCodeAt(last.length - 1)) && isAsciiLetter(p.charCodeAt(0))) {
      this.parts.push(" ");
      this.length++;
    }
    this.parts.push(p);
    this.length += p.length;
    this.joined = null;
    if (this.blank && !isBlankCell(p)) this.blank = false;
  }

  isBlank(): boolean {
    return this.blank;
  }

  head(n: number): string {
    let out = "";
    for (const p of this.parts) {
      out += p;
      if (out.length >= n) break;
    }
    return out.slice(0, n);
  }

  tail(n: number): string {
    const picked: string[] = [];
    let got = 0;
    for (let i = this.parts.length - 1; i >= 0 && got < n; i--) {
      picked.push(this.parts[i]!);
      got += this.parts[i]!.length;
    }
    return picked.reverse().join("").slice(-n);
  }

  toString(): string {
    if (this.joined == null) {
      this.joined = this.parts.join("");
      this.parts = this.joined === "" ? [] : [this.joined];
    }
    return this.joined;
  }
}

/** A cell as split from its line, or (once something was appended to it) a Cell. */
type Slot = string | Cell;
const slotBlank = (c: Slot | undefined) => c == null || (typeof c === "string" ? isBlankCell(c) : c.isBlank());
const slotHead = (c: Slot, n: number) => (typeof c === "string" ? c.slice(0, n) : c.head(n));
const slotTail = (c: Slot, n: number) => (typeof c === "string" ? c.slice(-n) : c.tail(n));
const slotText = (c: Slot | undefined) => (c == null ? "" : c.toString());

/** One table row re-assembled from one or more text lines. */
interface RawRow {
  cells: Slot[];
  line: number;
}

/** The cell at `i`, made appendable. */
function cellAt(row: RawRow, i: number): Cell {
  while (row.cells.length <= i) row.cells.push("");
  const c = row.cells[i]!;
  if (typeof c !== "string") return c;
  const cell = new Cell(c);
  row.cells[i] = cell;
  return cell;
}

/** A row read by content. Amounts are integers in 1/10000 of the document's unit. */
interface RowFields {
  name: string;
  total: number;
  fiscal: number | null;
  specialAccount: number | null;
  other: number | null;
  goal: string | null;
  indicatorText: string | null;
  line: number;
}

const DEFAULT_ROLES: AmountRole[] = ["total", "fiscal", "specialAccount", "other"];

// ---------- header and preamble ----------

function headerRole(cell: string): AmountRole | "name" | "goal" | "indicators" | null {
  if (cell.length > 100) return "ignore"; // labels are short
  const c = compact(cell);
  if (c === "") return null;
  if (c.startsWith("项目名称") || c === "项目") return "name";
  if (c.includes("绩效目标")) return "goal";
  if (c.includes("绩效指标")) return "indicators";
  if (c.includes("财政专户")) return "specialAccount";
  if (c.includes("财政拨款") || c.includes("一般公共预算")) return "fiscal";
  if (c.startsWith("其他")) return "other";
  if (/^(总计|合计|金额|预算数|项目金额|资金总额)/.test(c)) return "total";
  return "ignore";
}

/** A table header line (possibly repeated after a page break): at least three known labels. */
function readHeader(cells: string[]): Header | null {
  if (cells.length < 2 || cells.length > 40) return null;
  const roles = cells.map(headerRole);
  const known = roles.filter((r) => r != null && r !== "ignore" && r !== "name").length;
  // Three labels, or a header line broken in two where every filled cell is a label.
  const onlyLabels = roles.every((r) => r == null || r !== "ignore");
  if (known < 3 && !(known >= 2 && onlyLabels)) return null;
  const amountRoles: AmountRole[] = [];
  for (const r of roles) {
    if (r === "total" || r === "fiscal" || r === "specialAccount" || r === "other") amountRoles.push(r);
    else if (r === "ignore" && amountRoles.length > 0) amountRoles.push("ignore");
    else if (r === "goal" || r === "indicators") break;
  }
  while (amountRoles.at(-1) === "ignore") amountRoles.pop();
  return {
    cellCount: cells.length,
    amountRoles: amountRoles.length > 0 && amountRoles[0] === "total" ? amountRoles : DEFAULT_ROLES,
    hasUnitColumn: cells.some((c) => compact(c).includes("资金使用单位")),
  };
}

interface Preamble {
  title: string | null;
  department: string | null;
  year: number | null;
  /** Divide a scaled amount by this to get 万元. */
  toWan: number;
}

const WITHOUT_BENJI = /\s*[（(]\s*本级\s*[)）]\s*$/;

function readPreamble(lines: string[], headerLine: string): Preamble {
  let title: string | null = null;
  let titleIndex = -1;
  let department: string | null = null;
  let year: number | null = null;
  let toWan = 10000 * 1; // 万元 by default
  const unitSource = [...lines, headerLine].join("\n");
  const unit = /单\s*位\s*[：:]\s*(万\s*元|千\s*元|元)/.exec(unitSource) ?? /[（(]\s*(万元|千元|元)\s*[)）]/.exec(headerLine);
  const unitName = unit?.[1]?.replace(/\s+/g, "");
  if (unitName === "元") toWan = 10000 * 10000;
  else if (unitName === "千元") toWan = 10000 * 10;

  lines.forEach((line, i) => {
    const c = compact(line);
    if (title == null && /绩效目标表|项目支出/.test(c)) {
      title = cleanText(line.replace(/\t+/g, " "));
      titleIndex = i;
      const y = /((?:19|20)\d{2})\s*年/.exec(title);
      if (y && year == null) year = Number(y[1]);
    }
    const named = /(?:部\s*门|单\s*位)\s*名\s*称\s*[：:]\s*([^\t]*)/.exec(stripTags(line));
    if (named && department == null) {
      const value = named[1]!.split(/单\s*位\s*[：:]|\s{2,}|\u3000/)[0]!;
      department = cleanOrNullName(value.replace(/^\s*\d{3,}\s*[-－_]?\s*/, "")); // "561301 单位名" → 单位名
    }
    const y = /^[（(]?((?:19|20)\d{2})年度?[)）]?$/.exec(c) ?? /年度[：:]((?:19|20)\d{2})/.exec(c);
    if (y && year == null) year = Number(y[1]);
  });

  if (department == null && title != null) {
    // The title's body: "广州市民政局2024年项目支出绩效目标表" → 广州市民政局.
    const body = (title as string).split(/(?:(?:19|20)\d{2}\s*年度?)|部门预算|部门|项目支出|绩效目标表/)[0]!;
    department = cleanOrNullName(body);
    if (department == null && titleIndex > 0) {
      const above = lines.slice(0, titleIndex).reverse().find((l) => compact(l) !== "");
      if (above && compact(above).length <= 40 && !/[：:]/.test(above)) department = cleanOrNullName(above);
    }
  }
  return { title, department, year, toWan };
}

function cleanOrNullName(s: string): string | null {
  const t = cleanText(s).replace(WITHOUT_BENJI, "").trim();
  return t === "" ? null : t;
}

// ---------- lines → rows ----------

const cellText = (cell: string | undefined): string => (cell == null ? "" : stripTags(cell).trim());
const isAmount = (cell: string | undefined): boolean => {
  const t = cellText(cell);
  return t !== "" && parseAmount(t) != null;
};

/**
 * How a tab-separated line begins a row: "named" (name, then amounts); "unnamed" (empty first
 * cell: the name went to the line above); "shifted" (amounts first: the name column is missing).
 */
type Start = "named" | "unnamed" | "shifted" | null;

function rowStart(cells: string[]): Start {
  if (cells.length < 2) return null;
  const first = cellText(cells[0]);
  if (first === "") return isAmount(cells[1]) && cells.length >= 3 ? "unnamed" : null;
  const firstAmount = parseScaledAmount(first);
  if (firstAmount != null) {
    // Amounts first: either the name column is missing ("shifted": the first amount is the total
    // of the amounts after it) or the name is a number, e.g. the end of a broken code name.
    let parts = 0;
    let any = false;
    for (let i = 1; i < Math.min(cells.length, 5) && isAmountLike(cells[i]!); i++) {
      const v = parseScaledAmount(cellText(cells[i]));
      if (v != null) {
        parts += v;
        any = true;
      }
    }
    if (!any || parts === firstAmount) return "shifted";
  }
  return isAmount(cells[1]) ? "named" : null;
}

const PAGE_NUMBER = /^(?:第\d+页(?:[,，/]?共\d+页)?|[-—–]\d{1,4}[-—–]|\d+\/\d+)$/;
/** A bare number is a page number only when it stands apart (blank line or header next to it). */
const BARE_NUMBER = /^\d{1,4}$/;
const NOTE = /^(?:注|说明|备注|填报说明)[：:]/;

type LineKind = "blank" | "header" | "skip" | "tabbed" | "plain";

function lineKind(line: string, cells: string[]): LineKind {
  if (line.length > 300 && !line.includes("\t") && /[^\s]/.test(line.slice(0, 300))) return "plain";
  const c = compact(line);
  if (c === "") return "blank";
  if (cells.length > 1) return readHeader(cells) ? "header" : "tabbed";
  if (PAGE_NUMBER.test(c) || NOTE.test(c) || /^项目名称|资金使用单位/.test(c)) return "skip";
  return "plain";
}

function lastFilled(cells: Slot[]): number {
  let i = cells.length - 1;
  while (i >= 0 && slotBlank(cells[i])) i--;
  return i;
}

/** A row whose last cell is visibly unfinished: the next loose line belongs to it. */
function needsMore(row: RawRow, header: Header): boolean {
  const i = lastFilled(row.cells);
  if (i < 1) return false;
  const last = row.cells[i]!;
  if (last.length <= 80 && isAmountLike(slotText(last))) return false; // a subtotal or 合计 row
  // indicatorCellComplete checks the final stop itself.
  if (looksLikeIndicators(slotHead(last, 300))) return !indicatorCellComplete(slotTail(last, 3000));
  const end = cleanText(slotTail(last, 40));
  // A goal (or a cut-off indicator cell): unfinished without a final stop, or while the
  // indicator column has not been reached yet.
  return !/(?:[。！!？?）)”"》]|(?<!\d)\.)$/.test(end) || row.cells.length < header.cellCount;
}

function appendLoose(row: RawRow, text: string): void {
  cellAt(row, Math.max(lastFilled(row.cells), 0)).append(text);
}

function appendCells(row: RawRow, cells: string[]): void {
  if (cellText(cells[0]) === "" && cells.length >= 3) {
    // A continuation row with empty leading columns: merge column by column, right-aligned.
    const offset = row.cells.length - cells.length;
    cells.forEach((c, i) => {
      if (!isBlankCell(c)) cellAt(row, Math.max(i + offset, 1)).append(c);
    });
    return;
  }
  cellAt(row, row.cells.length - 1).append(cells[0]!);
  for (let i = 1; i < cells.length; i++) row.cells.push(cells[i]!);
}

function assembleRows(lines: string[], from: number, header: Header): RawRow[] {
  const kinds: LineKind[] = [];
  const cellsOf: (string[] | null)[] = [];
  const starts: Start[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i < from) {
      kinds.push("skip");
      cellsOf.push(null);
      starts.push(null);
      continue;
    }
    const cells = lines[i]!.split("\t");
    const kind = lineKind(lines[i]!, cells);
    kinds.push(kind);
    cellsOf.push(kind === "tabbed" ? cells : null);
    starts.push(kind === "tabbed" ? rowStart(cells) : null);
  }
  for (let i = from; i < lines.length; i++) {
    if (kinds[i] !== "plain" || !BARE_NUMBER.test(lines[i]!.trim())) continue;
    const apart = (k: LineKind | undefined) => k == null || k === "blank" || k === "header";
    if (apart(kinds[i - 1]) || apart(kinds[i + 1])) kinds[i] = "skip";
  }
  // For each line, how the next tabbed line (past loose lines) begins: decides whether a loose
  // line is the first part of the next row's name or the end of the previous row's last cell.
  const nextStart: (Start | "none")[] = new Array(lines.length);
  let upcoming: Start | "none" = "none";
  for (let i = lines.length - 1; i >= 0; i--) {
    nextStart[i] = upcoming;
    if (kinds[i] === "tabbed") upcoming = starts[i] ?? null;
    else if (kinds[i] === "header") upcoming = "none";
  }

  const rows: RawRow[] = [];
  let pending: string[] = []; // loose lines that begin the next row's name
  const flushPending = () => {
    const prev = rows.at(-1);
    if (prev) for (const p of pending) appendLoose(prev, p);
    pending = [];
  };
  for (let i = from; i < lines.length; i++) {
    const kind = kinds[i]!;
    if (kind === "blank" || kind === "skip" || kind === "header") continue;
    const line = lines[i]!;
    if (kind === "tabbed") {
      const cells = cellsOf[i]!;
      const start = starts[i];
      if (start) {
        const row: Slot[] = start === "shifted" ? ["", ...cells] : cells;
        if (pending.length > 0) {
          const name = new Cell();
          for (const p of pending) name.append(p);
          name.append(slotText(row[0]));
          row[0] = name;
          pending = [];
        }
        rows.push({ cells: row, line: i + 1 });
        continue;
      }
      flushPending();
      const prev = rows.at(-1);
      if (prev) appendCells(prev, cells);
      continue;
    }
    // A loose line (no tabs): the end of the previous row's last cell, or the start of the next
    // row's name.
    const prev = rows.at(-1);
    const next = nextStart[i];
    const beginsNext = next === "named" || next === "unnamed" || next === "shifted";
    const lastIndex = prev ? lastFilled(prev.cells) : -1;
    const prevLast = prev && lastIndex >= 0 ? slotHead(prev.cells[lastIndex]!, 300) : "";
    if (pending.length > 0 || !prev) {
      if (beginsNext) pending.push(line);
      else if (prev) {
        flushPending();
        appendLoose(prev, line);
      }
    } else if (startsIndicatorItem(line) && looksLikeIndicators(prevLast)) appendLoose(prev, line);
    else if (needsMore(prev, header)) appendLoose(prev, line);
    else if (beginsNext) pending.push(line);
    else if (lastIndex >= 1 && !isAmountLike(prevLast)) appendLoose(prev, line);
  }
  flushPending();
  return rows;
}

// ---------- row → fields ----------

/** Which amount roles the cells fill when a row has fewer amount cells than the header. */
function assignAmounts(values: (number | null)[], roles: AmountRole[]): Map<AmountRole, number | null> {
  const out = new Map<AmountRole, number | null>();
  if (values.length >= roles.length) {
    roles.forEach((r, i) => out.set(r, values[i] ?? null));
    return out;
  }
  // A missing (empty) column: try dropping columns, least used first (财政专户, then 其他, then 财政拨款).
  const dropOrder: AmountRole[] = ["specialAccount", "ignore", "other", "fiscal"];
  const candidates = combinations(roles.length, values.length)
    .filter((c) => c[0] === 0)
    .sort((a, b) => dropScore(a, roles, dropOrder) - dropScore(b, roles, dropOrder));
  const fits = (c: number[]) => {
    const parts = c.slice(1).map((ri, k) => (roles[ri] === "ignore" ? null : values[k + 1]));
    const filled = parts.filter((v): v is number => v != null);
    return filled.length === 0 || values[0] == null || filled.reduce((a, b) => a + b, 0) === values[0];
  };
  const chosen = candidates.find(fits) ?? candidates[0] ?? roles.map((_, i) => i).slice(0, values.length);
  chosen.forEach((ri, k) => out.set(roles[ri]!, values[k] ?? null));
  return out;
}

function dropScore(kept: number[], roles: AmountRole[], dropOrder: AmountRole[]): number {
  let score = 0;
  roles.forEach((r, i) => {
    if (!kept.includes(i)) score += dropOrder.indexOf(r) * 10 + i;
  });
  return score;
}

function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push([...acc]);
    for (let i = start; i < n; i++) walk(i + 1, [...acc, i]);
  };
  if (n <= 8) walk(0, []);
  return out;
}

function readRow(row: RawRow, header: Header): RowFields | null {
  const cells = row.cells.map(slotText);
  const a = isAmount(cells[0]) ? 0 : isAmount(cells[1]) ? 1 : -1;
  if (a < 0) return null;
  const name = cleanText(cells.slice(0, a).join(""));
  const values: (number | null)[] = [];
  let k = a;
  while (k < cells.length && values.length < header.amountRoles.length && isAmountLike(cells[k]!)) {
    values.push(parseScaledAmount(cellText(cells[k])));
    k++;
  }
  const texts = cells.slice(k).filter((c) => !isBlankCell(c));
  // The indicator cell is one of the last text cells (by content: it starts with an item marker).
  let ind = -1;
  for (let i = texts.length - 1; i >= Math.max(0, texts.length - 3); i--) {
    if (looksLikeIndicators(texts[i]!)) {
      ind = i;
      break;
    }
  }
  if (ind < 0 && texts.length >= 2) ind = texts.length - 1;
  const goalPieces = new Cell();
  texts.forEach((t, i) => i !== ind && goalPieces.append(t));
  const goalText = cleanText(goalPieces.toString());
  const amounts = assignAmounts(values, header.amountRoles);
  const fiscal = amounts.get("fiscal") ?? null;
  const specialAccount = amounts.get("specialAccount") ?? null;
  const other = amounts.get("other") ?? null;
  const total = amounts.get("total") ?? (fiscal ?? 0) + (specialAccount ?? 0) + (other ?? 0);
  return {
    name,
    total,
    fiscal,
    specialAccount,
    other,
    goal: goalText === "" ? null : goalText,
    indicatorText: ind >= 0 ? texts[ind]! : null,
    line: row.line,
  };
}

// ---------- subtotals by arithmetic ----------

interface UnitSplit {
  /** Indices of the subtotal rows. */
  units: number[];
}

/** Rows that could be a subtotal: amounts only, no goal or indicators. */
const canBeSubtotal = (r: RowFields) => r.goal == null && r.indicatorText == null && r.name !== "";

/**
 * Chooses the subtotal rows: every row is either a subtotal or a project, the first row is a
 * subtotal, and each subtotal equals the sum of the project rows up to the next subtotal.
 * Returns null when the rows are all projects.
 */
function splitUnits(rows: RowFields[], declared: number | null, hasUnitColumn: boolean): UnitSplit | null {
  const n = rows.length;
  if (n < 2 || !canBeSubtotal(rows[0]!)) return null;
  const t = rows.map((r) => r.total);
  const all = t.reduce((a, b) => a + b, 0);
  if (declared != null && all === declared) return null;
  const exact = exactSplit(rows, t);
  if (exact) return { units: exact };
  const plausible = hasUnitColumn || (declared != null && Math.abs(all - 2 * declared) < Math.abs(all - declared));
  if (!plausible) return null;
  const relaxed = relaxedSplit(rows, t);
  return relaxed && relaxed.mismatches < relaxed.units.length ? { units: relaxed.units } : null;
}

function exactSplit(rows: RowFields[], t: number[]): number[] | null {
  const n = rows.length;
  const nonNegative = t.every((v) => v >= 0);
  const next = new Int32Array(n + 1).fill(-1); // next[s] = end of the segment starting at s
  const ok = new Uint8Array(n + 1);
  ok[n] = 1;
  for (let s = n - 1; s >= 0; s--) {
    if (!canBeSubtotal(rows[s]!)) continue;
    let sum = 0; // of rows s+1 .. e-1, the segment's projects
    for (let e = s + 1; e <= n; e++) {
      if (e > s + 1 && sum === t[s] && ok[e]) next[s] = e; // the last hit is the longest segment
      if (e === n) break;
      sum += t[e]!;
      if (nonNegative ? sum > t[s]! : e - s > 5000) break;
    }
    if (next[s]! >= 0) ok[s] = 1;
  }
  if (!ok[0]) return null;
  const units: number[] = [];
  for (let s = 0; s < n; s = next[s]!) units.push(s);
  return units;
}

/** Fewest subtotals that disagree with their rows; among equals, the most subtotals. */
function relaxedSplit(rows: RowFields[], t: number[]): { units: number[]; mismatches: number } | null {
  const n = rows.length;
  const cand = rows.map((r, i) => (canBeSubtotal(r) ? i : -1)).filter((i) => i >= 0);
  if (cand.length > 3000) return null;
  const prefix = [0];
  for (const v of t) prefix.push(prefix.at(-1)! + v);
  const best = new Map<number, { cost: number; units: number; next: number }>();
  const ends = [...cand, n];
  for (let ci = cand.length - 1; ci >= 0; ci--) {
    const s = cand[ci]!;
    let choice: { cost: number; units: number; next: number } | null = null;
    for (const e of ends) {
      if (e <= s + 1) continue;
      const rest = e === n ? { cost: 0, units: 0 } : best.get(e);
      if (!rest) continue;
      const cost = rest.cost + (prefix[e]! - prefix[s + 1]! === t[s] ? 0 : 1);
      const units = rest.units + 1;
      if (!choice || cost < choice.cost || (cost === choice.cost && units > choice.units)) choice = { cost, units, next: e };
    }
    if (choice) best.set(s, choice);
  }
  const first = best.get(0);
  if (!first) return null;
  const units: number[] = [];
  for (let s = 0; s < n; s = best.get(s)!.next) units.push(s);
  return { units, mismatches: first.cost };
}

// ---------- document ----------

function findHeader(lines: string[]): { index: number; header: Header } | null {
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.includes("\t")) continue;
    const header = readHeader(lines[i]!.split("\t"));
    if (header) return { index: i, header };
  }
  return null;
}

export function parseWideTable(text: string): ParsedDocument {
  const lines = text.split(/\r\n|\r|\n/);
  const found = findHeader(lines);
  if (!found) throw new ParseError("not-budget", "未找到项目支出绩效目标表（缺少“项目名称 / 总计 / 绩效指标”表头）");
  const { index, header } = found;
  // The preamble (title, 部门名称, 单位) is everything above the first table row, header lines aside.
  let firstRow = index + 1;
  while (firstRow < lines.length && !(lines[firstRow]!.includes("\t") && rowStart(lines[firstRow]!.split("\t")))) firstRow++;
  const preambleLines = lines.slice(0, Math.min(firstRow, index + 200)).filter((l) => !(l.includes("\t") && readHeader(l.split("\t"))));
  const pre = readPreamble(preambleLines, lines[index]!);
  const toWan = (v: number) => Math.round((v / pre.toWan) * 1e6) / 1e6;
  const fmt = (v: number) => String(toWan(v));

  const warnings: string[] = [];
  let declared: number | null = null;
  const rows: RowFields[] = [];
  for (const raw of assembleRows(lines, index + 1, header)) {
    const row = readRow(raw, header);
    if (!row) continue;
    if (/^(合计|总计)$/.test(compact(row.name))) {
      if (declared == null) declared = row.total;
      continue;
    }
    if (row.name === "") {
      warnings.push(`第${row.line}行缺少项目名称，已跳过（金额 ${fmt(row.total)} 万元）`);
      continue;
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new ParseError("no-projects", "未在项目支出绩效目标表中找到任何项目");

  const split = splitUnits(rows, declared, header.hasUnitColumn);
  const unitAt = new Set(split?.units ?? []);
  const units: Unit[] = [];
  const projects: Project[] = [];
  let projectSum = 0;
  let currentUnit: { name: string; total: number; sum: number } | null = null;
  const closeUnit = () => {
    if (currentUnit && currentUnit.sum !== currentUnit.total)
      warnings.push(
        `资金使用单位“${currentUnit.name}”小计 ${fmt(currentUnit.total)} 万元，与其下项目金额之和 ${fmt(currentUnit.sum)} 万元不一致`,
      );
  };
  rows.forEach((r, i) => {
    if (unitAt.has(i)) {
      closeUnit();
      currentUnit = { name: r.name, total: r.total, sum: 0 };
      units.push({ name: r.name, declaredTotal: toWan(r.total) });
      return;
    }
    projectSum += r.total;
    if (currentUnit) currentUnit.sum += r.total;
    const parts = [r.fiscal, r.specialAccount, r.other].filter((v): v is number => v != null);
    const partsSum = parts.reduce((a, b) => a + b, 0);
    if (parts.length > 0 && partsSum !== r.total)
      warnings.push(`项目“${r.name}”总计 ${fmt(r.total)} 万元，与各资金来源之和 ${fmt(partsSum)} 万元不一致`);
    projects.push({
      name: r.name,
      unit: currentUnit ? (currentUnit as { name: string }).name : null,
      total: toWan(r.total),
      fiscal: r.fiscal == null ? null : toWan(r.fiscal),
      specialAccount: r.specialAccount == null ? null : toWan(r.specialAccount),
      other: r.other == null ? null : toWan(r.other),
      goal: r.goal,
      indicators: r.indicatorText ? parseIndicatorCell(r.indicatorText) : [],
    });
  });
  closeUnit();
  if (declared != null && declared !== projectSum)
    warnings.push(`表中合计 ${fmt(declared)} 万元，与各项目金额之和 ${fmt(projectSum)} 万元不一致（相差 ${fmt(declared - projectSum)} 万元）`);

  return {
    department: pre.department,
    title: pre.title,
    year: pre.year,
    currencyUnit: "万元",
    layout: "wide-table",
    declaredTotal: declared == null ? null : toWan(declared),
    units,
    projects,
    warnings,
  };
}
