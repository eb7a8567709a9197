// Alerts without chat platforms: subscriptions, outbox rows written with the document, notices,
// chat commands, back-off, the sender's routing and retries — real SQLite files, real seed documents.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCatalog, type CatalogHandle } from "../index/open.ts";
import { backoffMs, claimDue, markFailed, noticingRefusals, pendingNotices, type NoticePayload } from "../index/outbox.ts";
import { keywordMatchesDepartment, subscriptionStore } from "../index/subscriptions.ts";
import { startOutboxSender } from "../src/alerts.ts";
import type { Answer } from "../src/domain.ts";
import { log } from "../src/log.ts";
import { noticeAnswer } from "../src/query/notices.ts";
import { withSubscriptions } from "../src/query/subscriptions.ts";
import type { QueryEngine } from "../src/query/types.ts";
import { renderFeishuCard } from "../src/render/feishu.ts";
import { renderTelegram } from "../src/render/telegram.ts";
import { removeTempDirs, SEED_DIR, seedFiles, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

const MINZHENG = join(SEED_DIR, "003_ace059b0f710521b.txt"); // 广州市民政局, 42 projects, 合计 12,508.23 (line 10)
const GZ_LEAGUE = join(SEED_DIR, "000_46990f6310ea42e4.txt"); // 中国共产主义青年团广州市委员会
const TJ_LEAGUE = join(SEED_DIR, "002_bc0805cadde26a36.txt"); // 中国共产主义青年团天津市委员会

function fresh(): { catalog: CatalogHandle; dir: string } {
  const dir = tempDir();
  return { catalog: openCatalog(join(dir, "alerts.db")), dir };
}

type OutboxRowDb = { chat_key: string; payload: string; document_id: number | null; sent_at: number | null; attempts: number };
const rows = (c: CatalogHandle): OutboxRowDb[] => c.db.prepare("SELECT * FROM outbox ORDER BY id").all() as OutboxRowDb[];
const payloadOf = (r: OutboxRowDb): NoticePayload => JSON.parse(r.payload) as NoticePayload;

describe("department keywords", () => {
  it("match full names and the generated short names, not other bodies", () => {
    expect(keywordMatchesDepartment("民政局", "广州市民政局")).toBe(true);
    expect(keywordMatchesDepartment("市民政局", "广州市民政局")).toBe(true);
    expect(keywordMatchesDepartment("广州民政", "广州市民政局")).toBe(true);
    expect(keywordMatchesDepartment("团市委", "中国共产主义青年团天津市委员会")).toBe(true);
    expect(keywordMatchesDepartment("天津团市委", "中国共产主义青年团天津市委员会")).toBe(true);
    expect(keywordMatchesDepartment("市政协", "中国人民政治协商会议广东省广州市委员会办公厅")).toBe(true);
    expect(keywordMatchesDepartment("海珠区民政局", "广州市民政局")).toBe(false);
    expect(keywordMatchesDepartment("天津团市委", "中国共产主义青年团广州市委员会")).toBe(false);
    expect(keywordMatchesDepartment("财政局", "广州市民政局")).toBe(false);
    expect(keywordMatchesDepartment("民政局", null)).toBe(false);
  });
});

describe("subscription store", () => {
  it("subscribes, lists, refuses duplicates, unsubscribes one or all, remembers admins", () => {
    const { catalog } = fresh();
    const subs = subscriptionStore(catalog.db);
    expect(subs.subscribe("telegram:-1", null, { userKey: "telegram:7" }).created).toBe(true);
    expect(subs.subscribe("telegram:-1", " 民政局 ", { userKey: "telegram:7" }).created).toBe(true);
    expect(subs.subscribe("telegram:-1", "民政局", { userKey: "telegram:42", isAdmin: true }).created).toBe(false);
    expect(subs.subscribe("feishu:oc_1", "团市委", {}).created).toBe(true);
    const list = subs.list("telegram:-1");
    expect(list.map((s) => s.keyword)).toEqual([null, "民政局"]);
    // The admin's confirmation marks the row as an admin's.
    expect(list.map((s) => s.byAdmin)).toEqual([false, true]);
    expect(subs.unsubscribe("telegram:-1", "财政局")).toBe(0);
    expect(subs.unsubscribe("telegram:-1", "民政局")).toBe(1);
    expect(subs.unsubscribe("telegram:-1")).toBe(1);
    expect(subs.list("telegram:-1")).toEqual([]);
    expect(subs.list("feishu:oc_1")).toHaveLength(1);
    catalog.close();
  });
});

describe("outbox rows written with the document", () => {
  it("one row per matching chat, in the document's transaction, for every seed", () => {
    const { catalog } = fresh();
    const subs = subscriptionStore(catalog.db);
    subs.subscribe("telegram:-100", null, {});
    subs.subscribe("telegram:-200", "民政局", {});
    subs.subscribe("feishu:oc_league", "团市委", {});
    subs.subscribe("feishu:oc_league", "天津团市委", {}); // two matching subscriptions: still one notice
    for (const f of seedFiles()) expect(catalog.ingestFile(f).kind).toBe("ingested");
    const byChat = (chat: string) => rows(catalog).filter((r) => r.chat_key === chat).map((r) => payloadOf(r));
    expect(byChat("telegram:-100")).toHaveLength(5);
    expect(byChat("telegram:-200").map((p) => p.event.kind === "ingested" && p.event.document.department)).toEqual(["广州市民政局"]);
    // 团市委: the Guangzhou (000) and Tianjin (002) league committees; Haizhu's (001) is a 区委.
    expect(byChat("feishu:oc_league").map((p) => p.event.kind === "ingested" && p.event.document.sourceName).sort()).toEqual([
      "000_46990f6310ea42e4.txt",
      "002_bc0805cadde26a36.txt",
    ]);
    // The largest three of 民政局, as in the source table (lines 19, 26 and 平安通 2,294.25).
    const mz = byChat("telegram:-200")[0]!;
    expect(mz.largest.map((p) => [p.name, p.total])).toEqual([
      ["广州市“平安通”服务项目", 2294.25],
      ["社会组织公益创投项目", 2000],
      ["政府购买社会工作专项服务及评估费", 1781],
    ]);
    // A duplicate writes nothing.
    const before = rows(catalog).length;
    expect(catalog.ingestFile(MINZHENG).kind).toBe("duplicate");
    expect(rows(catalog)).toHaveLength(before);
    catalog.close();
  });

  it("a document rolled back leaves no notice, a notice never exists without its document", () => {
    const { catalog } = fresh();
    subscriptionStore(catalog.db).subscribe("telegram:-100", null, {});
    catalog.addIngestHook(() => {
      throw new Error("disk full (simulated)");
    });
    expect(() => catalog.ingestFile(MINZHENG)).toThrow(/disk full/);
    expect(rows(catalog)).toEqual([]);
    expect(catalog.stats().documents).toBe(0);
    catalog.close();
  });

  it("`budget-bot ingest`'s path (openCatalog + ingestFile in another connection) writes notices too", () => {
    const { catalog, dir } = fresh();
    subscriptionStore(catalog.db).subscribe("feishu:oc_x", "民政局", {});
    const other = openCatalog(join(dir, "alerts.db")); // what src/commands/ingest.ts does
    other.ingestFile(MINZHENG);
    other.close();
    expect(rows(catalog).map((r) => r.chat_key)).toEqual(["feishu:oc_x"]);
    catalog.close();
  });

  it("refused inbox files notify only chats subscribed by an admin, once per file", () => {
    const { catalog, dir } = fresh();
    const subs = subscriptionStore(catalog.db);
    subs.subscribe("telegram:42", null, { userKey: "telegram:42", isAdmin: true });
    subs.subscribe("telegram:43", null, { userKey: "telegram:43", isAdmin: false });
    const bad = join(dir, "notes.txt");
    writeFileSync(bad, "这不是预算表，只是一段说明文字。\n".repeat(20));
    const inbox = noticingRefusals(catalog);
    const event = inbox.ingestFile(bad);
    expect(event.kind).toBe("refused");
    expect(inbox.ingestFile(bad).kind).toBe("refused"); // seen again (e.g. after a crash before the move)
    const written = rows(catalog);
    expect(written.map((r) => r.chat_key)).toEqual(["telegram:42"]);
    const p = payloadOf(written[0]!);
    expect(p.event.kind === "refused" && p.event.sourceName).toBe("notes.txt");
    expect(catalog.stats().documents).toBe(0);
    catalog.close();
  });
});

describe("notice text", () => {
  it("says department, year, count, total, the three largest; renders as Telegram HTML and a Feishu card", () => {
    const { catalog } = fresh();
    subscriptionStore(catalog.db).subscribe("telegram:-1", null, {});
    catalog.ingestFile(MINZHENG);
    catalog.ingestFile(TJ_LEAGUE);
    const [mz, tj] = rows(catalog).map(payloadOf);
    const a = noticeAnswer(mz!.event, mz!.largest);
    expect(a.text).toContain("部门：广州市民政局");
    expect(a.text).toContain("年度：未注明"); // the 003 table names no year
    expect(a.text).toContain("项目数：42 个");
    expect(a.text).toContain("合计：12508.23 万元");
    expect(a.text).toContain("1. 广州市“平安通”服务项目 2294.25 万元");
    expect(a.text).toContain("3. 政府购买社会工作专项服务及评估费 1781.00 万元");
    expect(a.text).not.toContain("数字对不上");
    const t = noticeAnswer(tj!.event, tj!.largest);
    expect(t.text).toContain("年度：2023年");
    expect(t.text).toContain("部门：中国共产主义青年团天津市委员会");
    const html = renderTelegram(a).html;
    expect(html).toContain("<b>新预算文件：广州市民政局</b>");
    expect(html).toContain("<b>预算最多的3个项目：</b>");
    expect(JSON.stringify(renderFeishuCard(a))).toContain("广州市“平安通”服务项目 2294.25 万元");
    catalog.close();
  });

  it("warns when the 合计 does not add up, and says what a replacement changed", () => {
    const { catalog, dir } = fresh();
    subscriptionStore(catalog.db).subscribe("telegram:-1", null, {});
    const text = readFileSync(MINZHENG, "utf8");
    const file = join(dir, "minzheng.txt");
    writeFileSync(file, text);
    catalog.ingestFile(file);
    // Version 2: 平安通 2,294.25 → 2,394.25, 社会组织公益创投项目 (2,000.00) gone, 合计 line unchanged.
    const lines = text.split("\n");
    const v2 = lines
      .filter((l) => !l.startsWith("社会组织公益创投项目\t"))
      .map((l) => (l.startsWith("广州市“平安通”服务项目\t") ? l.replaceAll("2,294.25", "2,394.25") : l))
      .join("\n");
    writeFileSync(file, v2);
    const event = catalog.ingestFile(file);
    expect(event.kind === "ingested" && event.replaced).toBeTruthy();
    const last = rows(catalog).map(payloadOf).at(-1)!;
    const a = noticeAnswer(last.event, last.largest);
    expect(a.title).toBe("预算更新：广州市民政局");
    expect(a.text).toContain("项目数：41 个");
    // 12508.23 − 2000 + 100 = 10608.23, against the unchanged 合计 12,508.23.
    expect(a.text).toContain("合计：10608.23 万元");
    expect(a.text).toMatch(/数字对不上[\s\S]*12508\.23[\s\S]*10608\.23/);
    expect(a.text).toContain("删除 1 个项目：\n· 社会组织公益创投项目 2000.00 万元");
    expect(a.text).toContain("金额变化 1 个项目：\n· 广州市“平安通”服务项目 2294.25 → 2394.25 万元");
    expect(a.text).not.toContain("新增");
    catalog.close();
  });

  it("a refusal says the file and the reason", () => {
    const a = noticeAnswer({ kind: "refused", sourceName: "x.pdf", reason: "不是项目支出绩效目标表", code: "not-budget" });
    expect(a.text).toBe("文件未能入库：x.pdf\n原因：不是项目支出绩效目标表");
  });
});

describe("chat commands", () => {
  const fallback: QueryEngine = { ask: async (text) => ({ intent: "help", text: `engine:${text}`, projects: [], indicators: [] }) };

  it("handles /subscribe, 订阅, @bot suffixes, lists, and passes everything else to the engine", async () => {
    const { catalog } = fresh();
    for (const f of seedFiles()) catalog.ingestFile(f);
    const subs = subscriptionStore(catalog.db);
    const engine = withSubscriptions(fallback, subs, { departments: () => catalog.departments().map((d) => d.name) });
    const admin = { chatKey: "telegram:-100", userKey: "telegram:42", isAdmin: true };
    const text = async (q: string, ctx = admin): Promise<string> => (await engine.ask(q, ctx)).text;
    expect(await text("/subscribe@budget_test_bot 民政局")).toMatch(/已订阅「民政局」[\s\S]*目前匹配：广州市民政局/);
    expect(await text("订阅 团市委")).toMatch(/目前匹配：中国共产主义青年团(天津|广州)市委员会、中国共产主义青年团(天津|广州)市委员会/);
    expect(await text("订阅")).toContain("已订阅：每有新的预算文件入库");
    expect(await text("/subscriptions")).toBe(
      "本聊天的订阅：\n· 全部新文件\n· 「民政局」（目前匹配：广州市民政局）\n· 「团市委」（目前匹配：" +
        catalog.departments().map((d) => d.name).filter((n) => /青年团(广州|天津)市委员会$/.test(n)).join("、") +
        "）\n取消：/unsubscribe 关键词；全部取消：/unsubscribe",
    );
    expect(await text("取消订阅 团市委")).toBe("已取消订阅「团市委」。");
    expect(await text("/unsubscribe")).toBe("已取消本聊天的全部订阅（2 项）。");
    expect(await text("我的订阅")).toContain("本聊天还没有订阅");
    expect(await text("/subscribers")).toBe("engine:/subscribers");
    expect(await text("平安通项目预算多少")).toBe("engine:平安通项目预算多少");
    catalog.close();
  });

  it("in groups only admins change subscriptions; in private chats anyone; not on the console", async () => {
    const { catalog } = fresh();
    const subs = subscriptionStore(catalog.db);
    const engine = withSubscriptions(fallback, subs);
    const ask = (q: string, ctx: Parameters<QueryEngine["ask"]>[1]): Promise<Answer> => engine.ask(q, ctx);
    expect((await ask("/subscribe", { chatKey: "telegram:-100", userKey: "telegram:7", isAdmin: false })).text).toContain("只有管理员");
    expect((await ask("订阅", { chatKey: "feishu:oc_g", userKey: "feishu:ou_u", isAdmin: false, isGroup: true })).text).toContain("只有管理员");
    expect((await ask("/unsubscribe", { chatKey: "telegram:-100", userKey: "telegram:7" })).text).toContain("只有管理员");
    expect(subs.list("telegram:-100")).toEqual([]);
    expect((await ask("/subscriptions", { chatKey: "telegram:-100", userKey: "telegram:7" })).text).toContain("还没有订阅");
    expect((await ask("/subscribe", { chatKey: "telegram:7", userKey: "telegram:7", isAdmin: false })).text).toContain("已订阅");
    expect((await ask("/subscribe", { chatKey: "console" })).text).toContain("只能在 Telegram 或飞书");
    expect(subs.list("telegram:7")).toHaveLength(1);
    catalog.close();
  });
});

describe("delivery bookkeeping", () => {
  it("back-off doubles from the base up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, { baseMs: 1000, maxMs: 10_000 }))).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it("claims due rows of the given platforms only, leases them, and delays failed ones", () => {
    const { catalog } = fresh();
    const subs = subscriptionStore(catalog.db);
    subs.subscribe("telegram:-1", null, {});
    subs.subscribe("feishu:oc_1", null, {});
    catalog.ingestFile(MINZHENG);
    const t0 = Date.now() + 1000;
    expect(claimDue(catalog.db, { platforms: ["telegram"], now: t0, leaseMs: 5000 }).map((r) => r.chatKey)).toEqual(["telegram:-1"]);
    expect(claimDue(catalog.db, { platforms: ["telegram"], now: t0 + 1 })).toEqual([]); // leased
    const [row] = claimDue(catalog.db, { platforms: ["telegram"], now: t0 + 5000 });
    expect(markFailed(catalog.db, row!.id, "HTTP 500", t0 + 5000, { baseMs: 1000 })).toBe(t0 + 6000);
    expect(markFailed(catalog.db, row!.id, "HTTP 500", t0 + 6000, { baseMs: 1000 })).toBe(t0 + 8000);
    expect(claimDue(catalog.db, { platforms: ["telegram"], now: t0 + 7999 })).toEqual([]);
    expect(claimDue(catalog.db, { platforms: ["telegram"], now: t0 + 8000 })[0]!.attempts).toBe(2);
    expect(claimDue(catalog.db, { platforms: ["feishu"], now: t0 })).toHaveLength(1);
    catalog.close();
  });

  it("the sender routes by platform, retries a failing one, and sends each notice once", async () => {
    const { catalog } = fresh();
    const subs = subscriptionStore(catalog.db);
    subs.subscribe("telegram:-1", null, {});
    subs.subscribe("feishu:oc_1", null, {});
    subs.subscribe("console", null, {}); // no platform: stays in the outbox, blocks nothing
    catalog.ingestFile(MINZHENG);
    catalog.ingestFile(GZ_LEAGUE);
    const got: Array<[string, string]> = [];
    let feishuDown = 3;
    const sender = startOutboxSender({
      db: catalog.db,
      log,
      intervalMs: 20,
      backoff: { baseMs: 10, maxMs: 40 },
      senders: {
        telegram: async (chat, a) => void got.push([chat, a.title!]),
        feishu: async (chat, a) => {
          if (feishuDown-- > 0) throw new Error("feishu down");
          got.push([chat, a.title!]);
        },
      },
    });
    const deadline = Date.now() + 5000;
    while (got.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150)); // room for a wrong second delivery
    await sender.stop();
    const titles = ["新预算文件：广州市民政局", "新预算文件：中国共产主义青年团广州市委员会"];
    expect(got.filter(([c]) => c === "telegram:-1").map(([, t]) => t)).toEqual(titles);
    expect(got.filter(([c]) => c === "feishu:oc_1").map(([, t]) => t)).toEqual(titles); // in order despite the failures
    expect(pendingNotices(catalog.db)).toBe(2); // the two console rows
    const fs = rows(catalog).filter((r) => r.chat_key === "feishu:oc_1");
    expect(fs[0]!.attempts).toBe(4); // three failures, then the success
    catalog.close();
  });
});
