// The SQLite store through the real parser on the real seeds.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openCatalog } from "../index/open.ts";
import { SCHEMA_VERSION } from "../index/schema.ts";
import { departmentAliases } from "../index/aliases.ts";
import { gold, removeTempDirs, seedFiles, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

function seededCatalog() {
  const dir = tempDir();
  const path = join(dir, "nested", "budget.db");
  const catalog = openCatalog(path);
  for (const f of seedFiles()) expect(catalog.ingestFile(f).kind).toBe("ingested");
  return { catalog, path };
}

describe("store", () => {
  it("creates the file and its folder, with WAL, foreign keys and the schema version", () => {
    const { catalog, path } = seededCatalog();
    expect(existsSync(path)).toBe(true);
    expect(catalog.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(catalog.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(catalog.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    catalog.close();
    // Reopening migrates nothing and keeps the data.
    const again = openCatalog(path);
    expect(again.stats().documents).toBe(5);
    again.close();
  });

  it("holds every seed with the totals the documents declare", () => {
    const { catalog } = seededCatalog();
    const docs = catalog.documents();
    expect(docs.map((d) => d.sourceName)).toEqual(seedFiles().map((f) => basename(f)));
    // 合计 rows of 000, 001, 003, 004; 002 has none, its cards add up to 1180 (14+20+50+…).
    expect(docs.map((d) => d.total)).toEqual([445, 552.5, 1180, 12508.23, 3340]);
    expect(docs.map((d) => d.declaredTotal)).toEqual([445, 552.5, null, 12508.23, 3340]);
    expect(docs.map((d) => d.projectCount)).toEqual([13, 8, 11, 42, 21]);
    const stats = catalog.stats();
    expect(stats).toEqual({ documents: 5, projects: 95, departments: 5, total: 18025.73 });
    catalog.close();
  });

  it("returns a project with its indicators in document order, as the gold parse has them", () => {
    const { catalog } = seededCatalog();
    const want = gold("002_bc0805cadde26a36.txt").projects[0]!;
    const hit = catalog.searchProjects(want.name, { limit: 1 })[0]!;
    const p = catalog.getProject(hit.project.id)!;
    expect(p.name).toBe("团市委政务信息化系统运维项目");
    expect(p.department).toBe("中国共产主义青年团天津市委员会");
    expect(p.year).toBe(2023);
    expect(p.total).toBe(14);
    expect(p.goal).toBe(want.goal);
    expect(p.indicators).toEqual(want.indicators);
    expect(catalog.getProject(999_999)).toBeNull();
    catalog.close();
  });

  it("lists, filters and orders projects with exact amounts", () => {
    const { catalog } = seededCatalog();
    const mz = catalog.listProjects({ departments: ["广州市民政局"], order: "total-desc", limit: 3 });
    expect(mz.total).toBe(42);
    // 003: 广州市“平安通”服务项目 2,294.25 is the largest row of 广州市民政局.
    expect(mz.items[0]!.name).toBe("广州市“平安通”服务项目");
    expect(mz.items[0]!.total).toBe(2294.25);
    const small = catalog.listProjects({ maxTotal: 5, order: "total-asc", limit: 100 });
    expect(small.items.every((p) => p.total <= 5)).toBe(true);
    expect(small.items.map((p) => p.total)).toEqual([...small.items.map((p) => p.total)].sort((a, b) => a - b));
    catalog.close();
  });

  it("generates department aliases and finds departments by them", () => {
    const { catalog } = seededCatalog();
    const find = (t: string) => catalog.findDepartments(t).map((d) => d.name);
    expect(find("民政局有哪些项目")).toEqual(["广州市民政局"]);
    expect(find("市民政局")).toEqual(["广州市民政局"]);
    for (const a of ["市政协", "广州市政协", "政协"]) expect(find(a)).toEqual(["中国人民政治协商会议广东省广州市委员会办公厅"]);
    for (const a of ["海珠区团委", "海珠团区委"]) expect(find(a)).toEqual(["中国共产主义青年团广州市海珠区委员会"]);
    for (const a of ["天津团市委", "天津市团委"]) expect(find(a)).toEqual(["中国共产主义青年团天津市委员会"]);
    expect(find("广州团市委")).toEqual(["中国共产主义青年团广州市委员会"]);
    expect(find("团市委").sort()).toEqual(["中国共产主义青年团天津市委员会", "中国共产主义青年团广州市委员会"].sort());
    expect(find("天气怎么样")).toEqual([]);
    const dept = catalog.departments().find((d) => d.name === "广州市民政局")!;
    expect(dept).toMatchObject({ projectCount: 42, total: 12508.23 });
    expect(dept.aliases).toEqual(expect.arrayContaining(["民政局", "市民政局"]));
    catalog.close();
  });

  it("makes aliases for bodies not in the seeds from the naming scheme alone", () => {
    expect(departmentAliases("共青团广州市越秀区委员会")).toContain("越秀区团委");
    expect(departmentAliases("中国共产主义青年团广州市越秀区委员会")).toContain("越秀团区委");
    expect(departmentAliases("中共广州市委宣传部")).toContain("市委宣传部");
    expect(departmentAliases("广州市越秀区民政局")).toEqual(expect.arrayContaining(["越秀区民政局", "区民政局"]));
  });

  it("opens :memory: databases for tests", () => {
    const c = openCatalog(":memory:");
    expect(c.stats()).toEqual({ documents: 0, projects: 0, departments: 0, total: 0 });
    expect(c.searchProjects("平安通")).toEqual([]);
    c.close();
  });

  it("passes an integrity check", () => {
    const { catalog, path } = seededCatalog();
    catalog.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  });
});
