// Wide-table layout (seeds 000, 001, 003, 004): projects, amounts, units, the three indicator
// grammars, self-check warnings, and the PDF-extraction mess of CONTRACT.md made from real seeds.
// Literal expectations below were read off the seed text; counts and amounts are also compared
// with the evaluation gold files.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ParseError, type Indicator, type ParsedDocument } from "../src/domain.ts";
import { parseDocument } from "../src/parser/index.ts";
import { parseIndicatorCell } from "../src/parser/indicators.ts";

const SEEDS = join(import.meta.dirname, "..", "seeds");
const GOLD = join(import.meta.dirname, "..", "..", "shared", "eval", "gold");
const seedFile = (prefix: string) => readdirSync(SEEDS).find((f) => f.startsWith(prefix))!;
const seedText = (prefix: string) => readFileSync(join(SEEDS, seedFile(prefix)), "utf8");
const parseText = (text: string) => parseDocument(new TextEncoder().encode(text));

interface GoldProject {
  name: string;
  unit: string | null;
  total: number;
  fiscal: number | null;
  specialAccount: number | null;
  other: number | null;
  goal: string | null;
  indicators: Indicator[];
}
interface Gold {
  department: string;
  declaredTotal: number;
  units: { name: string; declaredTotal: number }[];
  projects: GoldProject[];
}
const gold = (prefix: string): Gold | null => {
  try {
    return JSON.parse(readFileSync(join(GOLD, `${seedFile(prefix)}.gold.json`), "utf8")) as Gold;
  } catch {
    return null; // the gold files live outside the repository; literal checks below still run
  }
};
/** Whitespace-insensitive, as the evaluation compares (PDF text has stray spaces the parser drops). */
const squash = (s: string | null | undefined) => (s == null ? null : s.normalize("NFKC").replace(/\s+/g, "").replace(/。$/, ""));

function project(doc: ParsedDocument, name: string, unit?: string) {
  const p = doc.projects.find((x) => x.name === name && (unit === undefined || x.unit === unit));
  if (!p) throw new Error(`no project ${name}`);
  return p;
}

/** Field-by-field comparison with gold, text compared without whitespace. */
function expectMatchesGold(doc: ParsedDocument, g: Gold) {
  expect(squash(doc.department)).toBe(squash(g.department));
  expect(doc.declaredTotal).toBeCloseTo(g.declaredTotal, 2);
  expect(doc.units.map((u) => [squash(u.name), u.declaredTotal])).toEqual(g.units.map((u) => [squash(u.name), u.declaredTotal]));
  expect(doc.projects.map((p) => squash(p.name))).toEqual(g.projects.map((p) => squash(p.name)));
  g.projects.forEach((gp, i) => {
    const p = doc.projects[i]!;
    expect([squash(p.unit), p.total, p.fiscal, p.specialAccount, p.other], gp.name).toEqual([squash(gp.unit), gp.total, gp.fiscal, gp.specialAccount, gp.other]);
    expect(squash(p.goal), gp.name).toBe(squash(gp.goal));
    expect(p.indicators.length, gp.name).toBe(gp.indicators.length);
    gp.indicators.forEach((gi, j) => {
      const pi = p.indicators[j]!;
      for (const k of ["level1", "level2", "name", "description", "periodValue", "annualValue"] as const)
        expect(squash(pi[k]), `${gp.name}#${j + 1}.${k}`).toBe(squash(gi[k]));
    });
  });
}

