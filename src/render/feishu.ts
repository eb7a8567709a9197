// Answer → Feishu (Lark) interactive card JSON: header with the project (or topic), key figures
// as fields, indicators grouped by level, the source as a note, buttons whose value carries the
// command to feed back to the engine.
import type { Answer, AnswerProject, Indicator } from "../domain.ts";
import { formatAmount } from "../money.ts";

export type FeishuCard = Record<string, unknown>;

type Text = { tag: "plain_text" | "lark_md"; content: string };
type Element =
  | { tag: "div"; text?: Text; fields?: Array<{ is_short: boolean; text: Text }> }
  | { tag: "hr" }
  | { tag: "note"; elements: Text[] }
  | { tag: "action"; actions: Array<{ tag: "button"; text: Text; type: "primary" | "default"; value: { command: string } }> };

/** lark_md reads *, _, ~, `, [ ], < > as markup: swap them for look-alikes in data we show. */
export const escapeLarkMd = (s: string): string =>
  s.replace(/[*_~`[\]<>]/g, (c) => ({ "*": "＊", _: "＿", "~": "～", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞" })[c]!);

const md = (content: string): Text => ({ tag: "lark_md", content });
const plain = (content: string): Text => ({ tag: "plain_text", content });
const field = (label: string, value: string) => ({ is_short: true, text: md(`**${label}**\n${escapeLarkMd(value)}`) });
const wan = (v: number | null | undefined) => (v == null ? "—" : `${formatAmount(v)} 万元`);

const PROJECT_INTENTS = new Set(["project_budget", "project_indicators", "indicator_value"]);

function projectFields(p: AnswerProject): Element {
  return {
    tag: "div",
    fields: [
      field("总计", wan(p.total)),
      field("财政拨款", wan(p.fiscal)),
      field("资金使用单位", p.unit ?? "未单列"),
      field("部门", p.department ?? "未注明"),
    ],
  };
}

function indicatorGroups(indicators: Indicator[]): Element[] {
  const groups = new Map<string, Indicator[]>();
  for (const i of indicators) {
    const head = [i.level1 ?? "其他指标", i.level2].filter(Boolean).join(" · ");
    groups.set(head, [...(groups.get(head) ?? []), i]);
  }
  return [...groups].map(([head, items]) => ({
    tag: "div" as const,
    text: md(
      `**${escapeLarkMd(head)}**\n` +
        items.map((i) => `· ${escapeLarkMd(i.name)}：${escapeLarkMd(i.annualValue ?? i.periodValue ?? i.description ?? "（未填写）")}`).join("\n"),
    ),
  }));
}

export function renderFeishuCard(answer: Answer): FeishuCard {
  const elements: Element[] = [];
  const top = answer.projects[0];
  const isProject = PROJECT_INTENTS.has(answer.intent) && top;
  const lines = answer.text.split("\n");
  const sourceAt = lines.findIndex((l) => /^来源[：:]/.test(l));
  const source = sourceAt >= 0 ? lines.slice(sourceAt).join("\n") : "";
  const body = sourceAt >= 0 ? [...lines.slice(0, sourceAt), ...lines.slice(sourceAt).filter((l) => !/^(来源[：:]|\s{2}\S)/.test(l))] : lines;
  if (isProject) {
    elements.push(projectFields(top));
    if (answer.indicators.length) elements.push({ tag: "hr" }, ...indicatorGroups(answer.indicators));
    // What the fields and groups do not already say (a note, nearby projects …).
    const rest = body.filter((l) => l !== top.name && !/^(预算总计|部门|资金使用单位|预算)：/.test(l) && !/^(【|· )/.test(l));
    if (rest.length) elements.push({ tag: "div", text: plain(rest.join("\n")) });
  } else {
    elements.push({ tag: "div", text: plain(body.join("\n")) });
  }
  if (source) elements.push({ tag: "note", elements: [plain(source)] });
  if (answer.actions?.length) {
    elements.push({
      tag: "action",
      actions: answer.actions.map((a, i) => ({
        tag: "button" as const,
        text: plain(a.label),
        type: i === 0 && isProject ? ("primary" as const) : ("default" as const),
        value: { command: a.command },
      })),
    });
  }
  return {
    config: { wide_screen_mode: true, update_multi: true },
    header: {
      template: answer.intent === "not_found" ? "orange" : "blue",
      title: plain(isProject ? top.name : (answer.title ?? "预算查询")),
    },
    elements,
  };
}
