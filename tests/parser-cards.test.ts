// Project-card layout (seed 002, 中国共产主义青年团天津市委员会 2023): expected values read off the
// seed text itself (line numbers refer to seeds/002_bc0805cadde26a36.txt).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ParseError, ParsedDocumentSchema, type Indicator, type ParsedDocument } from "../src/domain.ts";
import { parseProjectCards } from "../src/parser/cards.ts";

const SEED = readFileSync(new URL("../seeds/002_bc0805cadde26a36.txt", import.meta.url), "utf8");
const UNIT = "中国共产主义青年团天津市委员会";

const project = (doc: ParsedDocument, name: string) => {
  const p = doc.projects.find((x) => x.name === name);
  if (!p) throw new Error(`no project ${name}`);
  return p;
};
const indicator = (doc: ParsedDocument, projectName: string, name: string): Indicator => {
  const i = project(doc, projectName).indicators.find((x) => x.name === name);
  if (!i) throw new Error(`no indicator ${name} in ${projectName}`);
  return i;
};

// name, 预算数, 其中：财政资金, indicator rows — from each card's 项目名称 / 预算数 rows and its table
const CARDS: [string, number, number, number][] = [
  ["团市委政务信息化系统运维项目", 14, 14, 8],
  ["“青春+”品牌活动", 20, 20, 7],
  ["大学生思想引领及综合素质提升", 50, 50, 18],
  ["共青团工作项目经费", 51, 51, 65],
  ["青年发展规划工作经费", 110, 110, 15],
  ["天津市青年联合会第十四届委员会全体会议", 80, 80, 8],
  ["天津市青年马克思主义者培养工程", 100, 100, 10],
  ["天津市少先队工作项目", 60, 60, 13],
  ["天津市学生联合会第十五次代表大会", 40, 40, 8],
  ["团市委物业服务项目", 75, 75, 15],
  ["中国共产主义青年团天津市委员会青少年事务社会工作项目", 580, 580, 20],
];