describe("seed 000 (grammar 1, one unit, <p> rows with a column fewer)", () => {
  const doc = parseText(seedText("000"));

  it("reads the document fields and the unit subtotal", () => {
    expect(doc.layout).toBe("wide-table");
    expect(doc.department).toBe("中国共产主义青年团广州市委员会");
    expect(doc.title).toBe("项目支出绩效目标表（含转移支付项目）");
    expect(doc.year).toBeNull();
    expect(doc.declaredTotal).toBe(445);
    expect(doc.units).toEqual([{ name: "广州市志愿者行动指导中心", declaredTotal: 445 }]);
    expect(doc.warnings).toEqual([]);
  });

  it("finds 13 projects, all under the unit, with their amounts", () => {
    expect(doc.projects).toHaveLength(13);
    expect(new Set(doc.projects.map((p) => p.unit))).toEqual(new Set(["广州市志愿者行动指导中心"]));
    expect(doc.projects.map((p) => p.total)).toEqual([37.8, 8, 7, 14, 58.9, 23.5, 3.2, 37.6, 1.8, 5, 155.2, 23, 70]);
    expect(doc.projects.every((p) => p.fiscal === p.total && p.specialAccount === null && p.other === null)).toBe(true);
    // Stray spaces inside names are gone; <p> tags too.
    expect(doc.projects.map((p) => p.name)).toContain("2025年全国运动会志愿服务工作经费");
    expect(doc.projects.map((p) => p.name)).toContain("广州市志愿者行动指导中心2024年志愿服务系统升级改造项目");
  });

  it("reads grammar 1 with values that contain ；", () => {
    const p = project(doc, "政务信息化基础设施改造项目");
    expect(p.indicators).toHaveLength(4);
    expect(p.indicators[1]).toEqual({
      level1: "产出指标",
      level2: "质量指标",
      name: "设备验收合格率",
      description: null,
      periodValue: "设备验收合格率；验收机房改造设备（机柜地面改造等）验收合格率100%",
      annualValue: "设备验收合格率；验收机房改造设备（机柜地面改造等）验收合格100%",
    });
    expect(p.indicators[2]).toEqual({
      level1: "效益指标",
      level2: "可持续影响指标",
      name: "机房环境及网络结构规划",
      description: null,
      periodValue: "①对机房环境优化提升，做好防尘、防雷、温湿度保护措施；②优化中心网络结构规划，中心网络布线的更加规范",
      annualValue: "①对机房环境优化提升，做好防尘、防雷、温湿度保护措施；②优化中心网络结构规划，中心网络布线的更加规范",
    });
  });

  it("reads grammar 1 with half-width colons and a level-1 name used as the indicator name", () => {
    expect(project(doc, "机构运行辅助经费").indicators[0]).toEqual({
      level1: "产出指标",
      level2: "数量指标",
      name: "到位率",
      description: null,
      periodValue: "到位率=实际到位人数/计划到位人数×100%",
      annualValue: "人员到位率100%",
    });
    const first = project(doc, "广州市志愿者行动指导中心2024-2025年信息化运维项目").indicators[0]!;
    expect([first.level1, first.level2, first.name]).toEqual(["满意度指标", "服务对象满意度指标", "满意度指标"]);
    expect(squash(first.annualValue)).toBe("员工满意度:不低于90%");
  });
});

describe("seed 001 (grammar 2, two units)", () => {
  const doc = parseText(seedText("001"));

  it("tells the two unit subtotals from the projects by arithmetic", () => {
    expect(doc.department).toBe("中国共产主义青年团广州市海珠区委员会");
    expect(doc.declaredTotal).toBe(552.5);
    expect(doc.units).toEqual([
      { name: "中国共产主义青年团广州市海珠区委员会", declaredTotal: 522.5 },
      { name: "广州市海珠区志愿者行动指导中心", declaredTotal: 30 },
    ]);
    expect(doc.projects.map((p) => [p.name, p.unit, p.total])).toEqual([
      ["“青年地带”青少年服务经费", "中国共产主义青年团广州市海珠区委员会", 158],
      ["驻镇帮镇扶村项目资金", "中国共产主义青年团广州市海珠区委员会", 10],
      ["团委各项工作经费", "中国共产主义青年团广州市海珠区委员会", 50],
      ["团委各项活动费", "中国共产主义青年团广州市海珠区委员会", 10],
      ["青年地带（预防青少年违法犯罪服务）项目经费", "中国共产主义青年团广州市海珠区委员会", 94.5],
      ["2024年“青年地带”驻校社工服务项目经费", "中国共产主义青年团广州市海珠区委员会", 200],
      ["综合业务费", "广州市海珠区志愿者行动指导中心", 20],
      ["志愿服务费", "广州市海珠区志愿者行动指导中心", 10],
    ]);
    expect(doc.projects.map((p) => p.indicators.length)).toEqual([6, 1, 5, 3, 5, 5, 2, 2]);
    expect(doc.warnings).toEqual([]);
  });

  it("keeps `1-2个` inside a name (not read as item numbering)", () => {
    expect(project(doc, "驻镇帮镇扶村项目资金").indicators).toEqual([
      { level1: "效益指标", level2: null, name: "为对口帮扶社区解决1-2个实际困难或问题", description: null, periodValue: null, annualValue: "完成率100%" },
    ]);
  });

  it("splits items separated by ， as well as 。", () => {
    const ind = project(doc, "团委各项工作经费").indicators;
    expect(ind[0]).toEqual({ level1: "效益指标", level2: null, name: "维系青少年人数", description: null, periodValue: null, annualValue: "30000人" });
    expect(ind[3]).toEqual({ level1: "产出指标", level2: null, name: "新建“两新”团组织", description: null, periodValue: null, annualValue: "100个" });
    expect(ind[4]).toEqual({ level1: "产出指标", level2: null, name: "招募大学实习生", description: null, periodValue: null, annualValue: "300名" });
    expect(project(doc, "综合业务费").indicators[0]!.name).toBe("维系社会组织，志愿服务队");
  });
});

