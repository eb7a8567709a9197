// Project-card layout (seed 002): one card per project — 项目名称, 预算数 / 其中：财政资金 / 其他资金,
// 资金用途, 绩效目标 and an indicator table — after a document head with title and 目录.
import { ParseError, type ParsedDocument, type Project } from "../domain.ts";
import { formatAmount, toCents } from "../money.ts";
import { isNameLabel, parseCardHeader } from "./cards-header.ts";
import { DEFAULT_COLUMNS, IndicatorTable, indicatorColumns, type IndicatorColumns } from "./cards-indicators.ts";
import { cardText, cellAmount, firstFilled, isBlank, toRows, type Row } from "./cards-text.ts";
import { checkToc, isNumberedHeading, readToc, type FoundCard } from "./cards-toc.ts";
import { canonicalLevel1 } from "./taxonomy.ts";

type Currency = "万元" | "元";

/** The lines that introduce a card: heading, budget unit, currency line. */
interface Preamble {
  heading: string | null;
  unit: string | null;
  currency: Currency | null;
}

/** Most lines the preamble of a card may have (heading, unit, currency, a stray title). */
const MAX_PREAMBLE_LINES = 6;

export function parseProjectCards(text: string): ParsedDocument {
  const rows = toRows(text);
  const starts = rows.flatMap((r, i) => (isNameLabel(r.keys[firstFilled(r)] ?? "") ? [i] : []));
  const preambleStarts = starts.map((s, k) => preambleStart(rows, s, k > 0 ? (starts[k - 1] ?? -1) : -1));
  const head = rows.slice(0, preambleStarts[0] ?? rows.length);
  const docCurrency = currencyIn(head) ?? "万元";

  const warnings: string[] = [];
  const projects: Project[] = [];
  const found: FoundCard[] = [];
  starts.forEach((start, k) => {
    const preamble = readPreamble(rows.slice(preambleStarts[k] ?? start, start));
    const card = rows.slice(start, preambleStarts[k + 1] ?? rows.length);
    const project = readCard(card, preamble, preamble.currency ?? docCurrency, warnings);
    if (project) {
      projects.push(project);
      found.push({ heading: preamble.heading, name: project.name });
    }
  });
  if (projects.length === 0) throw new ParseError("no-projects", "未找到项目支出绩效目标表中的项目卡片");

  const docHead = readDocumentHead(head);
  warnings.push(...checkToc(readToc(head), found));
  const declaredTotal = declaredTotalIn(head, docCurrency);
  if (declaredTotal !== null) {
    const sum = projects.reduce((c, p) => c + toCents(p.total), 0);
    if (sum !== toCents(declaredTotal)) {
      warnings.push(`合计 ${formatAmount(declaredTotal)} 万元与各项目预算数之和 ${formatAmount(sum / 100)} 万元不符`);
    }
  }
  return {
    department: docHead.department ?? mostCommon(projects.map((p) => p.unit)),
    title: docHead.title,
    year: docHead.year,
    currencyUnit: "万元",
    layout: "project-cards",
    declaredTotal,
    units: [],
    projects,
    warnings,
  };
}

/** Walks back from a card's 项目名称 row over the free-text lines that introduce it. */
function preambleStart(rows: Row[], start: number, floor: number): number {
  let first = start;
  let lines = 0;
  for (let j = start - 1; j > floor && lines < MAX_PREAMBLE_LINES; j--) {
    const row = rows[j];
    if (!row) break;
    if (isBlank(row)) continue;
    if (row.tabular) break;
    first = j;
    lines++;
    if (isHeading(row)) break;
  }
  return first;
}

const rowText = (row: Row): string => cardText(row.cells.filter((c) => c !== "").join(" "));
const isHeading = (row: Row): boolean => {
  const t = rowText(row);
  return isNumberedHeading(t) || /绩效目标表$/.test(row.keys.join(""));
};

function currencyOf(key: string): Currency | null {
  const m = /单位:(万元|元)/.exec(key);
  return m ? (m[1] as Currency) : null;
}

function currencyIn(rows: Row[]): Currency | null {
  for (const row of rows) {
    for (const key of row.keys) {
      const currency = currencyOf(key);
      if (currency) return currency;
    }
  }
  return null;
}

function readPreamble(rows: Row[]): Preamble {
  const pre: Preamble = { heading: null, unit: null, currency: null };
  for (const row of rows) {
    if (isBlank(row)) continue;
    const key = row.keys.join("");
    pre.currency ??= currencyOf(key);
    if (!pre.heading && isHeading(row)) {
      pre.heading = rowText(row);
      continue;
    }
    // "561301 中国共产主义青年团天津市委员会" or "预算单位：…", maybe followed by "单位：万元"
    const text = rowText(row).replace(/\s*(?:金额)?单位\s*[:：]\s*(?:万元|元)\s*$/, "");
    const coded = /^\d{3,}\s*(\D.*)$/.exec(text);
    const labelled = /^(?:预算|项目|实施|资金使用)?单位(?:名称)?\s*[:：]\s*(.+)$/.exec(text);
    const unit = coded?.[1] ?? labelled?.[1];
    if (!pre.unit && unit) pre.unit = cardText(unit);
  }
  return pre;
}

