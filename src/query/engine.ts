// The query engine: message → intent → catalog look-ups → one Answer. Pure given the catalog
// and the per-chat conversation state.
import type { Catalog, ProjectQuery } from "../../index/catalog.ts";
import type { Answer, AnswerAction, DepartmentRecord, IntentName, ProjectRecord, ProjectSummary } from "../domain.ts";
import { AnswerSchema } from "../domain.ts";
import { sumAmounts } from "../money.ts";
import { INDICATOR_MIN_SCORE, indicatorWords, matchIndicators, selectByLevel } from "./indicators.ts";
import type { Intent, IntentParser } from "./intent.ts";
import { IntentSchema } from "./intent.ts";
import { findDepartmentMention, looksLikeBody, resolveProject, type Candidate, type DepartmentMention, type ProjectResolution } from "./resolve.ts";
import { RuleIntentParser, splitSubject, stripBudgetWords } from "./rules.ts";
import { CatalogCache } from "./cache.ts";
import { ConversationStore, type ChatState, type FollowUp, type Pager } from "./state.ts";
import { normalizeQuestion, compactName, isLatin } from "./text.ts";
import type { AskContext, QueryEngine } from "./types.ts";
import {
  MORE_ACTION,
  PAGE_SIZE,
  answerProject,
  indicatorBlock,
  indicatorLine,
  listLine,
  owner,
  pickAction,
  sourceText,
  sourcesOf,
  targetOf,
  truncate,
  wan,
} from "./format.ts";

export interface QueryEngineOptions {
  parser?: IntentParser;
  /** How long a chat's pending choice / list stays usable (default 10 minutes). */
  ttlMs?: number;
  pageSize?: number;
}

export interface BudgetQueryEngine extends QueryEngine {
  /** The intent a message is read as (for tests and debugging). */
  understand(text: string, ctx?: AskContext): Intent;
}

interface Reply {
  answer: Answer;
  /** The chat's state after this answer (omitted: forget it). */
  state?: ChatState;
}

/** Close seconds offered after an answer, "did you mean", within this score of the best. */
const NEAR_MARGIN = 0.1;
const MAX_CHOICES = 8;

