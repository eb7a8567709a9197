// Search over the real seeds through the real parser.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog, type CatalogHandle } from "../index/open.ts";
import { bigramText, normalizeForSearch, queryTerms, tokenize } from "../index/tokenize.ts";
import { SAMPLE_QUERIES, seedFiles } from "./index-helpers.ts";

let catalog: CatalogHandle;
beforeAll(() => {
  catalog = openCatalog(":memory:");
  for (const f of seedFiles()) expect(catalog.ingestFile(f).kind).toBe("ingested");
});
afterAll(() => catalog.close());

const names = (q: string, limit = 10) => catalog.searchProjects(q, { limit }).map((h) => h.project.name);

describe("tokenizer", () => {
  it("splits unspaced Chinese into overlapping bigrams, keeps lone characters and ASCII words", () => {
    expect(tokenize("平安通")).toEqual(["平安", "安通"]);
    expect(tokenize("广州市“平安通”服务")).toEqual(["广州", "州市", "市平", "平安", "安通", "通服", "服务"]);
    expect(tokenize("年，5G基站 APP")).toEqual(["年", "5g", "基站", "app"]);
    expect(tokenize("ＡＢＣ１２３")).toEqual(["abc123"]); // NFKC: full-width → ASCII
    expect(queryTerms("志愿志愿")).toEqual(["志愿", "愿志"]);
    expect(normalizeForSearch("“志愿在康园” 扶残")).toBe("志愿在康园扶残");
    expect(bigramText("满意度")).toBe("满意 意度");
  });
});

describe("searchProjects", () => {
  const samples = readFileSync(SAMPLE_QUERIES, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { q: string; expect_project: string });

  it.each(samples)("finds $expect_project in the top 3 for $q", ({ q, expect_project }) => {
    expect(names(q, 3)).toContain(expect_project);
  });

  it("ranks the project whose name holds the query first (平安通)", () => {
    const hits = catalog.searchProjects("平安通");
    expect(hits[0]!.project.name).toBe("广州市“平安通”服务项目");
    expect(hits[0]!.exactName).toBe(true);
    expect(hits[0]!.project.total).toBe(2294.25);
  });

  it("puts name matches before text-only matches and flags them", () => {
    // 驿站: in the name of 城市志愿服务驿站常态化运行工作经费, only in the goal of 志愿服务费 (seed 000).
    const hits = catalog.searchProjects("驿站");
    expect(hits[0]!.project.name).toBe("城市志愿服务驿站常态化运行工作经费");
    expect(hits[0]).toMatchObject({ exactName: true, textOnly: false });
    const rest = hits.slice(1);
    expect(rest.map((h) => h.project.name)).toContain("志愿服务费");
    expect(rest.every((h) => h.textOnly && !h.exactName)).toBe(true);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it("matches across quotes and spaces people leave out", () => {
    expect(names("康园扶残", 1)).toEqual(["“志愿在康园”扶残助残志愿服务项目"]);
    expect(names("平安通服务", 1)).toEqual(["广州市“平安通”服务项目"]);
  });

  it("finds near names when nothing matches exactly (平安同 → 平安通)", () => {
    expect(names("平安同", 3)).toContain("广州市“平安通”服务项目");
  });

  it("matches pinyin, full or initials", () => {
    expect(names("pingantong", 1)).toEqual(["广州市“平安通”服务项目"]);
    expect(names("PingAnTong", 1)).toEqual(["广州市“平安通”服务项目"]);
    expect(names("pat", 3)).toContain("广州市“平安通”服务项目");
    expect(names("cishan", 3)).toContain("慈善改革经费");
  });

  it("handles one-character queries and restricts to departments", () => {
    expect(names("桩")).toContain("全市区划地名经费"); // 界桩 in its goal
    const mz = catalog.searchProjects("经费", { departments: ["广州市民政局"], limit: 50 });
    expect(mz.length).toBeGreaterThan(5);
    expect(mz.every((h) => h.project.department === "广州市民政局")).toBe(true);
    expect(names("经费", 5)).toHaveLength(5);
  });

  it("finds nothing for text that is nowhere", () => {
    expect(names("量子计算机")).toEqual([]);
    expect(names("   ")).toEqual([]);
  });
});
