// Ingest on real SQLite files: duplicates, replacements, refusals, the in-transaction hook, the CLI.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IngestEventSchema } from "../index/events.ts";
import { openCatalog } from "../index/open.ts";
import { removeTempDirs, SEED_DIR, snapshot, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

const MZ = join(SEED_DIR, "003_ace059b0f710521b.txt");
const TW = join(SEED_DIR, "000_46990f6310ea42e4.txt");

describe("ingest", () => {
  it("stores the same file once; the second time is a duplicate and writes nothing", () => {
    const dir = tempDir();
    const catalog = openCatalog(join(dir, "b.db"));
    const first = catalog.ingestFile(MZ);
    expect(first.kind).toBe("ingested");
    IngestEventSchema.parse(first);
    const before = snapshot(catalog.db);
    // Same bytes under another name are the same document too.
    copyFileSync(MZ, join(dir, "copy.txt"));
    for (const f of [MZ, join(dir, "copy.txt")]) {
      const again = catalog.ingestFile(f);
      expect(again.kind).toBe("duplicate");
      if (again.kind === "duplicate") expect(again.existing.id).toBe(first.kind === "ingested" ? first.document.id : -1);
    }
    expect(snapshot(catalog.db)).toEqual(before);
    expect(catalog.documents()).toHaveLength(1);
    catalog.close();
  });

  it("replaces a document of the same name: the old one stays, superseded and unsearchable", () => {
    const dir = tempDir();
    const dbPath = join(dir, "b.db");
    const catalog = openCatalog(dbPath);
    const original = readFileSync(MZ, "utf8");
    const v1 = catalog.ingestBytes("民政局.txt", Buffer.from(original));
    expect(v1.kind).toBe("ingested");
    const oldIds = catalog.searchProjects("机构运行辅助经费").map((h) => h.project.id);
    expect(oldIds.length).toBeGreaterThan(0);
    const oldFixture = catalog.searchProjects("麻风")[0]!.project; // found through the goal text (FTS)

    // Second version: one amount changed (56.00 → 66.00), one row dropped (业务用房物业管理费).
    const v2text = original
      .replace("机构运行辅助经费\t56.00\t56.00", "机构运行辅助经费\t66.00\t66.00")
      .split("\n")
      .filter((l) => !l.startsWith("业务用房物业管理费\t"))
      .join("\n");
    const v2 = catalog.ingestBytes("民政局.txt", Buffer.from(v2text));
    expect(v2.kind).toBe("ingested");
    if (v2.kind !== "ingested" || v1.kind !== "ingested") throw new Error("unreachable");
    expect(v2.replaced).toEqual({
      previousDocumentId: v1.document.id,
      added: [],
      removed: [{ name: "业务用房物业管理费", unit: null, total: 200.02 }],
      changed: [{ name: "机构运行辅助经费", unit: null, before: 56, after: 66 }],
    });
    expect(v2.document.projectCount).toBe(41);

    const docs = catalog.documents();
    expect(docs.map((d) => [d.id, d.supersededBy])).toEqual([
      [v1.document.id, v2.document.id],
      [v2.document.id, null],
    ]);
    const hits = catalog.searchProjects("机构运行辅助经费");
    expect(hits.map((h) => h.project.documentId)).toEqual([v2.document.id]);
    expect(hits[0]!.project.total).toBe(66);
    expect(catalog.searchProjects("物业管理").some((h) => h.project.name === "业务用房物业管理费")).toBe(false);
    expect(catalog.searchProjects("麻风").map((h) => h.project.id)).not.toContain(oldFixture.id);
    expect(catalog.stats()).toMatchObject({ documents: 1, projects: 41 });
    expect(catalog.listProjects({ limit: 100 }).total).toBe(41);
    // The old version is still in the database.
    expect(catalog.getProject(oldIds[0]!)!.total).toBe(56);
    catalog.close();

    // A fresh process sees the same thing (index rebuilt from SQLite).
    const reopened = openCatalog(dbPath);
    expect(reopened.searchProjects("机构运行辅助经费").map((h) => h.project.total)).toEqual([66]);
    reopened.close();
  });

  it("refuses a file that is not a budget table and leaves the database exactly as it was", () => {
    const dir = tempDir();
    const catalog = openCatalog(join(dir, "b.db"));
    catalog.ingestFile(TW);
    const before = snapshot(catalog.db);
    const cases: Array<[string, Uint8Array]> = [
      ["notes.txt", Buffer.from("会议纪要\n今天讨论了明年的工作计划。\n")],
      ["empty.txt", new Uint8Array()],
      ["image.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3, 0, 0, 255])],
    ];
    for (const [name, bytes] of cases) {
      const e = catalog.ingestBytes(name, bytes);
      expect(e.kind, name).toBe("refused");
      if (e.kind === "refused") {
        expect(e.sourceName).toBe(name);
        expect(e.reason).toMatch(/[\u4e00-\u9fff]/);
      }
      IngestEventSchema.parse(e);
    }
    expect(snapshot(catalog.db)).toEqual(before);
    catalog.close();
  });
});

describe("two connections", () => {
  it("a warmed-up catalog sees documents another connection stored (and replaced)", () => {
    const dbPath = join(tempDir(), "b.db");
    const server = openCatalog(dbPath);
    server.warmUp();
    expect(server.searchProjects("平安通")).toEqual([]);
    const cli = openCatalog(dbPath); // e.g. `budget-bot ingest` while `serve` runs
    expect(cli.ingestFile(MZ).kind).toBe("ingested");
    expect(server.searchProjects("平安通")[0]!.project.name).toBe("广州市“平安通”服务项目");
    // Second version without the row of 广州市“平安通”服务项目 (line 18 of the seed).
    const v2 = readFileSync(MZ, "utf8").split("\n").filter((l) => !l.startsWith("广州市“平安通”服务项目\t")).join("\n");
    const replaced = cli.ingestBytes("003_ace059b0f710521b.txt", Buffer.from(v2));
    expect(replaced.kind === "ingested" && replaced.replaced?.removed).toEqual([
      { name: "广州市“平安通”服务项目", unit: null, total: 2294.25 },
    ]);
    expect(server.searchProjects("平安通").filter((h) => h.exactName)).toEqual([]);
    cli.close();
    server.close();
  });
});

describe("ingest hook", () => {
  it("commits outbox rows with the document, and rolls both back together", () => {
    const catalog = openCatalog(join(tempDir(), "b.db"));
    const now = Date.now();
    const writeOutbox = (db: import("better-sqlite3").Database, event: unknown) => {
      db.prepare(`INSERT INTO outbox (chat_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)`).run(
        "telegram:1", JSON.stringify(event), now, now);
    };
    expect(() =>
      catalog.ingestFile(TW, {
        onIngested: (db, e) => {
          writeOutbox(db, e);
          throw new Error("boom");
        },
      }),
    ).toThrow("boom");
    expect(catalog.documents()).toHaveLength(0);
    expect(catalog.db.prepare("SELECT count(*) AS n FROM outbox").get()).toEqual({ n: 0 });
    expect(catalog.searchProjects("驿站")).toEqual([]);

    catalog.addIngestHook(writeOutbox);
    const ok = catalog.ingestFile(TW);
    expect(ok.kind).toBe("ingested");
    const rows = catalog.db.prepare("SELECT payload FROM outbox").all() as Array<{ payload: string }>;
    expect(rows).toHaveLength(1);
    expect(IngestEventSchema.parse(JSON.parse(rows[0]!.payload))).toMatchObject({
      kind: "ingested",
      document: { department: "中国共产主义青年团广州市委员会", projectCount: 13, total: 445 },
    });
    catalog.close();
  });
});

describe("budget-bot ingest", () => {
  const cli = join(import.meta.dirname, "..", "bin", "budget-bot.js");

  it("ingests a directory, prints a summary, and exits 1 when a file is refused", () => {
    const dir = tempDir();
    const inbox = join(dir, "in");
    execFileSync("mkdir", ["-p", inbox]);
    copyFileSync(TW, join(inbox, "a.txt"));
    copyFileSync(MZ, join(inbox, "b.txt"));
    writeFileSync(join(inbox, "c.txt"), "这不是预算表");
    const db = join(dir, "cli.db");
    const run = spawnSync(process.execPath, [cli, "ingest", inbox, "--db", db], { encoding: "utf8", env: { ...process.env, BUDGET_DB: join(dir, "unused.db") } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/c\.txt refused \([a-z-]+\): .*[\u4e00-\u9fff]/);
    const lines = run.stdout.trim().split("\n");
    expect(lines[1]).toMatch(/^a\.txt\s+中国共产主义青年团广州市委员会\s+13\s+445\.00\s+0\s+已入库$/);
    expect(lines[2]).toMatch(/^b\.txt\s+广州市民政局\s+42\s+12508\.23\s+0\s+已入库$/);
    expect(lines[3]).toMatch(/^c\.txt\s+拒绝：/);
    const again = spawnSync(process.execPath, [cli, "ingest", join(inbox, "a.txt"), "--db", db], { encoding: "utf8" });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("重复");
    const c = openCatalog(db);
    expect(c.stats()).toMatchObject({ documents: 2, projects: 55 });
    c.close();
  }, 60_000);
});
