// Inline mode through the engine's own commands: "/search <words>" lists projects, and each
// project's budget card is the engine's answer to "/pick <id> budget" (the command behind its
// clarification buttons) or, failing that, to "/budget <name>".
import type { Answer, AnswerProject } from "../src/domain.ts";
import { formatAmount } from "../src/money.ts";
import type { AskContext, QueryEngine } from "../src/query/types.ts";

const sameProject = (a: AnswerProject, b: AnswerProject): boolean =>
  a.id !== undefined && b.id !== undefined
    ? a.id === b.id
    : a.name === b.name && a.department === b.department && a.unit === b.unit && a.total === b.total;

/** Projects matching an inline query, best first. */
export async function inlineSearch(engine: QueryEngine, query: string, ctx: AskContext, limit: number): Promise<AnswerProject[]> {
  const answer = await engine.ask(`/search ${query}`, ctx);
  const seen: AnswerProject[] = [];
  for (const p of answer.projects) if (!seen.some((q) => sameProject(p, q))) seen.push(p);
  return seen.slice(0, limit);
}

/** The budget card of exactly this project. */
export async function inlineBudgetAnswer(engine: QueryEngine, project: AnswerProject, ctx: AskContext): Promise<Answer> {
  if (project.id !== undefined) {
    const picked = await engine.ask(`/pick ${project.id} budget`, ctx);
    if (picked.intent === "project_budget" && picked.projects[0] && sameProject(picked.projects[0], project)) return picked;
  }
  const answer = await engine.ask(`/budget ${project.name}`, ctx);
  const top = answer.projects[0];
  if (answer.intent === "project_budget" && top && sameProject(top, project)) return answer;
  if (answer.intent === "clarify") {
    const index = answer.projects.findIndex((p) => sameProject(p, project));
    const action = index >= 0 ? answer.actions?.[index] : undefined;
    if (action) {
      const picked = await engine.ask(action.command, ctx);
      if (picked.intent === "project_budget" && picked.projects[0] && sameProject(picked.projects[0], project)) return picked;
    }
  }
  return summaryCard(project);
}

/** A card built from the list entry alone, when the engine cannot single the project out. */
export function summaryCard(p: AnswerProject): Answer {
  const lines = [
    p.name,
    `预算：${formatAmount(p.total)} 万元`,
    ...(p.fiscal != null ? [`其中财政拨款：${formatAmount(p.fiscal)} 万元`] : []),
    ...(p.department ? [`部门：${p.department}`] : []),
    ...(p.unit && p.unit !== p.department ? [`资金使用单位：${p.unit}`] : []),
    ...(p.year ? [`年度：${p.year}`] : []),
    ...(p.sourceName ? [`来源：${p.sourceName}`] : []),
  ];
  return { intent: "project_budget", text: lines.join("\n"), projects: [p], indicators: [], title: p.name };
}
