// `budget-bot ask` as a child process on a real database built from the seeds.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswerSchema } from "../src/domain.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";

const BIN = join(import.meta.dirname, "..", "bin", "budget-bot.js");
let seeds: SeedCatalog;
const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, "ask", ...args], { input, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "silent", ...env }, timeout: 60_000 });

beforeAll(() => {
  seeds = openSeedCatalog();
  seeds.catalog.close(); // the child opens the file itself
});
afterAll(() => seeds.dispose());

describe("budget-bot ask", () => {
  it("one question as an argument, plain text", () => {
    const r = run(["平安通项目预算多少", "--db", seeds.dbPath]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("预算总计：2294.25 万元");
  });

  it("stdin: one JSON line per question, one chat (\"2\" picks), BUDGET_DB honoured", () => {
    const r = run(["--json"], "工作经费预算多少\n\n2\n帮助\n", { BUDGET_DB: seeds.dbPath });
    expect(r.status).toBe(0);
    const answers = r.stdout.trim().split("\n").map((l) => AnswerSchema.parse(JSON.parse(l)));
    expect(answers.map((a) => a.intent)).toEqual(["clarify", "project_budget", "help"]);
    expect(answers[1]!.projects[0]).toMatchObject({ name: "工作经费", total: answers[0]!.projects[1]!.total });
  });

  it("stdin without --json: each answer on one line", () => {
    const r = run(["--db", seeds.dbPath], "天津团市委有哪些项目\n春运\n");
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("共 11 个项目，预算合计 1180.00 万元 | 项目（按预算从高到低）： | 1. ");
    expect(lines[1]).toContain("青年志愿者工作项目");
  });

  it("a missing database is refused with a one-line reason and not created", () => {
    const missing = join(seeds.dbPath, "..", "nope", "x.db");
    const r = run(["平安通", "--db", missing]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("数据库不存在");
  });
});