describe("seed 003 (grammar 3, no units, repeated headers)", () => {
  const doc = parseText(seedText("003"));

  it("reads 42 projects with thousands separators, department without （本级）", () => {
    expect(doc.department).toBe("广州市民政局");
    expect(doc.declaredTotal).toBe(12508.23);
    expect(doc.units).toEqual([]);
    expect(doc.projects).toHaveLength(42);
    expect(project(doc, "广州市“平安通”服务项目").total).toBe(2294.25);
    expect(project(doc, "社会组织公益创投项目").fiscal).toBe(2000);
    expect(doc.projects.every((p) => p.unit === null)).toBe(true);
    expect(doc.warnings).toEqual([]);
  });

  it("keeps a coded project without goal as a project, not a subtotal", () => {
    const p = project(doc, "GZIT2022-QM-N-B-025037");
    expect([p.total, p.goal, p.indicators]).toEqual([246, null, []]);
  });

  it("reads restarted numbering (1、1、2、3、4) as five indicators", () => {
    expect(project(doc, "广州市民政局2023年综合提升项目").indicators).toEqual([
      { level1: "产出指标", level2: null, name: "系统正常运作率", description: null, periodValue: null, annualValue: "≥95%" },
      { level1: "产出指标", level2: null, name: "系统故障及时修复率", description: null, periodValue: null, annualValue: "100%" },
      { level1: "效益指标", level2: null, name: "系统响应时间", description: null, periodValue: null, annualValue: "≤5秒" },
      { level1: "效益指标", level2: null, name: "系统故障恢复时间", description: null, periodValue: null, annualValue: "≤30分钟" },
      { level1: "满意度指标", level2: null, name: "系统使用满意率", description: null, periodValue: null, annualValue: "≥95%" },
    ]);
  });

  it("maps the typo 满意指标 to 满意度指标", () => {
    const ind = project(doc, "养老服务人才提升项目").indicators;
    expect(ind).toHaveLength(9);
    expect(ind[0]).toEqual({ level1: "满意度指标", level2: null, name: "被调查的老人对服务质量满意度", description: null, periodValue: null, annualValue: "≥85%" });
    expect(ind[7]).toEqual({ level1: "满意度指标", level2: null, name: "培训满意率", description: null, periodValue: null, annualValue: "参与培训人员满意度超过90%" });
    expect(project(doc, "政府购买社会工作专项服务及评估费").indicators[2]).toEqual({
      level1: "效益指标", level2: null, name: "服务人次", description: null, periodValue: null, annualValue: "100万人次",
    });
  });
});

describe("seed 004 (grammar 1, three units, one project name under several units)", () => {
  const doc = parseText(seedText("004"));

  it("assigns the same project name to three different units", () => {
    expect(doc.department).toBe("中国人民政治协商会议广东省广州市委员会办公厅");
    expect(doc.declaredTotal).toBe(3340);
    expect(doc.units.map((u) => [u.name, u.declaredTotal])).toEqual([
      ["中国人民政治协商会议广东省广州市委员会办公厅", 3326],
      ["广州政协文史展示中心", 7],
      ["广州市政协机关事务和信息中心", 7],
    ]);
    expect(doc.projects).toHaveLength(21);
    expect(doc.projects.filter((p) => p.name === "机构运行辅助经费").map((p) => p.unit)).toEqual([
      "中国人民政治协商会议广东省广州市委员会办公厅",
      "广州政协文史展示中心",
      "广州市政协机关事务和信息中心",
    ]);
    expect(project(doc, "专项工作经费").total).toBe(1027.87);
    expect(project(doc, "文史编研专项经费").total).toBe(0.5);
  });

  it("reads names containing numbered sentences and a short coded project", () => {
    expect(project(doc, "业务用房物业管理费").indicators[0]).toEqual({
      level1: "产出指标", level2: "质量指标", name: "1.物管覆盖率。2.考察安保人员配备达标率", description: null, periodValue: "95%", annualValue: "95%",
    });
    expect(project(doc, "TZMMZX").indicators).toEqual([
      { level1: "产出指标", level2: "质量指标", name: "保密", description: null, periodValue: "98%", annualValue: "98%" },
      { level1: "效益指标", level2: "经济效益指标", name: "保密项目", description: null, periodValue: "保密项目", annualValue: "保密项目" },
    ]);
  });
});