export function createQueryEngine(catalog: Catalog, opts: QueryEngineOptions = {}): BudgetQueryEngine {
  const parser = opts.parser ?? new RuleIntentParser();
  const store = new ConversationStore(opts.ttlMs);
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const cache = new CatalogCache(catalog);

  const understand = (text: string, ctx: AskContext = { chatKey: "-" }): Intent => {
    const t = normalizeQuestion(text);
    return IntentSchema.parse(parser.parse(t, ctx) ?? { kind: "help" });
  };

  // ---------- helpers over the catalog ----------

  const departmentSources = (names: string[]) =>
    cache
      .documents()
      .filter((d) => d.department != null && names.includes(d.department))
      .map((d) => ({ department: d.department, unit: null, year: d.year, sourceName: d.sourceName }));

  function exampleQuestions(): string[] {
    const depts = cache.departments();
    const out: string[] = [];
    const first = depts[0];
    if (first) {
      const top = cache.query({ departments: [first.name], order: "total-desc", limit: 1 }).items[0];
      if (top) out.push(`${top.name}预算多少`, `${truncate(top.name, 12)}的绩效指标`);
      out.push(`${first.aliases[0] ?? first.name}有哪些项目`, `${first.aliases[0] ?? first.name}预算最高的三个项目`);
    }
    out.push("超过100万的项目", "搜索 关键词（如：养老）");
    return out;
  }

  function notFound(reason: string, extra: string[] = []): Reply {
    const depts = cache.departments();
    const lines = [
      reason,
      ...extra,
      depts.length
        ? `目前可查询的部门（${depts.length} 个）：${depts.slice(0, 8).map((d) => d.name).join("、")}${depts.length > 8 ? " 等" : ""}`
        : "目前还没有导入任何预算文件。",
      "你可以这样问：",
      ...exampleQuestions().map((q) => `· ${q}`),
    ];
    return {
      answer: { intent: "not_found", text: lines.join("\n"), projects: [], indicators: [], actions: [{ label: "帮助", command: "/help" }] },
    };
  }

  /** A page of a list answer, with "more" when rows remain. */
  function page(pager: Pager): { items: ProjectSummary[]; total: number } {
    if (pager.source.type === "items") return { items: pager.source.items.slice(pager.offset, pager.offset + pageSize), total: pager.source.items.length };
    const q = pager.source.query;
    const cap = q.limit ?? Infinity; // rankings ask for N rows in all
    const limit = Math.max(0, Math.min(pageSize, cap - pager.offset));
    const r = cache.query({ ...q, offset: (q.offset ?? 0) + pager.offset, limit });
    return { items: r.items, total: Math.min(r.total, cap) };
  }

  function listReply(heading: string, pager: Pager, title?: string): Reply {
    const intent = pager.intent;
    const { items, total } = page(pager);
    const start = pager.offset;
    const shown = start + items.length;
    const lines = [heading, ...items.map((p, i) => listLine(start + i + 1, p))];
    if (shown < total) lines.push(`（第 ${start + 1}–${shown} 个，共 ${total} 个；回复“更多”查看后面的项目，回复序号查看详情）`);
    else if (items.length > 1) lines.push("（回复序号查看详情）");
    const sources = sourcesOf(items);
    if (sources.length) lines.push(sourceText(sources));
    const actions: AnswerAction[] = items.slice(0, 5).map((p, i) => pickAction(start + i + 1, p));
    if (shown < total) actions.push(MORE_ACTION);
    const next: Pager = { ...pager, offset: shown, shownIds: [...(pager.shownIds ?? []).slice(0, start), ...items.map((p) => p.id)] };
    return {
      answer: { intent, text: lines.join("\n"), projects: items.map(answerProject), indicators: [], sources, actions, ...(title ? { title } : {}) },
      state: { pager: next },
    };
  }

  // ---------- answers about one project ----------

  function projectBudget(p: ProjectRecord, nearby: ProjectSummary[] = []): Reply {
    const parts = [`财政拨款 ${p.fiscal != null ? wan(p.fiscal) : "—"}`];
    if (p.specialAccount) parts.push(`财政专户拨款 ${wan(p.specialAccount)}`);
    if (p.other) parts.push(`其他资金 ${wan(p.other)}`);
    const lines = [
      p.name,
      `预算总计：${wan(p.total)}（${parts.join("；")}）`,
      `部门：${p.department ?? "（未注明）"}`,
      `资金使用单位：${p.unit ?? "未单列（部门本级）"}`,
    ];
    if (p.goal) lines.push(`绩效目标：${truncate(p.goal, 120)}`);
    if (p.indicators.length) lines.push(`绩效指标 ${p.indicators.length} 项（回复“${truncate(p.name, 10)}的绩效指标”查看）`);
    return withNearby({ intent: "project_budget", title: p.name, lines, project: p }, nearby, { view: "budget" });
  }

  function projectIndicators(p: ProjectRecord, follow: Extract<FollowUp, { view: "indicators" }>, nearby: ProjectSummary[] = []): Reply {
    const sel = selectByLevel(p.indicators, follow.level1, follow.level2);
    const what = follow.level2 ?? follow.level1 ?? "绩效指标";
    const lines: string[] = [];
    let shown = sel.items;
    if (!p.indicators.length) {
      lines.push(`${p.name}（预算 ${wan(p.total)}）在表中没有填写绩效指标。`);
    } else if (!shown.length) {
      lines.push(`${p.name}没有${what}。该项目的全部绩效指标（${p.indicators.length} 项）：`);
      shown = p.indicators;
    } else {
      lines.push(`${p.name}的${what}（${shown.length} 项）：`);
      if (sel.note) lines.push(`（${sel.note}）`);
    }
    lines.push(...indicatorBlock(shown));
    if (p.goal && !follow.level1 && !follow.level2) lines.push(`绩效目标：${truncate(p.goal, 160)}`);
    lines.push(`预算：${wan(p.total)}`);
    return withNearby({ intent: "project_indicators", title: p.name, lines, project: p, indicators: shown }, nearby, follow);
  }

  function indicatorValue(p: ProjectRecord, phrase: string, nearby: ProjectSummary[] = []): Reply {
    const ranked = matchIndicators(p.indicators, phrase);
    const best = ranked[0];
    if (!best || best.score < INDICATOR_MIN_SCORE) {
      const lines = [`${p.name}没有名为“${phrase}”的指标。该项目的绩效指标（${p.indicators.length} 项）：`, ...indicatorBlock(p.indicators)];
      return withNearby({ intent: "indicator_value", title: p.name, lines, project: p, indicators: p.indicators }, nearby, { view: "indicator_value", indicator: phrase });
    }
    const close = ranked.filter((m) => m !== best && m.score >= INDICATOR_MIN_SCORE && best.score - m.score < 0.05).slice(0, 3);
    const i = best.indicator;
    const level = [i.level1, i.level2].filter(Boolean).join(" · ");
    const lines = [`${p.name} · ${i.name}`, `目标值：${targetOf(i)}${level ? `（${level}）` : ""}`];
    if (i.periodValue && i.annualValue && i.periodValue !== i.annualValue) lines.push(`实施周期指标值：${i.periodValue}`);
    if (i.description && i.description !== i.name && i.description !== targetOf(i)) lines.push(`指标说明：${i.description}`);
    if (close.length) lines.push("相关指标：", ...close.map((m) => indicatorLine(m.indicator)));
    return withNearby(
      { intent: "indicator_value", title: p.name, lines, project: p, indicators: [i, ...close.map((m) => m.indicator)] },
      nearby,
      { view: "indicator_value", indicator: phrase },
    );
  }

  /** Adds the source, and a numbered "did you mean" list when other projects fit almost as well. */
  function withNearby(
    a: { intent: IntentName; title: string; lines: string[]; project: ProjectRecord; indicators?: Answer["indicators"] },
    nearby: ProjectSummary[],
    followUp: FollowUp,
  ): Reply {
    const sources = sourcesOf([a.project]);
    const lines = [...a.lines];
    const actions: AnswerAction[] = [];
    if (followUp.view === "budget" && a.project.indicators.length) actions.push({ label: "绩效指标", command: `/pick ${a.project.id} indicators` });
    if (followUp.view !== "budget") actions.push({ label: "预算详情", command: `/pick ${a.project.id} budget` });
    let state: ChatState | undefined;
    if (nearby.length) {
      lines.push("相近的项目（回复序号查看）：", ...nearby.map((p, i) => listLine(i + 2, p)));
      actions.push(...nearby.map((p, i) => pickAction(i + 2, p)));
      state = { clarification: { candidates: [a.project.id, ...nearby.map((p) => p.id)], followUp } };
    }
    lines.push(sourceText(sources));
    return {
      answer: {
        intent: a.intent,
        title: a.title,
        text: lines.join("\n"),
        projects: [a.project, ...nearby].map(answerProject),
        indicators: a.indicators ?? [],
        sources,
        actions,
      },
      state,
    };
  }

  function answerFor(id: number, followUp: FollowUp, nearby: ProjectSummary[] = []): Reply | null {
    const p = catalog.getProject(id);
    if (!p) return null;
    if (followUp.view === "indicators") return projectIndicators(p, followUp, nearby);
    if (followUp.view === "indicator_value") return indicatorValue(p, followUp.indicator, nearby);
    return projectBudget(p, nearby);
  }

  function clarify(candidates: Candidate[], phrase: string, followUp: FollowUp): Reply {
    const list = candidates.slice(0, MAX_CHOICES).map((c) => c.project);
    const lines = [`有 ${list.length} 个项目都叫“${list[0]!.name}”，请回复序号选择：`, ...list.map((p, i) => listLine(i + 1, p))];
    const sources = sourcesOf(list);
    lines.push(sourceText(sources));
    return {
      answer: {
        intent: "clarify",
        title: `“${truncate(phrase, 16)}”指哪个项目？`,
        text: lines.join("\n"),
        projects: list.map(answerProject),
        indicators: [],
        sources,
        actions: list.map((p, i) => pickAction(i + 1, p)),
      },
      state: { clarification: { candidates: list.map((p) => p.id), followUp } },
    };
  }

  // ---------- subjects: department words + a project's name ----------

  interface Subject {
    mention: DepartmentMention | null;
    /** The words left once the department words are gone. */
    residual: string;
  }

  const GENERIC_REST = /^(?:的|之|下属|所有|全部|各|各项|项目|预算|经费|资金|总|总体|整体|情况|有|是|多少|一共|总共|合计|[\s,，、])*$/;

  function readSubject(subject: string): Subject {
    const mention = findDepartmentMention(subject, cache.departments());
    if (!mention || mention.unknown) return { mention, residual: subject };
    const residual = (subject.slice(0, mention.index) + " " + subject.slice(mention.index + mention.matched.length))
      .replace(/^[\s的之]+|[\s的之]+$/g, "")
      .trim();
    return { mention, residual: stripBudgetWords(residual) || residual };
  }

  function unknownBody(words: string): Reply {
    return notFound(`抱歉，数据中没有“${words.replace(/^\d{4}年(?:度)?(?:的)?/, "")}”的预算信息，无法回答这个问题。`);
  }

  interface Resolved {
    /** Set when the question is answered without a project (unknown body, a department). */
    reply?: Reply;
    residual: string;
    deptNames?: string[];
    mention: DepartmentMention | null;
  }

  function readProjectSubject(subject: string, departmentFocus: "total" | "list" = "total"): Resolved {
    const { mention, residual } = readSubject(subject);
    if (mention?.unknown) return { reply: unknownBody(mention.unknown), residual, mention };
    if (mention && GENERIC_REST.test(residual)) return { reply: departmentReply(mention.departments, departmentFocus), residual, mention };
    if (!mention && looksLikeBody(residual)) return { reply: unknownBody(residual), residual, mention };
    return { residual, mention, ...(mention ? { deptNames: mention.departments.map((d) => d.name) } : {}) };
  }

  /** The resolved project answered in the asked view, or a clarification when names tie. */
  function answerResolution(res: ProjectResolution, phrase: string, followUp: FollowUp): Reply | null {
    if (!res.candidates.length) return null;
    if (res.tied.length > 1) return clarify(res.tied, phrase, followUp);
    const [best, ...rest] = res.candidates;
    const nearby = rest.filter((c) => best!.score - c.score < NEAR_MARGIN && !best!.exact).slice(0, 4).map((c) => c.project);
    return answerFor(best!.project.id, followUp, nearby) ?? notFound("抱歉，这个项目已不在数据中。");
  }

  function nothingFits(r: Resolved, question = r.residual): Reply {
    const { residual, deptNames, mention } = r;
    const hits = catalog.searchProjects(residual, { limit: 100, ...(deptNames ? { departments: deptNames } : {}) });
    // Words found only in indicator text: perhaps an indicator named without its project.
    const textHits = hits.filter((h) => h.textOnly).slice(0, 5);
    if (textHits.length && textHits.length === Math.min(hits.length, 5)) {
      const found = textHits
        .map((h) => ({ id: h.project.id, best: matchIndicators(catalog.getProject(h.project.id)?.indicators ?? [], question)[0] }))
        .filter((x) => x.best && x.best.score >= 0.75)
        .sort((a, b) => b.best!.score - a.best!.score)[0];
      if (found) return answerFor(found.id, { view: "indicator_value", indicator: question })!;
    }
    if (hits.length) return searchReply(residual, hits.map((h) => h.project), `没有找到名为“${residual}”的项目。与“${residual}”相关的项目共 ${hits.length} 个：`);
    const where = mention ? `${mention.departments.map((d) => d.name).join("、")}没有` : "没有找到";
    return notFound(`抱歉，${where}与“${residual}”相符的项目。`);
  }

  /** A question about one project's budget or indicators. */
  function aboutProject(subject: string, followUp: FollowUp): Reply {
    const r = readProjectSubject(subject);
    if (r.reply) return r.reply;
    const res = resolveProject(catalog, [r.residual, subject], r.deptNames);
    return answerResolution(res, r.residual, followUp) ?? nothingFits(r);
  }

  /** "平安通的应答及时率目标是多少": the project, then the indicator within it. */
  function aboutIndicator(subject: string, indicator: string): Reply {
    let r = readProjectSubject(subject);
    if (r.mention && !r.mention.unknown && GENERIC_REST.test(r.residual)) {
      // The first 的 only ended the department: "市政协的购置经费的完成率".
      const again = splitSubject(indicator);
      if (!again) return aboutProject(`${subject}${indicator}`, { view: "budget" });
      subject = `${subject}${again.subject}`;
      indicator = again.indicator;
      r = readProjectSubject(subject);
    }
    if (r.reply) return r.reply;
    // Nothing left to name an indicator ("购置经费是多少"): the project's budget was asked.
    if (!indicatorWords(indicator)) return aboutProject(subject, { view: "budget" });
    const res = resolveProject(catalog, [r.residual, subject], r.deptNames);
    const direct = answerResolution(res, r.residual, { view: "indicator_value", indicator });
    if (direct) return direct;
    // The parser's split missed the name's end: take the longest start that names a project.
    const whole = `${r.residual}${indicator}`;
    const chars = [...whole];
    for (let k = Math.min(chars.length - 1, 12); k >= 2; k--) {
      const head = chars.slice(0, k).join("");
      const prefixRes = resolveProject(catalog, [head], r.deptNames, { fuzzy: false });
      if (prefixRes.candidates.length) return answerResolution(prefixRes, head, { view: "indicator_value", indicator: chars.slice(k).join("") || whole })!;
    }
    return nothingFits(r, indicator);
  }

  // ---------- departments, rankings, filters, searches ----------

  function departmentReply(depts: DepartmentRecord[], focus: "total" | "list" | "count"): Reply {
    const names = depts.map((d) => d.name);
    const count = depts.reduce((n, d) => n + d.projectCount, 0);
    const total = sumAmounts(depts.map((d) => d.total));
    const summary = depts.map((d) => {
      const years = d.years.length ? `（${d.years.join("、")}年）` : "";
      const docs = cache.documents().filter((x) => x.department === d.name);
      const declared = docs.length === 1 && docs[0]!.declaredTotal != null && docs[0]!.declaredTotal !== d.total ? `；表中合计 ${wan(docs[0]!.declaredTotal!)}` : "";
      return `${d.name}${years}：共 ${d.projectCount} 个项目，预算合计 ${wan(d.total)}${declared}`;
    });
    if (depts.length > 1) summary.push(`以上 ${depts.length} 个部门合计：${count} 个项目，${wan(total)}`);
    const heading = [...summary, focus === "list" || depts.length > 1 ? "项目（按预算从高到低）：" : "预算最高的项目："].join("\n");
    const pager: Pager = { intent: "department", heading: `${names.join("、")}的项目（续）：`, source: { type: "query", query: { departments: names, order: "total-desc" }, total: count }, offset: 0 };
    const r = listReply(heading, pager, depts.length === 1 ? depts[0]!.name : undefined);
    const sources = departmentSources(names);
    r.answer.sources = sources;
    r.answer.text = r.answer.text.replace(/\n来源：[\s\S]*$/, "") + "\n" + sourceText(sources);
    return r;
  }

  /** Department words in a ranking/filter: none (everything), known bodies, or an unknown body. */
  function scope(subject: string): { departments?: string[]; unknown?: string; phrase?: string } {
    if (!subject) return {};
    const { mention, residual } = readSubject(subject);
    if (mention?.unknown) return { unknown: mention.unknown };
    if (mention && GENERIC_REST.test(residual)) return { departments: mention.departments.map((d) => d.name) };
    if (!mention && looksLikeBody(subject)) return { unknown: subject };
    return { ...(mention ? { departments: mention.departments.map((d) => d.name) } : {}), phrase: residual };
  }

  function scopeLabel(departments?: string[]): string {
    return departments?.length ? departments.join("、") : "全部部门";
  }

  /** "哪个部门预算最多": departments by their total. */
  function departmentRanking(order: "desc" | "asc", limit: number): Reply {
    const depts = [...cache.departments()].sort((a, b) => (order === "desc" ? b.total - a.total : a.total - b.total));
    const shown = depts.slice(0, Math.max(limit, Math.min(depts.length, 10)));
    const lines = [
      `各部门预算（按合计${order === "desc" ? "从高到低" : "从低到高"}）：`,
      ...shown.map((d, n) => `${n + 1}. ${d.name} — ${wan(d.total)}（${d.projectCount} 个项目）`),
    ];
    const sources = departmentSources(shown.map((d) => d.name));
    lines.push(sourceText(sources));
    return { answer: { intent: "ranking", title: "部门预算排行", text: lines.join("\n"), projects: [], indicators: [], sources } };
  }

  function rankingReply(i: Extract<Intent, { kind: "ranking" }>): Reply {
    if (/^(?:各|各个|哪个|哪些)?(?:部门|单位)$/.test(i.subject)) return departmentRanking(i.order, i.limit);
    const s = scope(i.subject);
    if (s.unknown) return unknownBody(s.unknown);
    const word = i.order === "desc" ? "最高" : "最低";
    if (s.phrase) {
      // "养老相关预算最高的项目": rank the projects a search finds.
      const hits = catalog.searchProjects(s.phrase, { limit: 200, ...(s.departments ? { departments: s.departments } : {}) }).map((h) => h.project);
      if (!hits.length) return notFound(`抱歉，没有找到与“${s.phrase}”相关的项目。`);
      hits.sort((a, b) => (i.order === "desc" ? b.total - a.total : a.total - b.total));
      const items = hits.slice(0, i.limit);
      return listReply(`与“${s.phrase}”相关的项目中预算${word}的 ${items.length} 个：`, { intent: "ranking", heading: `预算${word}的项目（续）：`, source: { type: "items", items }, offset: 0 });
    }
    const query: ProjectQuery = { ...(s.departments ? { departments: s.departments } : {}), order: i.order === "desc" ? "total-desc" : "total-asc", limit: i.limit };
    const total = cache.query({ ...query, limit: 0 }).total;
    if (!total) return notFound(`抱歉，${scopeLabel(s.departments)}没有项目数据。`);
    const n = Math.min(i.limit, total);
    const heading = n === 1 ? `${scopeLabel(s.departments)}预算${word}的项目：` : `${scopeLabel(s.departments)}预算${word}的 ${n} 个项目：`;
    return listReply(heading, { intent: "ranking", heading: `预算${word}的项目（续）：`, source: { type: "query", query, total: n }, offset: 0 });
  }

  function filterReply(i: Extract<Intent, { kind: "filter" }>): Reply {
    const s = scope(i.subject);
    if (s.unknown) return unknownBody(s.unknown);
    const query: ProjectQuery = {
      ...(s.departments ? { departments: s.departments } : {}),
      ...(i.minTotal != null ? { minTotal: i.minTotal } : {}),
      ...(i.maxTotal != null ? { maxTotal: i.maxTotal } : {}),
      order: "total-desc",
    };
    const { total, sum } = cache.query({ ...query, limit: 0 });
    const where = s.departments ? `${scopeLabel(s.departments)}预算` : "预算";
    if (!total) return { answer: { intent: "filter", text: `没有${where}${i.description}的项目。\n${sourceText(departmentSources(s.departments ?? cache.departments().map((d) => d.name)))}`, projects: [], indicators: [] } };
    const heading = `${where}${i.description}的项目共 ${total} 个，合计 ${wan(sum)}（按预算从高到低）：`;
    return listReply(heading, { intent: "filter", heading: `${where}${i.description}的项目（续）：`, source: { type: "query", query, total }, offset: 0 });
  }

  function searchReply(query: string, items: ProjectSummary[], heading?: string): Reply {
    return listReply(heading ?? `与“${query}”相关的项目共 ${items.length} 个：`, { intent: "search", heading: `与“${query}”相关的项目（续）：`, source: { type: "items", items }, offset: 0 });
  }

  function search(query: string): Reply {
    const { mention, residual } = readSubject(query);
    if (mention?.unknown) return unknownBody(mention.unknown);
    if (mention && GENERIC_REST.test(residual)) return departmentReply(mention.departments, "list");
    const deptNames = mention?.departments.map((d) => d.name);
    const hits = catalog.searchProjects(residual, { limit: 100, ...(deptNames ? { departments: deptNames } : {}) });
    if (hits.length) return searchReply(query, hits.map((h) => h.project));
    const res = resolveProject(catalog, [residual], deptNames);
    if (res.candidates.length) return searchReply(query, res.candidates.map((c) => c.project), `没有与“${query}”完全相同的内容，相近的项目：`);
    return notFound(`抱歉，没有找到与“${query}”相关的项目。`);
  }

  /** Words alone: a department, an exact project name, or a keyword search. */
  function free(text: string): Reply {
    const { mention, residual } = readSubject(text);
    if (mention?.unknown) return unknownBody(mention.unknown);
    if (mention && GENERIC_REST.test(residual)) return departmentReply(mention.departments, "list");
    const deptNames = mention?.departments.map((d) => d.name);
    const res = resolveProject(catalog, [residual, text], deptNames);
    const best = res.candidates[0];
    const compact = compactName(residual);
    const short = isLatin(compact) ? compact.length <= 12 : [...compact].length <= 5;
    if (best && (best.exact || (!short && best.score >= 0.8))) return aboutProject(text, { view: "budget" });
    if (!mention && looksLikeBody(text) && !best) return unknownBody(text);
    if (!short) {
      const asIndicator = unspacedIndicatorQuestion(residual);
      if (asIndicator) return asIndicator;
    }
    return search(text);
  }

  const STRONG_INDICATOR_FIT = 0.8;

  /** "青马工程培训合格率": a project's start followed by one of its indicators, with no 的 between. */
  function unspacedIndicatorQuestion(words: string): Reply | null {
    const chars = [...words];
    for (let k = Math.min(chars.length - 2, 12); k >= 2; k--) {
      const head = chars.slice(0, k).join("");
      const rest = chars.slice(k).join("");
      if (!indicatorWords(rest)) continue;
      const named = resolveProject(catalog, [head], undefined, { fuzzy: false }).candidates[0];
      const project = named && catalog.getProject(named.project.id);
      // Only a close fit by the indicator's own name counts: anything looser reads a keyword as an indicator.
      const fit = project && matchIndicators(project.indicators, rest)[0];
      if (fit && fit.score >= STRONG_INDICATOR_FIT) return aboutIndicator(head, rest);
    }
    return null;
  }

  // ---------- the conversation ----------

  function pick(i: Extract<Intent, { kind: "pick" }>, state: ChatState): Reply {
    const c = state.clarification;
    if (i.projectId != null) {
      const follow: FollowUp = i.view === "indicators" ? { view: "indicators" } : i.view === "budget" ? { view: "budget" } : c?.candidates.includes(i.projectId) ? c.followUp : { view: "budget" };
      return answerFor(i.projectId, follow) ?? notFound("抱歉，这个项目已不在数据中（可能已被新版本文件替换）。");
    }
    const n = i.index!;
    if (c) {
      const id = c.candidates[n - 1];
      if (id == null) return { answer: plain("clarify", `请回复 1 到 ${c.candidates.length} 之间的序号。`), state };
      return answerFor(id, c.followUp) ?? notFound("抱歉，这个项目已不在数据中。");
    }
    const listed = state.pager?.shownIds;
    if (listed?.length) {
      const id = listed[n - 1];
      if (id != null) return answerFor(id, { view: "budget" }) ?? notFound("抱歉，这个项目已不在数据中。");
      return { answer: plain("clarify", `请回复 1 到 ${listed.length} 之间的序号，或回复“更多”。`), state };
    }
    return notFound(`没有待选择的列表（选择已过期或尚未提问），“${n}”无法对应到项目。`);
  }

  function more(state: ChatState): Reply {
    if (!state.pager) return notFound("没有可以继续查看的列表（列表已过期或已全部显示）。");
    const { items } = page(state.pager);
    if (!items.length) return { answer: plain("search", "列表已经全部显示。"), state };
    return listReply(state.pager.heading, state.pager);
  }

  function plain(intent: IntentName, text: string): Answer {
    return { intent, text, projects: [], indicators: [] };
  }

  function help(): Reply {
    const lines = [
      "我可以回答项目支出绩效目标表里的预算问题（金额单位：万元）：",
      "· 项目预算：平安通项目预算多少？",
      "· 绩效指标：某项目的绩效指标 / 满意度指标 / 成本指标",
      "· 某个指标的目标：平安通的应答及时率目标是多少",
      "· 部门：广州市民政局一共多少预算、某部门有哪些项目",
      "· 排行与筛选：民政局预算最高的三个项目、超过1000万的项目、预算在500万到600万之间的项目",
      "· 关键词搜索：直接发 2–5 个字，如“养老”",
      "命令：/search 词、/budget 项目、/indicators 项目、/dept 部门、/top N [部门]、/stats、/help",
    ];
    const s = cache.stats();
    lines.push(s.projects ? `当前数据：${s.departments} 个部门、${s.projects} 个项目、预算合计 ${wan(s.total)}。` : "当前还没有导入任何预算文件。");
    return { answer: { intent: "help", title: "使用帮助", text: lines.join("\n"), projects: [], indicators: [], actions: [{ label: "数据概况", command: "/stats" }] } };
  }

  function stats(): Reply {
    const s = cache.stats();
    const depts = cache.departments();
    const docs = cache.documents();
    const lines = [
      `共 ${s.documents} 份文件、${s.departments} 个部门、${s.projects} 个项目，预算合计 ${wan(s.total)}。`,
      ...depts.slice(0, 20).map((d, i) => `${i + 1}. ${d.name}：${d.projectCount} 个项目，${wan(d.total)}${d.years.length ? `（${d.years.join("、")}年）` : ""}`),
    ];
    if (depts.length > 20) lines.push(`……另有 ${depts.length - 20} 个部门`);
    const sources = docs.slice(0, 20).map((d) => ({ department: d.department, unit: null, year: d.year, sourceName: d.sourceName }));
    if (sources.length) lines.push(`来源文件：${docs.slice(0, 20).map((d) => d.sourceName).join("、")}${docs.length > 20 ? " 等" : ""}`);
    return { answer: { intent: "stats", title: "数据概况", text: lines.join("\n"), projects: [], indicators: [], sources } };
  }

  function dispatch(intent: Intent, state: ChatState): Reply {
    switch (intent.kind) {
      case "help":
        return help();
      case "stats":
        return stats();
      case "more":
        return more(state);
      case "pick":
        return pick(intent, state);
      case "search":
        return search(intent.query);
      case "project_budget":
        return aboutProject(intent.subject, { view: "budget" });
      case "project_indicators":
        return aboutProject(intent.subject, { view: "indicators", ...(intent.level1 ? { level1: intent.level1 } : {}), ...(intent.level2 ? { level2: intent.level2 } : {}) });
      case "indicator_value":
        return aboutIndicator(intent.subject, intent.indicator);
      case "department": {
        const { mention, residual } = readSubject(intent.subject);
        if (mention?.unknown) return unknownBody(mention.unknown);
        if (mention && GENERIC_REST.test(residual)) return departmentReply(mention.departments, intent.focus);
        if (!mention && looksLikeBody(intent.subject)) return unknownBody(intent.subject);
        // Not a department: "平安通项目一共多少钱" is a project's budget; "青年地带有哪些项目" a search.
        return intent.focus === "total" ? aboutProject(intent.subject, { view: "budget" }) : search(intent.subject);
      }
      case "ranking":
        return rankingReply(intent);
      case "filter":
        return filterReply(intent);
      case "free":
        return free(intent.text);
    }
  }

  return {
    understand,
    async ask(text: string, ctx: AskContext): Promise<Answer> {
      const now = ctx.now ?? Date.now();
      cache.refresh();
      const state = store.get(ctx.chatKey, now);
      const intent = understand(text, ctx);
      const reply = dispatch(intent, state);
      store.set(ctx.chatKey, reply.state ?? {}, now);
      return AnswerSchema.parse(reply.answer);
    },
  };
}