describe("parseProjectCards on seed 002", () => {
  const doc = parseProjectCards(SEED);

  it("reads the document head", () => {
    expect(ParsedDocumentSchema.parse(doc)).toEqual(doc);
    expect(doc.department).toBe(UNIT); // title line "中国共产主义青年团天津市委员会(本级)"
    expect(doc.title).toBe("项目支出绩效目标表");
    expect(doc.year).toBe(2023);
    expect(doc.layout).toBe("project-cards");
    expect(doc.currencyUnit).toBe("万元");
    expect(doc.declaredTotal).toBeNull();
    expect(doc.units).toEqual([]);
    expect(doc.warnings).toEqual([]); // TOC lists exactly the 11 cards; every 预算数 = 财政资金
  });

  it("finds every card with its amounts, unit and indicator count", () => {
    expect(doc.projects.map((p) => [p.name, p.total, p.fiscal, p.indicators.length])).toEqual(CARDS);
    for (const p of doc.projects) {
      expect(p.unit).toBe(UNIT); // "561301 中国共产主义青年团天津市委员会" on every card
      expect(p.other).toBeNull(); // 其他资金 cells are blank
      expect(p.specialAccount).toBeNull();
    }
  });

  it("reads goals, also where the 资金用途 row is missing or its label sits on the text row", () => {
    expect(project(doc, "青年发展规划工作经费").goal).toBe(
      "做好青年发展规划工作，费用支出主要涉及会议举办、专项培训、重点项目建设、课题调研、年度评估、举办论坛等方面。",
    );
    expect(project(doc, "团市委物业服务项目").goal).toMatch(/^1\.为提高团市委机关管理规范化水平.*现计划购买第三方物业服务。$/);
    expect(project(doc, "天津市青年马克思主义者培养工程").goal).toBe(
      "1.经过系统培养，为党选拔培养一批优秀的青年政治骨干，向我市基层一线输送源源不断地输送青年人才。",
    );
  });

  it("reads a plain first row with all fields (line 32)", () => {
    expect(project(doc, "团市委政务信息化系统运维项目").indicators[0]).toEqual({
      level1: "产出指标",
      level2: "数量指标",
      name: "信息系统及网站",
      description: "2个及相关软硬件",
      periodValue: null,
      annualValue: "2相关软硬件",
    });
  });

  it("moves the left-shifted 成本指标 row back under 产出指标 (line 353)", () => {
    const rows = project(doc, "团市委物业服务项目").indicators;
    expect(rows[9]).toEqual({
      level1: "产出指标",
      level2: "成本指标",
      name: "干部周转房",
      description: "干部周转房",
      periodValue: null,
      annualValue: "≤6万元",
    });
    expect(rows[10]?.level1).toBe("效益指标"); // the next row restarts the 效益指标 group
  });

  it("joins the level-2 name split over a page break: 可持续影响 + 指标 (lines 355/358)", () => {
    expect(indicator(doc, "团市委物业服务项目", "提高机关管理规范化水平")).toEqual({
      level1: "效益指标",
      level2: "可持续影响指标",
      name: "提高机关管理规范化水平",
      description: "物业管理规范",
      periodValue: null,
      annualValue: "物业管理规范",
    });
    // the rows after the break inherit level 1 from the group
    expect(indicator(doc, "团市委物业服务项目", "保障干部住房，提升干部单位归属感")).toMatchObject({
      level1: "效益指标",
      level2: "可持续影响指标",
      description: "保障干部住房，提升干部单位归属感", // trailing 。 dropped
    });
  });

  it("re-joins the continuation row 作质量提升 (lines 78/81)", () => {
    const rows = project(doc, "大学生思想引领及综合素质提升").indicators;
    expect(rows[7]).toEqual({
      level1: "产出指标",
      level2: "质量指标",
      name: "社会实践工作质量提升",
      description: "宣传表彰优秀社会实践成果,提高实践育人效果,提升工作影响",
      periodValue: null,
      annualValue: "宣传表彰优秀社会实践成果,提高实践育人效果,提升工作影响",
    });
    expect(rows[8]?.name).toBe("对学生的思想引领更有实效");
  });

  it("re-joins continuation rows that only carry a description or a name tail", () => {
    // line 150/153: 购买专业社 + 会组织服务费, description "学习宣传党的二十大精神" + "神，开展…"
    const bought = indicator(doc, "共青团工作项目经费", "购买专业社会组织服务费");
    expect(bought.level2).toBe("成本指标");
    expect(bought.annualValue).toBe("≤4万元");
    expect(bought.description).toMatch(/^学习宣传党的二十大精神神，开展专题培训/);
    // line 259/262: the name tail arrives alone after the break
    expect(indicator(doc, "天津市青年联合会第十四届委员会全体会议", "会议成果满足我市广大青联委员和青年发展需要").annualValue).toBe(">90%");
    // line 383/386: 资金到位及 + 时率
    expect(indicator(doc, "中国共产主义青年团天津市委员会青少年事务社会工作项目", "资金到位及时率")).toMatchObject({
      level1: "产出指标",
      level2: "时效指标",
      annualValue: "100%",
    });
  });

  it("keeps no tags, no stray spaces inside CJK text and no trailing 。 in indicator fields", () => {
    const cjkSpace = /[\u4e00-\u9fff]\s+[\u4e00-\u9fff]/;
    for (const p of doc.projects) {
      for (const t of [p.name, p.unit, p.goal]) expect(t ?? "").not.toMatch(cjkSpace);
      for (const i of p.indicators) {
        for (const t of [i.name, i.description, i.annualValue]) {
          expect(t ?? "").not.toMatch(cjkSpace);
          expect(t ?? "").not.toMatch(/<[^>]+>|。$/);
        }
      }
    }
    // "主题示范性 活动场次" (line 297)
    expect(project(doc, "天津市少先队工作项目").indicators[0]?.name).toBe("主题示范性活动场次");
  });
});

