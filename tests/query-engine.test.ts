// The query engine against the real catalog built from the five seeds. Expected figures are
// the seeds' table values (checked against seeds/*.txt and ../shared/eval/gold).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswerSchema, type Answer } from "../src/domain.ts";
import { createQueryEngine, type BudgetQueryEngine } from "../src/query/engine.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";

let seeds: SeedCatalog;
let engine: BudgetQueryEngine;
let chat = 0;
/** Each question in its own chat unless a chat key is given. */
const ask = (q: string, chatKey = `c${chat++}`, now?: number): Promise<Answer> => engine.ask(q, { chatKey, ...(now != null ? { now } : {}) });

beforeAll(() => {
  seeds = openSeedCatalog();
  engine = createQueryEngine(seeds.catalog);
});
afterAll(() => seeds.dispose());

describe("a project's budget", () => {
  it.each([
    ["平安通项目预算多少？", "广州市“平安通”服务项目", "2294.25"],
    ["社会组织管理经费预算多少", "社会组织管理经费", "432.00"],
    ["儿童福利经费有多少钱？", "广州市儿童福利经费", "56.75"],
    ["市政协文史馆装修花了多少", "广州政协文史馆(装修改造工程)", "150.00"],
    ["市政协购置经费是多少", "购置经费", "70.00"],
    ["TZMMZX是什么项目", "TZMMZX", "10.00"],
    ["青年地带有多少钱", "“青年地带”青少年服务经费", "158.00"],
    ["志愿者行动指导中心工作经费多少钱", "工作经费", "1.80"],
  ])("%s", async (q, name, amount) => {
    const a = await ask(q);
    expect(a.intent).toBe("project_budget");
    expect(a.projects[0]?.name).toBe(name);
    expect(a.text).toContain(`${amount} 万元`);
  });

  it("names its source: department, unit, year, file", async () => {
    const a = await ask("天津团市委物业服务项目预算多少");
    expect(a.projects[0]).toMatchObject({ name: "团市委物业服务项目", total: 75, department: "中国共产主义青年团天津市委员会" });
    expect(a.text).toMatch(/来源：中国共产主义青年团天津市委员会 · 资金使用单位：中国共产主义青年团天津市委员会 · 2023年 · 文件 002_bc0805cadde26a36\.txt/);
    expect(a.sources?.[0]).toEqual({ department: "中国共产主义青年团天津市委员会", unit: "中国共产主义青年团天津市委员会", year: 2023, sourceName: "002_bc0805cadde26a36.txt" });
  });

  it("Traditional characters", async () => {
    const a = await ask("廣州市兒童福利經費預算");
    expect(a.projects[0]?.name).toBe("广州市儿童福利经费");
    expect(a.text).toContain("56.75");
  });

  it("a typo and pinyin still find 平安通", async () => {
    for (const q of ["平安同", "pingantong", "平安同项目预算多少"]) {
      const a = await ask(q);
      expect(a.projects[0]?.name, q).toBe("广州市“平安通”服务项目");
      expect(a.text, q).toContain("2294.25");
    }
  });
});

describe("clarification and pick-by-number", () => {
  it("工作经费 exists in three bodies: a numbered list with each body and amount", async () => {
    const a = await ask("工作经费预算多少", "pick");
    expect(a.intent).toBe("clarify");
    expect(a.projects.map((p) => p.total).sort((x, y) => x - y)).toEqual([1.8, 15.63, 66]);
    for (const s of ["1.80", "15.63", "66.00", "广州市民政局", "中国人民政治协商会议广东省广州市委员会办公厅"]) expect(a.text).toContain(s);
    expect(a.actions?.every((x) => /^\/pick \d+$/.test(x.command) && Buffer.byteLength(x.command) <= 64)).toBe(true);
    const second = a.projects[1]!;
    const picked = await ask("2", "pick");
    expect(picked.intent).toBe("project_budget");
    expect(picked.projects[0]).toMatchObject({ name: "工作经费", total: second.total, department: second.department });
  });

  it("the pick keeps what was asked (indicators)", async () => {
    const a = await ask("机构运行辅助经费的绩效指标", "pick-ind");
    expect(a.intent).toBe("clarify");
    const mz = a.projects.findIndex((p) => p.department === "广州市民政局");
    const picked = await ask(String(mz + 1), "pick-ind");
    expect(picked.intent).toBe("project_indicators");
    expect(picked.projects[0]).toMatchObject({ name: "机构运行辅助经费", total: 56 });
    expect(picked.indicators.length).toBe(4);
  });

  it("a button command picks by project id", async () => {
    const a = await ask("工作经费预算多少", "btn");
    const cmd = a.actions![2]!.command;
    const picked = await ask(cmd, "btn");
    expect(picked.projects[0]?.total).toBe(a.projects[2]!.total);
  });

  it("department words narrow the choice", async () => {
    const a = await ask("市政协工作经费预算多少");
    expect(a.intent).toBe("project_budget");
    expect(a.projects[0]).toMatchObject({ name: "工作经费", total: 66 });
  });

  it("the choice expires after ten minutes", async () => {
    const t0 = 1_700_000_000_000;
    await ask("工作经费预算多少", "exp", t0);
    const late = await ask("2", "exp", t0 + 11 * 60 * 1000);
    expect(late.intent).toBe("not_found");
    await ask("工作经费预算多少", "exp2", t0);
    const inTime = await ask("2", "exp2", t0 + 9 * 60 * 1000);
    expect(inTime.intent).toBe("project_budget");
  });

  it("state is per chat", async () => {
    await ask("工作经费预算多少", "chat-a");
    const other = await ask("2", "chat-b");
    expect(other.intent).toBe("not_found");
  });
});