describe("all wide seeds against the evaluation gold", () => {
  for (const prefix of ["000", "001", "003", "004"]) {
    const g = gold(prefix);
    it.skipIf(g == null)(`seed ${prefix}: every project, amount, unit and indicator field`, () => expectMatchesGold(parseText(seedText(prefix)), g!));
  }
});

describe("indicator grammars on their own", () => {
  it("reads grammar 3 with a level-2 name spelled out and a generic 指标值 label", () => {
    expect(parseIndicatorCell("1、产出指标；数量指标；培训人数；指标值：100人。")).toEqual([
      { level1: "产出指标", level2: "数量指标", name: "培训人数", description: null, periodValue: null, annualValue: "100人" },
    ]);
  });
  it("reads an item whose 年度指标值 comes first", () => {
    expect(parseIndicatorCell("1-效益指标：覆盖率，年度指标值：90%；实施周期指标值：95%。")[0]).toMatchObject({ annualValue: "90%", periodValue: "95%", name: "覆盖率" });
  });
});

// ---------- the mess of CONTRACT.md, made from the real seeds ----------

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const headerOf = (t: string) => t.split("\n").find((l) => l.replace(/\s/g, "").startsWith("项目名称"))!;
const isDataRow = (l: string) => l.split("\t").length > 5 && !/合计|项目名称/.test(l);
function splitCell(line: string, col: (cells: string[]) => number, at: (len: number) => number, insert = "\n"): string {
  const cells = line.split("\t");
  const i = col(cells);
  const c = cells[i]!;
  if (c.length < 12) return line;
  const k = at(c.length);
  cells[i] = c.slice(0, k) + insert + c.slice(k);
  return cells.join("\t");
}
type Mutation = (text: string, r: () => number) => string;
const MUTATIONS: Record<string, Mutation> = {
  "names broken over two lines": (t, r) => t.split("\n").map((l) => (isDataRow(l) && r() < 0.6 ? splitCell(l, () => 0, (n) => 2 + Math.floor(r() * (n - 3))) : l)).join("\n"),
  "goals broken over two lines": (t, r) => t.split("\n").map((l) => (isDataRow(l) && r() < 0.7 ? splitCell(l, (c) => c.length - 2, (n) => 5 + Math.floor(r() * (n - 10))) : l)).join("\n"),
  "indicator cells broken over lines": (t, r) => t.split("\n").map((l) => (isDataRow(l) && r() < 0.8 ? splitCell(l, (c) => c.length - 1, (n) => 5 + Math.floor(r() * (n - 10))) : l)).join("\n"),
  "cells broken across a page break with a repeated header": (t, r) => {
    const h = headerOf(t);
    let page = 0;
    return t.split("\n").map((l) => (isDataRow(l) && r() < 0.3 ? splitCell(l, (c) => c.length - 1, (n) => Math.floor(n / 2), `\n\n- ${++page} -\n\n${h}\n`) : l)).join("\n");
  },
  "an empty amount column missing, cells in <p>": (t, r) =>
    t.split("\n").map((l) => {
      const c = l.split("\t");
      if (c.length !== 7 || /项目名称/.test(l) || r() < 0.5) return l;
      const i = c.findIndex((x, j) => j > 2 && j < 5 && x === "");
      if (i < 0) return l;
      c.splice(i, 1);
      return c.map((x) => (x ? `<p>${x}</p>` : x)).join("\t");
    }).join("\n"),
  "amounts in 元": (t) =>
    t.replace("单位：万元", "单位：元").replace(/(?<=\t|^|<p>)(\d{1,3}(?:,\d{3})*|\d+)\.(\d\d)(?=\t|$|<\/p>)/gm, (_m, a: string, b: string) =>
      (Number(a.replace(/,/g, "")) * 10000 + Number(b) * 100).toLocaleString("en-US") + ".00"),
  "stray spaces inside CJK text": (t, r) => t.replace(/([\u4e00-\u9fff])(?=[\u4e00-\u9fff])/g, (m) => (r() < 0.05 ? `${m} ` : m)),
  "half-width punctuation": (t, r) => t.replace(/[：；]/g, (m) => (r() < 0.5 ? (m === "：" ? ":" : ";") : m)),
  "CRLF line ends": (t) => t.replace(/\n/g, "\r\n"),
};
const ALL = (t: string, r: () => number) => Object.values(MUTATIONS).reduce((acc, m) => m(acc, r), t);