describe("self-checks", () => {
  it("warns when a card listed in the 目录 is missing from the text", () => {
    const from = SEED.indexOf("3.大学生思想引领及综合素质提升绩效目标表\n\n561301");
    const to = SEED.indexOf("4.共青团工作项目经费绩效目标表\n\n561301");
    expect(from).toBeGreaterThan(0);
    const doc = parseProjectCards(SEED.slice(0, from) + SEED.slice(to));
    expect(doc.projects).toHaveLength(10);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toContain("大学生思想引领及综合素质提升");
    expect(doc.warnings[0]).toContain("目录");
  });

  it("warns when a card is not listed in the 目录", () => {
    const doc = parseProjectCards(SEED.replace("- 5.青年发展规划工作经费绩效目标表\n", ""));
    expect(doc.projects).toHaveLength(11);
    expect(doc.warnings).toEqual([expect.stringContaining("「青年发展规划工作经费」未列入目录")]);
  });

  it("warns when 预算数 differs from 财政资金 + 其他资金", () => {
    const altered = SEED.replace("预算数\t50.00\t其中：财政 资金\t50.00", "预算数\t55.00\t其中：财政 资金\t50.00");
    expect(altered).not.toBe(SEED);
    const doc = parseProjectCards(altered);
    expect(project(doc, "大学生思想引领及综合素质提升").total).toBe(55);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/大学生思想引领及综合素质提升.*预算数 55\.00.*50\.00.*不符/);
  });

  it("does not warn when 其他资金 fills the difference", () => {
    const altered = SEED.replace("预算数\t50.00\t其中：财政 资金\t50.00\t其他资金", "预算数\t55.00\t其中：财政 资金\t50.00\t其他资金\t5.00");
    const doc = parseProjectCards(altered);
    expect(project(doc, "大学生思想引领及综合素质提升")).toMatchObject({ total: 55, fiscal: 50, other: 5 });
    expect(doc.warnings).toEqual([]);
  });
});

describe("the same cards with more PDF mess", () => {
  const clean = parseProjectCards(SEED);
  const lines = SEED.split("\n");

  it("reads the same document when cells are wrapped in <p> and lines end in CRLF", () => {
    const messy = lines
      .map((l) => (l.includes("\t") ? l.split("\t").map((c) => (c ? `<p>${c}</p>` : c)).join("\t") : l))
      .join("\r\n");
    expect(parseProjectCards(messy)).toEqual(clean);
  });

  it("reads the same indicators when stray spaces are inserted into CJK text", () => {
    let n = 0;
    const messy = SEED.replace(/[\u4e00-\u9fff]/g, (ch) => (++n % 3 === 0 ? `${ch} ` : ch));
    const doc = parseProjectCards(messy);
    expect(doc.projects.map((p) => p.name)).toEqual(clean.projects.map((p) => p.name));
    expect(doc.projects.map((p) => p.indicators)).toEqual(clean.projects.map((p) => p.indicators));
    expect(doc.department).toBe(UNIT);
  });

  it("re-joins a row that a new page break splits, and moves back another left-shifted row", () => {
    const header = "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值";
    const messy = SEED.replace(
      "产出指标\t数量指标\t信息系统及网站\t2个及相关软硬件\t2相关软硬件\t",
      `产出指标\t数量指标\t信息系统\t2个及相关\t2相关软\n\n${header}\n\t\t及网站\t软硬件\t硬件`,
    )
      .replace("\t质量指标\t信息设备及系统运行\t", "质量指标\t信息设备及系统运行\t")
      .replace("\t社会效益指标\t机关信息化水平\t进一步提升\t进一步提升\t", "\t社会效益\t机关信息化水平\t进一步提升\t进一步提升\t")
      .replace("\t可持续影响指标\t办公信息安全\t持续保障\t持续保障\t", `\t可持续影响\t办公信息\t持续\t持续\n${header}\n\t指标\t安全\t保障\t保障`);
    const doc = parseProjectCards(messy);
    expect(project(doc, "团市委政务信息化系统运维项目").indicators).toEqual(
      project(clean, "团市委政务信息化系统运维项目").indicators,
    );
  });

  it("converts 元 to 万元 when the card says 单位：元", () => {
    const card = SEED.slice(SEED.indexOf("1.团市委政务信息化系统运维项目绩效目标表\n\n561301"), SEED.indexOf("2. “青春+”品牌活动绩效目标表\n\n561301"))
      .replace("单位：万元", "单位：元")
      .replace("预算数\t14.00\t其中：财政 资金\t14.00\t其他资金", "预算数\t140,000.00\t其中：财政 资金\t135,000.00\t其他资金\t5,000.00");
    const doc = parseProjectCards(card);
    expect(doc.projects[0]).toMatchObject({ name: "团市委政务信息化系统运维项目", total: 14, fiscal: 13.5, other: 0.5 });
    expect(doc.warnings).toEqual([]);
  });

  it("refuses text without any card", () => {
    expect(() => parseProjectCards("")).toThrow(ParseError);
    expect(() => parseProjectCards("中国共产主义青年团天津市委员会\n项目支出绩效目标表\n目 录\n")).toThrow(ParseError);
  });
});
