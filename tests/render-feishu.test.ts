// Feishu interactive cards, validated against a zod schema of the card fields we use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Answer } from "../src/domain.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import { escapeLarkMd, renderFeishuCard } from "../src/render/feishu.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";

const Text = z.object({ tag: z.enum(["plain_text", "lark_md"]), content: z.string() }).strict();
const Button = z
  .object({
    tag: z.literal("button"),
    text: Text,
    type: z.enum(["primary", "default"]),
    value: z.object({ command: z.string().min(1).max(64) }).strict(),
  })
  .strict();
const Element = z.discriminatedUnion("tag", [
  z
    .object({
      tag: z.literal("div"),
      text: Text.optional(),
      fields: z.array(z.object({ is_short: z.boolean(), text: Text }).strict()).optional(),
    })
    .strict()
    .refine((d) => d.text || d.fields, "a div needs text or fields"),
  z.object({ tag: z.literal("hr") }).strict(),
  z.object({ tag: z.literal("note"), elements: z.array(Text).min(1) }).strict(),
  z.object({ tag: z.literal("action"), actions: z.array(Button).min(1) }).strict(),
]);
const CardSchema = z
  .object({
    config: z.object({ wide_screen_mode: z.boolean(), update_multi: z.boolean() }).strict(),
    header: z.object({ template: z.string(), title: Text }).strict(),
    elements: z.array(Element).min(1),
  })
  .strict();
type Card = z.infer<typeof CardSchema>;

let seeds: SeedCatalog;
const ask = async (q: string, chatKey = "fs"): Promise<Answer> => createQueryEngine(seeds.catalog).ask(q, { chatKey });
const fieldsOf = (card: Card) => card.elements.flatMap((e) => (e.tag === "div" && e.fields ? e.fields.map((f) => f.text.content) : []));
const divTexts = (card: Card) => card.elements.flatMap((e) => (e.tag === "div" && e.text ? [e.text.content] : []));

beforeAll(() => {
  seeds = openSeedCatalog();
});
afterAll(() => seeds.dispose());

describe("renderFeishuCard", () => {
  it("a project: header with its name, the four fields, source note, buttons with {command}", async () => {
    const card = CardSchema.parse(renderFeishuCard(await ask("海珠区综合业务费预算多少")));
    expect(card.header.title.content).toBe("综合业务费");
    expect(fieldsOf(card)).toEqual([
      "**总计**\n20.00 万元",
      "**财政拨款**\n20.00 万元",
      "**资金使用单位**\n广州市海珠区志愿者行动指导中心",
      "**部门**\n中国共产主义青年团广州市海珠区委员会",
    ]);
    const note = card.elements.find((e) => e.tag === "note");
    expect(note && note.tag === "note" && note.elements[0]!.content).toContain("文件 001_31b6a35316f160fc.txt");
    const action = card.elements.find((e) => e.tag === "action");
    expect(action && action.tag === "action" && action.actions[0]!.value.command).toMatch(/^\/pick \d+ indicators$/);
  });

  it("indicators grouped by level", async () => {
    const card = CardSchema.parse(renderFeishuCard(await ask("天津团市委政务信息化系统运维项目的绩效指标")));
    const groups = divTexts(card).filter((t) => t.startsWith("**"));
    expect(groups.map((g) => g.split("\n")[0])).toEqual([
      "**产出指标 · 数量指标**",
      "**产出指标 · 质量指标**",
      "**产出指标 · 时效指标**",
      "**产出指标 · 成本指标**",
      "**效益指标 · 社会效益指标**",
      "**效益指标 · 可持续影响指标**",
      "**满意度指标 · 服务对象满意度指标**",
    ]);
    expect(groups.join("\n")).toContain("· 团市委信息化设备运维经费：≤10万元");
    // lark_md would read < and > in values (>95%) as markup: they are swapped for look-alikes.
    expect(groups.join("\n")).toContain("机关干部满意度：＞95%");
  });

  it("lists and clarifications are valid cards with one button per choice", async () => {
    const card = CardSchema.parse(renderFeishuCard(await ask("工作经费预算多少", "fs-c")));
    const action = card.elements.find((e) => e.tag === "action");
    expect(action && action.tag === "action" && action.actions.map((b) => b.value.command)).toHaveLength(3);
    for (const q of ["超过100万的项目", "帮助", "/stats", "上海市民政局的预算", "春运"]) CardSchema.parse(renderFeishuCard(await ask(q, `fs-${q}`)));
  });

  it("not_found cards are orange", async () => {
    const card = CardSchema.parse(renderFeishuCard(await ask("上海市民政局的预算")));
    expect(card.header.template).toBe("orange");
  });

  it("markup characters in data cannot break lark_md", () => {
    expect(escapeLarkMd("**a**_b_<at>[x](y)")).toBe("＊＊a＊＊＿b＿＜at＞［x］(y)");
    const card = CardSchema.parse(
      renderFeishuCard({
        intent: "project_budget",
        text: "x",
        projects: [{ name: "<b>项目*</b>", department: "部门_A", unit: null, total: 0.3, fiscal: null }],
        indicators: [],
      }),
    );
    expect(card.header.title).toEqual({ tag: "plain_text", content: "<b>项目*</b>" });
    expect(fieldsOf(card)).toContain("**部门**\n部门＿A");
    expect(fieldsOf(card)).toContain("**总计**\n0.30 万元");
  });
});