describe("the PDF-extraction mess (seeds mangled as CONTRACT.md describes) parses like the clean seed", () => {
  for (const prefix of ["000", "001", "003", "004"]) {
    // The gold file when present; otherwise the clean seed's parse (pinned by the tests above).
    const reference = (): Gold => gold(prefix) ?? (parseText(seedText(prefix)) as unknown as Gold);
    for (const [name, m] of Object.entries(MUTATIONS))
      it(`${prefix}: ${name}`, () => {
        for (let seed = 1; seed <= 3; seed++) expectMatchesGold(parseText(m(seedText(prefix), rng(seed))), reference());
      });
    it(`${prefix}: everything at once`, () => {
      for (let seed = 1; seed <= 5; seed++) expectMatchesGold(parseText(ALL(seedText(prefix), rng(seed))), reference());
    });
  }

  it("skips a page footer and a repeated header broken over three lines", () => {
    const t = seedText("001").replace(
      "团委各项活动费\t",
      "\n第 2 页\n项目名称（资金使用\n单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\n绩效目标\t绩效指标\n团委各项活动费\t",
    );
    const doc = parseText(t);
    expect(doc.projects.map((p) => [p.name, p.indicators.length])).toEqual(parseText(seedText("001")).projects.map((p) => [p.name, p.indicators.length]));
    expect(project(doc, "团委各项工作经费").indicators[4]!.annualValue).toBe("300名");
    expect(doc.warnings).toEqual([]);
  });

  it("takes a row shifted left (name column missing) with its name from the line above", () => {
    const t = seedText("001").replace("志愿服务费\t10.00", "志愿服务费\n10.00");
    const p = project(parseText(t), "志愿服务费");
    expect([p.total, p.unit, p.indicators.length]).toEqual([10, "广州市海珠区志愿者行动指导中心", 2]);
  });
});

describe("self-checks", () => {
  it("warns, in Chinese, when 合计 disagrees with the projects", () => {
    const doc = parseText(seedText("003").replace("合计\t12,508.23", "合计\t12,600.00"));
    expect(doc.warnings).toEqual(["表中合计 12600 万元，与各项目金额之和 12508.23 万元不一致（相差 91.77 万元）"]);
  });

  it("warns when a unit subtotal disagrees with its projects, and still finds the units", () => {
    const doc = parseText(seedText("001").replace("广州市海珠区志愿者行动指导中心\t30.00\t30.00", "广州市海珠区志愿者行动指导中心\t31.00\t31.00"));
    expect(doc.units.map((u) => u.name)).toEqual(["中国共产主义青年团广州市海珠区委员会", "广州市海珠区志愿者行动指导中心"]);
    expect(doc.projects).toHaveLength(8);
    expect(doc.warnings).toContain("资金使用单位“广州市海珠区志愿者行动指导中心”小计 31 万元，与其下项目金额之和 30 万元不一致");
  });

  it("warns when a project's total is not the sum of its sources", () => {
    const doc = parseText(seedText("001").replace("团委各项活动费\t10.00\t10.00", "团委各项活动费\t10.00\t9.00"));
    expect(doc.warnings).toContain("项目“团委各项活动费”总计 10 万元，与各资金来源之和 9 万元不一致");
  });
});

describe("document fields from other headings", () => {
  it("takes department and year from a title such as 广州市民政局2024年项目支出绩效目标表", () => {
    const t = seedText("003").replace("项目支出绩效目标表（含转移支付项目）", "广州市民政局2024年项目支出绩效目标表").replace("单位名称：广州市民政局（本级）", "");
    const doc = parseText(t);
    expect([doc.department, doc.year, doc.projects.length]).toEqual(["广州市民政局", 2024, 42]);
  });

  it("refuses a table without projects", () => {
    const t = seedText("003").split("\n").slice(0, 10).join("\n");
    expect(() => parseText(t)).toThrow(ParseError);
  });
});
