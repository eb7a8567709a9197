// The rule-based intent parser, one block per phrasing class. Input goes through the same
// normalization as in the engine (Traditional → Simplified, NFKC).
import { describe, expect, it } from "vitest";
import { IntentSchema } from "../src/query/intent.ts";
import { RuleIntentParser } from "../src/query/rules.ts";
import { normalizeQuestion } from "../src/query/text.ts";

const parser = new RuleIntentParser();
const read = (q: string) => parser.parse(normalizeQuestion(q), { chatKey: "t" });

describe("slash commands (with @botname)", () => {
  it.each([
    ["/help", { kind: "help" }],
    ["/start", { kind: "help" }],
    ["/stats", { kind: "stats" }],
    ["/search 春运", { kind: "search", query: "春运" }],
    ["/search@budget_bot 春运", { kind: "search", query: "春运" }],
    ["/budget 平安通", { kind: "project_budget", subject: "平安通" }],
    ["/indicators 平安通", { kind: "project_indicators", subject: "平安通" }],
    ["/indicators 平安通 成本", { kind: "project_indicators", subject: "平安通", level2: "成本指标" }],
    ["/dept 民政局", { kind: "department", subject: "民政局", focus: "list" }],
    ["/top 5 民政局", { kind: "ranking", subject: "民政局", order: "desc", limit: 5 }],
    ["/top@budget_bot 3", { kind: "ranking", subject: "", order: "desc", limit: 3 }],
    ["/pick 12 indicators", { kind: "pick", projectId: 12, view: "indicators" }],
    ["/more", { kind: "more" }],
  ])("%s", (q, intent) => expect(read(q)).toEqual(intent));
});

describe("Chinese command words", () => {
  it.each([
    ["帮助", { kind: "help" }],
    ["统计", { kind: "stats" }],
    ["搜索 春运", { kind: "search", query: "春运" }],
    ["搜索春运", { kind: "search", query: "春运" }],
    ["预算 平安通", { kind: "project_budget", subject: "平安通" }],
    ["指标 平安通", { kind: "project_indicators", subject: "平安通" }],
    ["部门 民政局", { kind: "department", subject: "民政局", focus: "list" }],
    ["排行 3 市政协", { kind: "ranking", subject: "市政协", order: "desc", limit: 3 }],
    ["更多", { kind: "more" }],
    ["2", { kind: "pick", index: 2 }],
    ["第三个", { kind: "pick", index: 3 }],
  ])("%s", (q, intent) => expect(read(q)).toEqual(intent));
});

describe("a project's budget", () => {
  it.each([
    ["平安通项目预算多少？", "平安通项目"],
    ["青年地带有多少钱", "青年地带"],
    ["市政协文史馆装修花了多少", "市政协文史馆装修"],
    ["社会组织管理经费预算多少", "社会组织管理经费"],
    ["儿童福利经费有多少钱？", "儿童福利经费"],
    ["TZMMZX是什么项目", "TZMMZX"],
    ["请问平安通的预算是多少呢", "平安通"],
    ["廣州市兒童福利經費預算", "广州市儿童福利经费"],
  ])("%s → %s", (q, subject) => expect(read(q)).toEqual({ kind: "project_budget", subject }));
});

describe("a project's indicators, all or by level", () => {
  it.each([
    ["志愿服务系统升级改造项目的绩效指标", { subject: "志愿服务系统升级改造项目" }],
    ["慈善改革经费的绩效指标有哪些", { subject: "慈善改革经费" }],
    ["海珠区综合业务费的指标", { subject: "海珠区综合业务费" }],
    ["平安通有哪些指标", { subject: "平安通" }],
    ["平安通的满意度指标", { subject: "平安通", level1: "满意度指标" }],
    ["平安通的产出指标", { subject: "平安通", level1: "产出指标" }],
    ["平安通的效益指标", { subject: "平安通", level1: "效益指标" }],
    ["天津团市委政务信息化系统运维项目的成本指标", { subject: "天津团市委政务信息化系统运维项目", level2: "成本指标" }],
    ["青春+品牌活动的数量指标有哪些", { subject: "青春+品牌活动", level2: "数量指标" }],
    ["青春+品牌活动的社会效益指标", { subject: "青春+品牌活动", level2: "社会效益指标" }],
  ])("%s", (q, want) => expect(read(q)).toEqual({ kind: "project_indicators", ...want }));
});

describe("one indicator's target", () => {
  it.each([
    ["平安通的应答及时率目标是多少", "平安通", "应答及时率"],
    ["幸福社区建设指导督导经费要创建多少个幸福社区", "幸福社区建设指导督导经费", "要创建多少个幸福社区"],
    ["志愿在康园项目全年要开展几场活动", "志愿在康园项目", "全年要开展几场活动"],
    ["养老服务人才提升项目的培训合格率目标", "养老服务人才提升项目", "培训合格率"],
    ["青年地带预防青少年违法犯罪服务项目的满意度目标", "青年地带预防青少年违法犯罪服务项目", "满意度"],
  ])("%s", (q, subject, indicator) => expect(read(q)).toEqual({ kind: "indicator_value", subject, indicator }));

  it("without a visible seam the whole phrase goes to the engine", () => {
    expect(read("平安通服务对象满意度是多少")).toMatchObject({ kind: "indicator_value", subject: "平安通服务对象满意度" });
  });
});

describe("departments", () => {
  it.each([
    ["广州市民政局一共多少预算", "广州市民政局", "total"],
    ["天津团市委有哪些项目", "天津团市委", "list"],
    ["海珠区团委有几个项目", "海珠区团委", "count"],
    ["广州市民政局有多少个项目", "广州市民政局", "count"],
  ])("%s", (q, subject, focus) => expect(read(q)).toEqual({ kind: "department", subject, focus }));
});

describe("rankings", () => {
  it.each([
    ["民政局预算最高的三个项目", "民政局", "desc", 3],
    ["天津团市委预算最高的项目", "天津团市委", "desc", 1],
    ["民政局预算最少的项目是哪个", "民政局", "asc", 1],
    ["天津团市委预算最低的两个项目", "天津团市委", "asc", 2],
    ["预算排名前十的项目", "", "desc", 10],
    ["市政协预算最多的二十五个项目", "市政协", "desc", 25],
    ["花钱最多的项目", "", "desc", 1],
  ])("%s", (q, subject, order, limit) => expect(read(q)).toEqual({ kind: "ranking", subject, order, limit }));
});

describe("amount filters", () => {
  it.each([
    ["超过1000万的项目", "", 1000.01, undefined],
    ["预算不到5万的项目", "", undefined, 4.99],
    ["预算在500万到600万之间的项目", "", 500, 600],
    ["民政局超过200万的项目", "民政局", 200.01, undefined],
    ["预算超过一亿的项目", "", 10000.01, undefined],
  ])("%s", (q, subject, min, max) => {
    const i = read(q);
    expect(i).toMatchObject({ kind: "filter", subject });
    if (i?.kind !== "filter") throw new Error("not a filter");
    expect(i.minTotal).toBe(min);
    expect(i.maxTotal).toBe(max);
  });
});

describe("short keywords and everything else", () => {
  it.each(["春运", "平安同", "pingantong", "养老"])("%s is free text", (q) => expect(read(q)).toEqual({ kind: "free", text: q }));
  it("every parse is a valid Intent", () => {
    for (const q of ["", "？", "你好", "上海市民政局的预算", "1000"]) {
      const i = read(q);
      if (i) expect(IntentSchema.safeParse(i).success).toBe(true);
    }
  });
});