describe("indicators", () => {
  it("all of a project's indicators, grouped by level", async () => {
    const a = await ask("慈善改革经费的绩效指标有哪些");
    expect(a.intent).toBe("project_indicators");
    expect(a.projects[0]?.name).toBe("慈善改革经费");
    for (const s of ["公开募捐活动备案数", "100个", "慈善人才培养人次", "300人次", "【满意度指标】"]) expect(a.text).toContain(s);
    expect(a.indicators).toHaveLength(5);
  });

  it("by level 2 (成本指标), restricted to the department named", async () => {
    const a = await ask("天津团市委政务信息化系统运维项目的成本指标");
    expect(a.projects[0]?.name).toBe("团市委政务信息化系统运维项目");
    expect(a.indicators.map((i) => i.annualValue)).toEqual(["≤10万元", "≤4万元"]);
  });

  it("by level 1 (满意度指标)", async () => {
    const a = await ask("平安通的满意度指标");
    expect(a.indicators.map((i) => [i.name, i.annualValue])).toEqual([["平安通服务对象满意度", "≥90%"]]);
  });

  it("a level-2 request on a table without level-2 labels widens to the parent, and says so", async () => {
    const a = await ask("平安通的数量指标");
    expect(a.text).toContain("未细分二级指标");
    expect(a.indicators.every((i) => i.level1 === "产出指标")).toBe(true);
  });

  it("海珠区综合业务费的指标", async () => {
    const a = await ask("海珠区综合业务费的指标");
    expect(a.projects[0]).toMatchObject({ name: "综合业务费", unit: "广州市海珠区志愿者行动指导中心" });
    expect(a.text).toContain("5000个");
  });

  it.each([
    ["平安通的应答及时率目标是多少", "广州市“平安通”服务项目", "98%"],
    ["幸福社区建设指导督导经费要创建多少个幸福社区", "幸福社区建设指导督导经费", "466个"],
    ["志愿在康园项目全年要开展几场活动", "“志愿在康园”扶残助残志愿服务项目", "4场"],
    ["养老服务人才提升项目的培训合格率目标", "养老服务人才提升项目", "95%"],
    ["青年地带预防青少年违法犯罪服务项目的满意度目标", "青年地带（预防青少年违法犯罪服务）项目经费", "90%"],
    ["平安通服务资助对象人数是多少", "广州市“平安通”服务项目", "≥8.4万"],
    // No 的 and no question words: the project's start runs straight into the indicator's name.
    ["青马工程培训合格率", "天津市青年马克思主义者培养工程", "100%"],
    ["慈善改革经费公开募捐活动备案数", "慈善改革经费", "100个"],
  ])("one indicator: %s", async (q, name, value) => {
    const a = await ask(q);
    expect(a.intent).toBe("indicator_value");
    expect(a.projects[0]?.name).toBe(name);
    expect(a.indicators[0]?.annualValue ?? "").toContain(value);
    expect(a.text).toContain(value);
  });
});

describe("departments, rankings, filters", () => {
  it("a department's count and exact total", async () => {
    const a = await ask("广州市民政局一共多少预算");
    expect(a.intent).toBe("department");
    expect(a.text).toContain("共 42 个项目");
    expect(a.text).toContain("12508.23 万元");
  });

  it("aliases: 天津团市委, 海珠区团委", async () => {
    expect((await ask("天津团市委有哪些项目")).text).toContain("共 11 个项目，预算合计 1180.00 万元");
    expect((await ask("海珠区团委有几个项目")).text).toContain("共 8 个项目，预算合计 552.50 万元");
  });

  it("ranking within a department, with a Chinese numeral", async () => {
    const a = await ask("民政局预算最高的三个项目");
    expect(a.intent).toBe("ranking");
    expect(a.projects.map((p) => p.total)).toEqual([2294.25, 2000, 1781]);
  });

  it("lowest first", async () => {
    const a = await ask("民政局预算最少的项目是哪个");
    expect(a.projects.map((p) => [p.name, p.total])).toEqual([["工作经费", 15.63]]);
  });

  it.each([
    ["超过1000万的项目", [2294.25, 2000, 1781, 1027.87], "7103.12"],
    ["预算不到5万的项目", [3.25, 3.2, 1.8, 0.5], "8.75"],
    ["预算在500万到600万之间的项目", [580, 555], "1135.00"],
    ["预算超过10000000元的项目", [2294.25, 2000, 1781, 1027.87], "7103.12"],
  ])("%s", async (q, totals, sum) => {
    const a = await ask(q);
    expect(a.intent).toBe("filter");
    expect(a.projects.map((p) => p.total)).toEqual(totals);
    expect(a.text).toContain(`合计 ${sum} 万元`);
  });
});

