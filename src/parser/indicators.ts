// The wide tables' 绩效指标 cell: all indicators of a project packed into one string, in one of
// three grammars (the numbering may restart, values may contain `；` or `、`):
//   G1  1、2-效益指标；22-社会效益；NAME；实施周期指标值：…；年度指标值：…。
//   G2  1-产出指标：NAME，年度指标值：VALUE。
//   G3  1、产出指标：NAME，年度指标值：VALUE。
// Items are split at their markers (number + level-1 name), never at `；` or `。`, so values keep
// whatever punctuation they contain.
import type { Indicator } from "../domain.ts";
import { cleanText, trimSeparators } from "./normalize.ts";
import { canonicalLevel1, canonicalLevel2 } from "./taxonomy.ts";

const DASH = "[-－—–]";
const LEVEL1 = "(产出|效益|满意度?)\\s*指\\s*标";
const AFTER = "\\s*[；;：:，,]?";
// One alternation so the leftmost marker wins: in `1、2-效益指标` the G1 marker starts at `1`.
// (?<!\d) keeps `1-2个` and amounts such as `2023、` from being read as numbering.
const MARKER = new RegExp(
  [
    `(?<!\\d)\\d{1,3}\\s*[、.．]\\s*\\d\\s*${DASH}\\s*${LEVEL1}${AFTER}`, // G1: 1、2-效益指标；
    `(?<!\\d)\\d{1,3}\\s*[、.．]\\s*${LEVEL1}${AFTER}`, // G3: 1、产出指标：
    `(?<!\\d)\\d{1,3}\\s*${DASH}\\s*${LEVEL1}${AFTER}`, // G2: 1-产出指标：
    `(?:^|(?<=。))\\s*${LEVEL1}\\s*[：:；;]`, // unnumbered: 产出指标： (only after 。, not after ；)
  ]
    .map((p) => `(?:${p})`)
    .join("|"),
  "g",
);
const LEVEL1_IN_MARKER = new RegExp(LEVEL1);

// A level-2 label at the start of an item body. Only peeled off when coded (`22-社会效益；`) or
// spelled out with 指标 and followed by `；`, so a name such as `服务对象满意度，` stays a name.
const LEVEL2_NAMES = "数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|服务对象满意度?|满意度";
const CODED_LEVEL2 = new RegExp(`^\\s*(\\d{1,2}\\s*${DASH}\\s*(?:${LEVEL2_NAMES})\\s*(?:指标)?)\\s*[；;：:，,]`);
const NAMED_LEVEL2 = new RegExp(`^\\s*((?:${LEVEL2_NAMES})\\s*指标)\\s*[；;]`);

const PERIOD_LABEL = /实施周期指标值\s*[：:]?/;
const ANNUAL_LABEL = /年度指标值\s*[：:]?/;
const ANY_VALUE_LABEL = /指标值\s*[：:]/;

/** True when the text is an indicator cell (starts with an item marker). */
export function looksLikeIndicators(text: string): boolean {
  const head = cleanText(text.slice(0, 200));
  MARKER.lastIndex = 0;
  const m = MARKER.exec(head);
  return m != null && m.index === 0;
}

/** True when `text` begins a new indicator item, or a value label (a cell continued on a new line). */
export function startsIndicatorItem(text: string): boolean {
  const head = cleanText(text.slice(0, 200));
  return looksLikeIndicators(head) || /^(实施周期指标值|年度指标值)/.test(head);
}

/**
 * An indicator cell that reads as finished: it ends with a stop and its last item has reached its
 * value (a cell broken after `1.物管覆盖率。` is not finished). Looks at the tail only.
 */
export function indicatorCellComplete(text: string): boolean {
  // "≥99." is a number cut short, not a stop.
  if (!/(?:。|(?<!\d)\.)$/.test(cleanText(text.length > 40 ? text.slice(-40) : text))) return false;
  const tail = cleanText(text.length > 3000 ? text.slice(-3000) : text);
  let lastMarkerEnd = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(tail); m != null; m = MARKER.exec(tail)) {
    if (m[0].length === 0) MARKER.lastIndex++;
    else lastMarkerEnd = m.index + m[0].length;
  }
  return tail.slice(lastMarkerEnd).includes("指标值");
}

/** All indicators of one 绩效指标 cell, in order. Text before the first marker is ignored. */
export function parseIndicatorCell(raw: string): Indicator[] {
  const text = cleanText(raw);
  const out: Indicator[] = [];
  const marks: { start: number; end: number; level1: string }[] = [];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m != null; m = MARKER.exec(text)) {
    if (m[0].length === 0) {
      MARKER.lastIndex++;
      continue;
    }
    marks.push({ start: m.index, end: m.index + m[0].length, level1: LEVEL1_IN_MARKER.exec(m[0])?.[0] ?? "" });
  }
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i]!;
    const body = text.slice(mark.end, i + 1 < marks.length ? marks[i + 1]!.start : text.length);
    out.push(parseItem(mark.level1, body));
  }
  return out;
}

function parseItem(level1Raw: string, bodyRaw: string): Indicator {
  let body = bodyRaw;
  let level2: Indicator["level2"] = null;
  const l2 = CODED_LEVEL2.exec(body) ?? NAMED_LEVEL2.exec(body);
  if (l2) {
    level2 = canonicalLevel2(l2[1]!);
    if (level2) body = body.slice(l2[0].length);
  }

  const period = PERIOD_LABEL.exec(body);
  const afterPeriod = period ? period.index + period[0].length : 0;
  // 年度指标值 normally follows 实施周期指标值; look after it first, then before it.
  let annual: { index: number; length: number } | null = null;
  const after = ANNUAL_LABEL.exec(body.slice(afterPeriod));
  if (after) annual = { index: after.index + afterPeriod, length: after[0].length };
  else if (period) {
    const before = ANNUAL_LABEL.exec(body.slice(0, period.index));
    if (before) annual = { index: before.index, length: before[0].length };
  }
  if (!annual && !period) {
    const any = ANY_VALUE_LABEL.exec(body);
    if (any) annual = { index: any.index, length: any[0].length };
  }

  const nameEnd = Math.min(period?.index ?? body.length, annual?.index ?? body.length);
  const name = trimSeparators(body.slice(0, nameEnd));
  let periodValue: string | null = null;
  let annualValue: string | null = null;
  if (period) {
    const end = annual && annual.index > period.index ? annual.index : body.length;
    periodValue = trimSeparators(body.slice(afterPeriod, end));
  }
  if (annual) {
    const start = annual.index + annual.length;
    const end = period && period.index > annual.index ? period.index : body.length;
    annualValue = trimSeparators(body.slice(start, end));
  }
  return {
    level1: canonicalLevel1(level1Raw),
    level2,
    name,
    description: null,
    periodValue: periodValue === "" ? null : periodValue,
    annualValue: annualValue === "" ? null : annualValue,
  };
}
