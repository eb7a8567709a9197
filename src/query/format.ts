// Pieces of reply text and Answer fields shared by every kind of answer.
import type { AnswerAction, AnswerProject, AnswerSource, Indicator, ProjectSummary } from "../domain.ts";
import { formatAmount } from "../money.ts";

export const PAGE_SIZE = 10;

export const wan = (v: number): string => `${formatAmount(v)} 万元`;

export function answerProject(p: ProjectSummary): AnswerProject {
  return {
    name: p.name,
    department: p.department,
    unit: p.unit,
    total: p.total,
    id: p.id,
    fiscal: p.fiscal,
    specialAccount: p.specialAccount,
    other: p.other,
    year: p.year,
    sourceName: p.sourceName,
  };
}

/** Who spends the money: the unit when it differs from the department, else the department. */
export function owner(p: Pick<ProjectSummary, "department" | "unit">): string {
  if (p.unit && p.department && p.unit !== p.department) return `${p.department} · ${p.unit}`;
  return p.department ?? p.unit ?? "（部门未注明）";
}

/** One line of a numbered project list. */
export const listLine = (n: number, p: ProjectSummary): string => `${n}. ${p.name} — ${wan(p.total)}（${owner(p)}）`;

export function sourcesOf(projects: ProjectSummary[], max = 5): AnswerSource[] {
  const seen = new Map<string, AnswerSource>();
  for (const p of projects) {
    const key = `${p.sourceName}\n${p.unit ?? ""}`;
    if (!seen.has(key)) seen.set(key, { department: p.department, unit: p.unit, year: p.year, sourceName: p.sourceName });
  }
  return [...seen.values()].slice(0, max);
}

/** "来源：广州市民政局 · 资金使用单位：… · 2024年 · 003_x.txt" (one line per document). */
export function sourceText(sources: AnswerSource[]): string {
  const byFile = new Map<string, AnswerSource[]>();
  for (const s of sources) byFile.set(s.sourceName, [...(byFile.get(s.sourceName) ?? []), s]);
  const lines = [...byFile.values()].map((group) => {
    const first = group[0]!;
    const units = [...new Set(group.map((s) => s.unit).filter((u): u is string => !!u))];
    return [
      first.department ?? "（部门未注明）",
      units.length ? `资金使用单位：${units.join("、")}` : "资金使用单位：未单列",
      first.year != null ? `${first.year}年` : "年度未注明",
      `文件 ${first.sourceName}`,
    ].join(" · ");
  });
  return lines.length === 1 ? `来源：${lines[0]}` : ["来源：", ...lines.map((l) => `  ${l}`)].join("\n");
}

/** The value an indicator is measured against: the annual value, else the period value, else the description. */
export const targetOf = (i: Indicator): string => i.annualValue ?? i.periodValue ?? i.description ?? "（未填写）";

export function indicatorLine(i: Indicator): string {
  const desc = i.description && i.description !== i.name && i.description !== i.annualValue ? `（${i.description}）` : "";
  const period = i.periodValue && i.annualValue && i.periodValue !== i.annualValue ? `；实施周期：${i.periodValue}` : "";
  return `· ${i.name}${desc}：${targetOf(i)}${period}`;
}

/** Indicators grouped by level, in taxonomy order, as reply lines. */
export function indicatorBlock(indicators: Indicator[]): string[] {
  const groups = new Map<string, Indicator[]>();
  for (const i of indicators) {
    const head = [i.level1 ?? "其他指标", i.level2].filter(Boolean).join(" · ");
    groups.set(head, [...(groups.get(head) ?? []), i]);
  }
  const lines: string[] = [];
  for (const [head, items] of groups) lines.push(`【${head}】`, ...items.map(indicatorLine));
  return lines;
}

export const pickAction = (n: number, p: ProjectSummary, view?: "budget" | "indicators"): AnswerAction => ({
  label: `${n}. ${truncate(p.name, 18)}`,
  command: `/pick ${p.id}${view ? ` ${view}` : ""}`,
});
export const MORE_ACTION: AnswerAction = { label: "更多", command: "/more" };

export const truncate = (s: string, n: number): string => ([...s].length > n ? [...s].slice(0, n - 1).join("") + "…" : s);
