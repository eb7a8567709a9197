// The console adapter over the real seed catalog, driven through streams.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsole } from "../adapters/console.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";

let seeds: SeedCatalog;
beforeAll(() => {
  seeds = openSeedCatalog();
});
afterAll(() => seeds.dispose());

async function session(lines: string[], end: "eof" | "none" = "eof"): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = "";
  output.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const done = runConsole(createQueryEngine(seeds.catalog), { input, output });
  for (const l of lines) input.write(l + "\n");
  if (end === "eof") input.end();
  await done;
  return out;
}

describe("runConsole", () => {
  it("answers 平安通项目预算多少 with 2294.25 万元 and its source", async () => {
    const out = await session(["平安通项目预算多少"]);
    expect(out).toContain("广州市“平安通”服务项目");
    expect(out).toContain("预算总计：2294.25 万元");
    expect(out).toContain("来源：广州市民政局");
    expect(out).toContain("003_ace059b0f710521b.txt");
  });

  it("keeps one conversation: a number picks from the clarification", async () => {
    const out = await session(["工作经费预算多少", "3"]);
    expect(out).toContain("请回复序号选择");
    const [, after] = out.split("请回复序号选择");
    expect(after).toMatch(/预算总计：\d+\.\d\d 万元/);
  });

  it("stops at exit without waiting for EOF", async () => {
    const out = await session(["帮助", "exit", "平安通项目预算多少"], "none");
    expect(out).toContain("我可以回答");
    expect(out).not.toContain("2294.25");
  });

  it("ends on EOF", async () => {
    await expect(session([])).resolves.toContain("预算查询");
  });
});
