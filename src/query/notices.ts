// An ingest event → the notice a subscribed chat receives (Chinese), as an Answer so the usual
// renderers turn it into Telegram HTML or a Feishu card. Pure.
import type { Answer, AnswerProject } from "../domain.ts";
import type { DocumentSummary, IngestEvent, Replacement } from "../../index/events.ts";
import type { ProjectBrief } from "../../index/outbox.ts";
import { formatAmount, toCents } from "../money.ts";
import { wan } from "./format.ts";

/** Longest list of added / removed / changed projects shown; the rest are counted. */
const LIST_MAX = 8;

const unitSuffix = (unit: string | null): string => (unit ? `（${unit}）` : "");

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const out = items.slice(0, LIST_MAX).map((i) => `· ${line(i)}`);
  if (items.length > LIST_MAX) out.push(`· ……另有 ${items.length - LIST_MAX} 个`);
  return out;
}

/** The document's own warnings, plus a 合计 check when the parser said nothing about it. */
function warningsOf(d: DocumentSummary): string[] {
  const out = [...d.warnings];
  if (d.declaredTotal !== null && toCents(d.declaredTotal) !== toCents(d.total) && !out.some((w) => w.includes("合计"))) {
    out.push(`文件合计 ${wan(d.declaredTotal)}，与各项目金额之和 ${wan(d.total)} 不一致`);
  }
  return out;
}

function changeLines(r: Replacement): string[] {
  if (r.added.length + r.removed.length + r.changed.length === 0) return ["与上一版相比：项目与金额均无变化"];
  const out = ["与上一版相比："];
  if (r.added.length) out.push(`新增 ${r.added.length} 个项目：`, ...listed(r.added, (p) => `${p.name}${unitSuffix(p.unit)} ${wan(p.total)}`));
  if (r.removed.length) out.push(`删除 ${r.removed.length} 个项目：`, ...listed(r.removed, (p) => `${p.name}${unitSuffix(p.unit)} ${wan(p.total)}`));
  if (r.changed.length) {
    out.push(
      `金额变化 ${r.changed.length} 个项目：`,
      ...listed(r.changed, (p) => `${p.name}${unitSuffix(p.unit)} ${formatAmount(p.before)} → ${formatAmount(p.after)} 万元`),
    );
  }
  return out;
}

function ingestedNotice(d: DocumentSummary, replaced: Replacement | undefined, largest: ProjectBrief[]): Answer {
  const department = d.department ?? "未注明部门";
  const lines = [
    replaced ? `预算文件已更新：${d.sourceName}` : `收到新的预算文件：${d.sourceName}`,
    `部门：${department}`,
    `年度：${d.year !== null ? `${d.year}年` : "未注明"}`,
    `项目数：${d.projectCount} 个`,
    `合计：${wan(d.total)}`,
  ];
  if (largest.length) {
    lines.push(`预算最多的${largest.length === 1 ? "项目" : `${largest.length}个项目`}：`);
    largest.forEach((p, i) => lines.push(`${i + 1}. ${p.name}${unitSuffix(p.unit)} ${wan(p.total)}`));
  }
  const warnings = warningsOf(d);
  if (warnings.length) lines.push(`注意，数字对不上（${warnings.length} 处）：`, ...listed(warnings, (w) => w));
  if (replaced) lines.push(...changeLines(replaced));
  const projects: AnswerProject[] = largest.map((p) => ({ name: p.name, department: d.department, unit: p.unit, total: p.total }));
  return {
    intent: "department",
    title: `${replaced ? "预算更新" : "新预算文件"}：${department}`,
    text: lines.join("\n"),
    projects,
    indicators: [],
    sources: [{ department: d.department, unit: null, year: d.year, sourceName: d.sourceName }],
  };
}

/** The notice for one ingest event; `largest` are the document's largest projects (see NoticePayload). */
export function noticeAnswer(event: IngestEvent, largest: ProjectBrief[] = []): Answer {
  switch (event.kind) {
    case "ingested":
      return ingestedNotice(event.document, event.replaced, largest);
    case "refused":
      return {
        intent: "not_found",
        title: "文件未能入库",
        text: [`文件未能入库：${event.sourceName}`, `原因：${event.reason}`].join("\n"),
        projects: [],
        indicators: [],
      };
    case "duplicate":
      return {
        intent: "help",
        title: "文件已收录",
        text: `文件 ${event.sourceName} 已收录过（与 ${event.existing.sourceName} 内容相同），未重复入库。`,
        projects: [],
        indicators: [],
      };
  }
}