describe("pagination", () => {
  it("long lists come 10 at a time with a more action; numbers continue", async () => {
    const first = await ask("超过100万的项目", "page");
    expect(first.projects).toHaveLength(10);
    expect(first.text).toContain("共 40 个");
    expect(first.actions?.some((x) => x.command === "/more")).toBe(true);
    const second = await ask("更多", "page");
    expect(second.projects).toHaveLength(10);
    expect(second.text).toMatch(/^[\s\S]*\n11\. /);
    expect(second.projects[0]!.total).toBeLessThanOrEqual(first.projects[9]!.total);
    const ids = new Set([...first.projects, ...second.projects].map((p) => p.id));
    expect(ids.size).toBe(20);
    const pick = await ask("11", "page");
    expect(pick.projects[0]?.id).toBe(second.projects[0]!.id);
  });

  it("the last page has no more action", async () => {
    await ask("天津团市委有哪些项目", "page2");
    const rest = await ask("/more", "page2");
    expect(rest.projects).toHaveLength(1);
    expect(rest.actions?.some((x) => x.command === "/more")).toBe(false);
  });
});

describe("search, help, stats, not found", () => {
  it("short keywords search names and indicator text", async () => {
    const a = await ask("春运");
    expect(a.intent).toBe("search");
    expect(a.projects[0]).toMatchObject({ name: "青年志愿者工作项目", total: 58.9 });
  });

  it("help says what can be asked", async () => {
    const a = await ask("/help@budget_bot");
    expect(a.intent).toBe("help");
    expect(a.text).toContain("预算");
  });

  it("stats: documents, departments, projects", async () => {
    const a = await ask("/stats");
    expect(a.intent).toBe("stats");
    expect(a.text).toContain("共 5 份文件、5 个部门、95 个项目");
  });

  it.each(["上海市民政局的预算", "北京市教育局有哪些项目", "广州市公安局预算多少", "深圳团市委预算最高的项目"])(
    "%s → not_found with suggestions",
    async (q) => {
      const a = await ask(q);
      expect(a.intent).toBe("not_found");
      expect(a.text).toContain("你可以这样问");
      expect(a.text).toContain("广州市民政局");
    },
  );

  it("every answer is a valid Answer", async () => {
    for (const q of ["", "2", "/more", "/pick 999999", "你好", "x"]) expect(AnswerSchema.safeParse(await ask(q)).success, q).toBe(true);
  });
});

describe("more phrasings", () => {
  it("X的Y是多少 with Y an indicator name", async () => {
    const a = await ask("市政协书画工作经费的资金支出合规率是多少");
    expect(a.intent).toBe("indicator_value");
    expect(a.projects[0]?.name).toBe("市政协书画工作经费");
    expect(a.text).toContain("100%");
  });

  it("X的Y是多少 with Y a money word stays a budget question", async () => {
    const a = await ask("平安通项目的预算资金是多少");
    expect(a.intent).toBe("project_budget");
    expect(a.text).toContain("2294.25");
  });

  it("which department has the most", async () => {
    const a = await ask("哪个部门预算最多");
    expect(a.intent).toBe("ranking");
    expect(a.text.split("\n")[1]).toBe("1. 广州市民政局 — 12508.23 万元（42 个项目）");
  });

  it("an empty filter says so as a filter answer", async () => {
    const a = await ask("预算超过1亿的项目");
    expect(a.intent).toBe("filter");
    expect(a.projects).toEqual([]);
    expect(a.text).toContain("没有预算超过 10000.00 万元的项目");
  });
});

describe("after an ingest", () => {
  it("the engine sees the new document at the next question", async () => {
    const own = openSeedCatalog();
    try {
      const e = createQueryEngine(own.catalog);
      expect((await e.ask("/stats", { chatKey: "i" })).text).toContain("95 个项目");
      expect((await e.ask("超过3000万的项目", { chatKey: "i" })).projects).toEqual([]);
      own.catalog.ingestParsed("extra.txt", "f".repeat(64), {
        department: "广州市越秀区民政局",
        title: null,
        year: 2024,
        currencyUnit: "万元",
        layout: "wide-table",
        declaredTotal: 3500.1,
        units: [],
        projects: [{ name: "越秀区长者饭堂项目", unit: null, total: 3500.1, fiscal: 3500.1, specialAccount: null, other: null, goal: null, indicators: [] }],
        warnings: [],
      });
      expect((await e.ask("/stats", { chatKey: "i" })).text).toContain("96 个项目");
      const f = await e.ask("超过3000万的项目", { chatKey: "i" });
      expect(f.projects.map((p) => [p.name, p.total])).toEqual([["越秀区长者饭堂项目", 3500.1]]);
      const d = await e.ask("越秀区民政局有哪些项目", { chatKey: "i" });
      expect(d.intent).toBe("department");
      expect(d.text).toContain("3500.10 万元");
    } finally {
      own.dispose();
    }
  });
});
