// SIGKILL in the middle of a large ingest: the database opens, is intact, and holds only whole documents.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openCatalog } from "../index/open.ts";
import { parseDocument } from "../src/parser/index.ts";
import { removeTempDirs, seedFiles, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

const FILES = 600;

describe("crash safety", () => {
  it("survives SIGKILL mid-ingest with only whole documents", async () => {
    const dir = tempDir();
    const inbox = join(dir, "many");
    mkdirSync(inbox);
    const seeds = seedFiles().map((f) => readFileSync(f, "utf8"));
    // What each file must hold when stored: counts from the parser itself.
    const expected = new Map<string, { projects: number; indicators: number; units: number }>();
    for (let i = 0; i < FILES; i++) {
      // Trailing blank lines make every file's bytes (and sha256) different; the content is the seed's.
      const text = seeds[i % seeds.length]! + "\n".repeat(1 + Math.floor(i / seeds.length));
      const name = `f${String(i).padStart(4, "0")}.txt`;
      writeFileSync(join(inbox, name), text);
      const doc = parseDocument(Buffer.from(text));
      expected.set(name, {
        projects: doc.projects.length,
        indicators: doc.projects.reduce((n, p) => n + p.indicators.length, 0),
        units: doc.units.length,
      });
    }
    const dbPath = join(dir, "crash.db");
    openCatalog(dbPath).close(); // schema exists, so the poller can read while the child writes

    const child = spawn(process.execPath, [join(import.meta.dirname, "..", "bin", "budget-bot.js"), "ingest", inbox, "--db", dbPath], {
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_code, signal) => res(signal)));
    const poll = new Database(dbPath, { readonly: true });
    const count = () => (poll.prepare("SELECT count(*) AS n FROM documents").get() as { n: number }).n;
    const deadline = Date.now() + 60_000;
    while (count() < 30 && Date.now() < deadline) await sleep(10);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    poll.close();

    const db = new Database(dbPath);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
    const docs = db
      .prepare(
        `SELECT d.source_name AS name,
          (SELECT count(*) FROM projects p WHERE p.document_id = d.id) AS projects,
          (SELECT count(*) FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.document_id = d.id) AS indicators,
          (SELECT count(*) FROM units u WHERE u.document_id = d.id) AS units
         FROM documents d ORDER BY d.id`,
      )
      .all() as Array<{ name: string; projects: number; indicators: number; units: number }>;
    expect(docs.length).toBeGreaterThanOrEqual(30);
    expect(docs.length).toBeLessThan(FILES); // killed in the middle, not after the end
    for (const d of docs) expect({ projects: d.projects, indicators: d.indicators, units: d.units }, d.name).toEqual(expected.get(d.name));
    // The long-text index holds exactly the stored projects that have goal or indicator text.
    const ftsRows = (db.prepare("SELECT count(*) AS n FROM project_text").get() as { n: number }).n;
    const withText = db
      .prepare("SELECT count(*) AS n FROM projects p WHERE p.goal IS NOT NULL OR EXISTS (SELECT 1 FROM indicators i WHERE i.project_id = p.id)")
      .get() as { n: number };
    expect(ftsRows).toBe(withText.n);
    db.close();

    // And it reopens as a catalog that answers.
    const c = openCatalog(dbPath);
    expect(c.searchProjects("平安通").length).toBeGreaterThan(0);
    c.close();
  }, 120_000);
});
