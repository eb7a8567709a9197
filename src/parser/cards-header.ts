// The top of one project card: 项目名称, 预算数 / 其中：财政资金 / 其他资金, 资金用途, 绩效目标.
import { cardText, cellAmount, firstFilled, type Row } from "./cards-text.ts";
import { joinBroken } from "./normalize.ts";

export interface CardHeader {
  name: string;
  /** Amounts exactly as printed, in the card's currency unit (converted later). */
  total: number | null;
  fiscal: number | null;
  specialAccount: number | null;
  other: number | null;
  goal: string | null;
  /** Budget unit named inside the card (a 单位名称 row), when the card has one. */
  unit: string | null;
}

type AmountField = "total" | "fiscal" | "specialAccount" | "other";

/** Which amount a label cell introduces. Keys are space-free, so `其中：财政 资金` arrives as `其中:财政资金`. */
export function amountLabel(key: string): AmountField | null {
  // Labels are short; a long cell mentioning 财政资金 is text, not a label.
  if (key.length > 14 || /规模|用途/.test(key)) return null;
  if (/财政专户/.test(key)) return "specialAccount";
  if (/财政/.test(key)) return "fiscal";
  if (/^(其中:)?其他(资金|来源)?(\(万元\))?:?$/.test(key) || /其他资金/.test(key)) return "other";
  if (/预算数|^(项目|年度)?预算(金额|总额|资金)?(\((万)?元\))?:?$|^(资金|项目)总额:?$/.test(key)) return "total";
  return null;
}

export const isNameLabel = (key: string): boolean => /^项目名称/.test(key);
const isGoalLabel = (key: string): boolean => /绩效目标/.test(key) && !/指标/.test(key);
const isUsageLabel = (key: string): boolean => /资金用途|预算规模/.test(key);
const isUnitLabel = (key: string): boolean => /^(预算|项目|实施|资金使用)?单位(名称)?:?$/.test(key);

/** Any cell that names a field of the card (so it is not part of a free-text value). */
function isLabel(key: string): boolean {
  return isNameLabel(key) || isGoalLabel(key) || isUsageLabel(key) || isUnitLabel(key) || amountLabel(key) !== null;
}

/** Reads the header rows of one card (from the 项目名称 row up to, not including, the indicator table). */
export function parseCardHeader(rows: Row[]): CardHeader {
  const header: CardHeader = {
    name: "",
    total: null,
    fiscal: null,
    specialAccount: null,
    other: null,
    goal: null,
    unit: null,
  };
  const seen = new Set<AmountField>();
  let nameParts: string[] = [];
  let nameOpen = false;
  let goalParts: string[] | null = null;

  for (const row of rows) {
    const first = firstFilled(row);
    if (first < 0) continue;
    const firstKey = row.keys[first] ?? "";

    readUnit(row, header);
    if (isNameLabel(firstKey)) {
      nameParts = valueAfterLabel(row, first, /^项目名称[:：]?/);
      nameOpen = true;
      continue;
    }
    readAmounts(row, header, seen);
    if (isGoalLabel(firstKey)) {
      goalParts = valueAfterLabel(row, first, /^.*绩效目标[:：]?/);
      nameOpen = false;
      continue;
    }
    if (isUnitLabel(firstKey)) continue;
    const hasLabel = row.keys.some(isLabel);
    if (hasLabel) {
      nameOpen = false;
      // A usage label ends the goal: what follows is 资金用途 text, not the goal.
      if (goalParts && row.keys.some(isUsageLabel)) goalParts = null;
      continue;
    }
    // A table row of free text continues the open field (a page-broken cell); a line without
    // cells is a running title or footer.
    if (!row.tabular) continue;
    const text = row.cells.filter((c) => c !== "");
    if (goalParts) goalParts.push(...text);
    else if (nameOpen && first > 0) nameParts.push(...text);
  }
  header.name = cardText(nameParts.reduce(joinBroken, ""));
  if (goalParts) {
    const goal = cardText(goalParts.reduce(joinBroken, ""));
    header.goal = goal === "" ? null : goal;
  }
  return header;
}

/** A 单位名称 / 预算单位 label anywhere on the row names the card's budget unit. */
function readUnit(row: Row, header: CardHeader): void {
  if (header.unit) return;
  const at = row.keys.findIndex(isUnitLabel);
  if (at < 0) return;
  const unit = valueAfterLabel(row, at, /^.*单位(名称)?[:：]?/).join("");
  if (unit) header.unit = cardText(unit.replace(/^\d{3,}\s*/, ""));
}

/** The text that follows a label: the rest of the label cell itself, then the row's other filled cells. */
function valueAfterLabel(row: Row, labelAt: number, label: RegExp): string[] {
  const parts: string[] = [];
  const inCell = (row.cells[labelAt] ?? "").replace(/\s+/g, "").replace(label, "");
  if (inCell) parts.push(inCell);
  for (let i = labelAt + 1; i < row.cells.length; i++) {
    const key = row.keys[i] ?? "";
    if (key === "") continue;
    if (isLabel(key)) break;
    parts.push(row.cells[i] ?? "");
  }
  return parts;
}

/** Each amount label takes the next filled cell on its row when that cell is an amount. */
function readAmounts(row: Row, header: CardHeader, seen: Set<AmountField>): void {
  for (let i = 0; i < row.keys.length; i++) {
    const key = row.keys[i] ?? "";
    // "预算数：14.00" may come in one cell
    const inline = /^(.*?):?([-+]?[0-9][0-9,，]*(?:[.．][0-9]+)?)(?:万元|元)?$/.exec(key);
    const labelPart = inline ? (inline[1] ?? "") : key;
    const field = amountLabel(labelPart);
    if (!field || seen.has(field)) continue;
    seen.add(field);
    if (inline?.[2]) {
      const v = cellAmount(inline[2]);
      if (typeof v === "number") header[field] = v;
      continue;
    }
    let j = i + 1;
    while (j < row.keys.length && row.keys[j] === "") j++;
    const next = row.keys[j];
    if (next === undefined || isLabel(next)) continue;
    const v = cellAmount(next);
    if (typeof v === "number") header[field] = v;
  }
}