/** One card: header fields, amounts converted to 万元, indicators, and the 预算数 self-check. */
function readCard(card: Row[], preamble: Preamble, currency: Currency, warnings: string[]): Project | null {
  const headerEnd = card.findIndex((r) => indicatorColumns(r.keys) !== null);
  let cols: IndicatorColumns | null = null;
  let tableStart = -1;
  if (headerEnd >= 0) {
    cols = indicatorColumns(card[headerEnd]?.keys ?? []);
    tableStart = headerEnd;
  } else {
    // no header row: the table starts at the first row led by a level-1 name
    tableStart = card.findIndex((r, i) => i > 0 && canonicalLevel1(r.cells[firstFilled(r)] ?? "") !== null && firstFilled(r) === 0);
    if (tableStart >= 0) cols = DEFAULT_COLUMNS;
  }
  const headerRows = tableStart >= 0 ? card.slice(0, tableStart) : card;
  const header = parseCardHeader(headerRows);
  const name = header.name || (preamble.heading ? cardText(preamble.heading.replace(/^[-•·*]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*/, "").replace(/绩效目标表$/, "")) : "");
  if (!name || (header.total === null && header.fiscal === null && cols === null)) return null;

  const rate = (currencyIn(headerRows) ?? currency) === "元" ? 10_000 : 1;
  const indicators = new IndicatorTable(cols ?? DEFAULT_COLUMNS);
  if (cols) for (const row of card.slice(tableStart)) indicators.add(row);

  let total = header.total;
  const parts = [header.fiscal, header.specialAccount, header.other];
  const partsCents = parts.reduce<number>((c, v) => c + (v === null ? 0 : toCents(v)), 0);
  const anyPart = parts.some((v) => v !== null);
  if (total === null) {
    total = anyPart ? partsCents / 100 : 0;
    warnings.push(`项目「${name}」未找到预算数` + (anyPart ? "，按财政资金与其他资金之和计" : ""));
  } else if (anyPart && toCents(total) !== partsCents) {
    const unitName = rate === 1 ? "万元" : "元";
    warnings.push(
      `项目「${name}」预算数 ${formatAmount(total)} ${unitName}与财政资金 ${formatAmount(header.fiscal ?? 0)} ${unitName}` +
        `加其他资金 ${formatAmount(header.other ?? 0)} ${unitName}` +
        (header.specialAccount !== null ? `、财政专户 ${formatAmount(header.specialAccount)} ${unitName}` : "") +
        `之和 ${formatAmount(partsCents / 100)} ${unitName}不符`,
    );
  }
  const list = indicators.indicators();
  if (list.length === 0) warnings.push(`项目「${name}」未找到绩效指标`);
  const toWan = (v: number | null): number | null => (v === null ? null : rate === 1 ? v : toCents(v) / 1_000_000);
  return {
    name,
    unit: header.unit ?? preamble.unit,
    total: toWan(total) ?? 0,
    fiscal: toWan(header.fiscal),
    specialAccount: toWan(header.specialAccount),
    other: toWan(header.other),
    goal: header.goal,
    indicators: list,
  };
}

interface DocumentHead {
  department: string | null;
  title: string | null;
  year: number | null;
}

const BENJI = /\s*[（(]\s*本\s*级\s*[)）]\s*$/;
const YEAR = /((?:19|20)\d{2})\s*年/;

/** Title, department and year from the lines before the first card. */
function readDocumentHead(head: Row[]): DocumentHead {
  const lines = head.filter((r) => !isBlank(r)).map(rowText);
  const out: DocumentHead = { department: null, title: null, year: null };
  const yearLine = lines.find((l) => YEAR.test(l.replace(/\s+/g, "")) && !isNumberedHeading(l));
  const year = yearLine ? YEAR.exec(yearLine.replace(/\s+/g, ""))?.[1] : undefined;
  if (year) out.year = Number(year);

  const labelled = lines.map((l) => /^(?:部门|单位)名称\s*[:：]\s*(.+)$/.exec(l)?.[1]).find((v) => v);
  const titleAt = lines.findIndex((l) => /绩效目标表/.test(l) && !isNumberedHeading(l));
  if (titleAt >= 0) {
    const line = lines[titleAt] ?? "";
    const at = line.search(/(?:项目支出)?绩效目标表/);
    out.title = cardText(line.slice(at).replace(/[（(]\s*(?:19|20)\d{2}\s*年度?\s*[)）]\s*$/, ""));
    const before = cardText(line.slice(0, at).replace(/[（(]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?/g, ""));
    const above = lines.slice(0, titleAt).filter((l) => !/^(附件|附表|表\s*\d)|^\d+$/.test(l.replace(/\s+/g, "")));
    out.department = before || (above.at(-1) ?? null);
  }
  if (labelled) out.department = labelled;
  if (out.department) out.department = cardText(out.department.replace(BENJI, "")) || null;
  if (out.department && (YEAR.test(out.department) || out.department === "目录")) out.department = null;
  return out;
}

/** A 合计 / 总计 stated in the document head, in 万元. */
function declaredTotalIn(head: Row[], currency: Currency): number | null {
  for (const row of head) {
    const i = row.keys.findIndex((k) => /^(?:项目支出)?(?:合计|总计)(?:金额)?:?/.test(k));
    if (i < 0) continue;
    const inline = /^(?:项目支出)?(?:合计|总计)(?:金额)?:?(.+?)(?:万元|元)?$/.exec(row.keys[i] ?? "")?.[1];
    const next = row.keys.slice(i + 1).find((k) => k !== "");
    const v = cellAmount(inline ?? next ?? "");
    if (typeof v === "number") return currency === "元" ? toCents(v) / 1_000_000 : v;
  }
  return null;
}

function mostCommon(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = v;
  return best;
}
