// The inbox watcher on a real folder and a real SQLite file.
import { existsSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync, closeSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { IngestEvent } from "../index/events.ts";
import { openCatalog } from "../index/open.ts";
import { isIgnoredName, watchInbox } from "../index/watcher.ts";
import { removeTempDirs, SEED_DIR, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

const STABLE = 600;

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(50);
  }
}

function setup() {
  const dir = tempDir();
  const inbox = join(dir, "inbox");
  const catalog = openCatalog(join(dir, "b.db"));
  const events: Array<{ event: IngestEvent; file: string }> = [];
  return { dir, inbox, catalog, events };
}

describe("inbox watcher", () => {
  it("ingests a file written in several slow chunks exactly once, only when complete", async () => {
    const { inbox, catalog, events } = setup();
    const w = watchInbox(catalog, inbox, (event, file) => events.push({ event, file }), { stabilityMs: STABLE, pollMs: 50 });
    await w.ready;
    const bytes = readFileSync(join(SEED_DIR, "003_ace059b0f710521b.txt"));
    const target = join(inbox, "民政局.txt");
    const fd = openSync(target, "w");
    const chunk = Math.ceil(bytes.length / 5);
    for (let i = 0; i < 5; i++) {
      writeSync(fd, bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk));
      await sleep(STABLE / 4); // pauses shorter than the stability window
    }
    closeSync(fd);
    await until(() => events.length > 0);
    await sleep(STABLE * 2);
    await w.idle();
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toMatchObject({ kind: "ingested", document: { projectCount: 42, total: 12508.23 } });
    expect(catalog.documents()).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(join(inbox, "processed"))).toEqual(["民政局.txt"]);
    await w.close();
    catalog.close();
  });

  it("picks up files already there, handles many at once, and sends refusals to failed/ with a reason", async () => {
    const { inbox, catalog, events } = setup();
    // Present before the watcher starts.
    const w0 = watchInbox(catalog, inbox, () => {}, { stabilityMs: STABLE });
    await w0.close();
    copyFileSync(join(SEED_DIR, "000_46990f6310ea42e4.txt"), join(inbox, "a.txt"));
    const w = watchInbox(catalog, inbox, (event, file) => events.push({ event, file }), { stabilityMs: STABLE, pollMs: 50 });
    await w.ready;
    for (const f of ["001_31b6a35316f160fc.txt", "002_bc0805cadde26a36.txt", "004_aeaa61e94cdf9a34.txt"]) {
      copyFileSync(join(SEED_DIR, f), join(inbox, f));
    }
    writeFileSync(join(inbox, "notes.txt"), "会议纪要：明年工作计划");
    writeFileSync(join(inbox, ".hidden.txt"), "x");
    writeFileSync(join(inbox, "big.txt.part"), "still downloading");
    copyFileSync(join(SEED_DIR, "000_46990f6310ea42e4.txt"), join(inbox, "a-again.txt")); // same bytes as a.txt
    await until(() => events.length >= 6);
    await sleep(STABLE * 2);
    await w.idle();
    const kinds = Object.fromEntries(events.map((e) => [e.file.split("/").pop(), e.event.kind]));
    expect(kinds).toEqual({
      "a.txt": "ingested",
      "001_31b6a35316f160fc.txt": "ingested",
      "002_bc0805cadde26a36.txt": "ingested",
      "004_aeaa61e94cdf9a34.txt": "ingested",
      "notes.txt": "refused",
      "a-again.txt": "duplicate",
    });
    expect(catalog.documents()).toHaveLength(4);
    expect(readdirSync(join(inbox, "failed")).sort()).toEqual(["notes.txt", "notes.txt.error.txt"]);
    const why = readFileSync(join(inbox, "failed", "notes.txt.error.txt"), "utf8");
    expect(why).toMatch(/原因：.*[\u4e00-\u9fff]/);
    expect(why).toMatch(/代码：not-budget|代码：no-projects/);
    expect(readdirSync(join(inbox, "processed")).length).toBe(5);
    expect(readdirSync(inbox).sort()).toEqual([".hidden.txt", "big.txt.part", "failed", "processed"]);
    await w.close();
    catalog.close();
  });

  it("knows which names to leave alone", () => {
    for (const n of [".DS_Store", "a.txt.part", "a.TMP", "x.crdownload", "a.txt.error.txt"]) expect(isIgnoredName(n)).toBe(true);
    for (const n of ["a.txt", "2024 预算.txt", "part.txt"]) expect(isIgnoredName(n)).toBe(false);
  });
});
