// Alerts end to end: the real telegraf and Lark SDK clients against the Telegram and Feishu test
// doubles on 127.0.0.1, a real inbox folder watched by the watcher, real SQLite files, and a real
// child process killed with SIGKILL between ingest and delivery.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramAdapter } from "../adapters/telegram.ts";
import { openCatalog } from "../index/open.ts";
import { subscriptionStore } from "../index/subscriptions.ts";
import { startOutboxSender } from "../src/alerts.ts";
import { createHttpServer } from "../src/http.ts";
import { log } from "../src/log.ts";
import { messageEvent, startFeishuApiDouble, type FeishuApiDouble } from "./doubles/feishu-api.ts";
import { TelegramApiDouble } from "./doubles/telegram-api.ts";
import { startBot, type Bot } from "./fixtures/alerts-bot.ts";
import { removeTempDirs, SEED_DIR, tempDir } from "./index-helpers.ts";

afterAll(removeTempDirs);

const ROOT = join(import.meta.dirname, "..");
const seed = (n: string) => join(SEED_DIR, n);
const MINZHENG = seed("003_ace059b0f710521b.txt"); // 广州市民政局
const GZ_LEAGUE = seed("000_46990f6310ea42e4.txt"); // 中国共产主义青年团广州市委员会
const HAIZHU = seed("001_31b6a35316f160fc.txt"); // 中国共产主义青年团广州市海珠区委员会
const TIANJIN = seed("002_bc0805cadde26a36.txt"); // 中国共产主义青年团天津市委员会
const CPPCC = seed("004_aeaa61e94cdf9a34.txt"); // 中国人民政治协商会议广东省广州市委员会办公厅
const JUNK = "会议纪要\n今天讨论了下周的活动安排，没有预算表。\n".repeat(30);

const APP_ID = "cli_a1b2c3d4e5f60718";
const APP_SECRET = "secret-for-tests";
const VERIFY = "verification-token-1";
const FS_ADMIN = "ou_admin00000000000000000000000001";
const FS_USER = "ou_user000000000000000000000000001";
const FS_GROUP = "oc_group000000000000000000000000001";
const FS_P2P_USER = "oc_p2p0000000000000000000000000002";
const FS_P2P_ADMIN = "oc_p2p0000000000000000000000000001";

const TG_ADMIN = 42;
const TG_USER = 43;
const TG_GROUP_MZ = -1001; // admin subscribes 民政局
const TG_GROUP_NONE = -1002; // a non-admin tries to subscribe

async function until<T>(pick: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = pick();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(30);
  }
}

/** Successful Telegram messages (the double stores only those) to a chat, as plain text. */
const tgTexts = (api: TelegramApiDouble, chatId: number): string[] =>
  [...api.messages.values()].filter((m) => m.chat_id === chatId).map((m) => m.text);
/** Successful Feishu cards created in a chat, as JSON text. */
const fsCards = (api: FeishuApiDouble, chatId: string): string[] =>
  api
    .messageCalls()
    .filter((m) => m.kind === "create" && m.call.body?.receive_id === chatId && m.call.status === 200 && m.call.response?.code === 0)
    .map((m) => JSON.stringify(m.card));
const count = (texts: string[], needle: string) => texts.filter((t) => t.includes(needle)).length;

describe("alerts through Telegram and Feishu", () => {
  let tg: TelegramApiDouble;
  let fs: FeishuApiDouble;
  let bot: Bot;
  let server: Server;
  let inbox: string;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir();
    inbox = join(dir, "inbox");
    tg = new TelegramApiDouble();
    const apiRoot = await tg.start();
    fs = await startFeishuApiDouble({ appId: APP_ID, appSecret: APP_SECRET });
    bot = await startBot({
      db: join(dir, "bot.db"),
      inbox,
      adminIds: [`telegram:${TG_ADMIN}`, `feishu:${FS_ADMIN}`],
      telegram: { token: tg.token, apiRoot },
      feishu: { appId: APP_ID, appSecret: APP_SECRET, domain: fs.url, verificationToken: VERIFY },
      backoffMs: 100,
      intervalMs: 100,
      maxFileBytes: 200_000,
    });
    const route = bot.feishu!.webhookRoute!;
    server = createHttpServer({ [`${route.method} ${route.path}`]: route.handler });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return async () => {
      await bot.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await tg.close();
      await fs.close();
    };
  });

  const feishuSay = async (chatId: string, chatType: "p2p" | "group", openId: string, text: string, extra: object = {}) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
    const event = messageEvent({
      token: VERIFY,
      appId: APP_ID,
      chatId,
      chatType,
      senderOpenId: openId,
      text,
      mentions: chatType === "group" ? [{ key: "@_user_1", openId: fs.botOpenId, name: "预算助手" }] : [],
      ...extra,
    });
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event) });
    expect(res.status).toBe(200);
    await bot.feishu!.idle();
  };
  const feishuReplies = () => fs.messageCalls().filter((m) => m.kind === "reply").map((m) => JSON.stringify(m.card));
  const tgDocument = (chatId: number, fromId: number, fileId: string, name: string, data: Buffer) => {
    tg.addFile(fileId, data);
    const msg = tg.textMessage({ id: chatId, type: chatId > 0 ? "private" : "supergroup" }, "x", { from: { id: fromId, is_bot: false, first_name: "王五" } });
    delete msg.text;
    delete msg.entities;
    tg.pushUpdate({ message: { ...msg, document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: name, file_size: data.length } } });
  };

  it("subscribes in chats (groups: admins only), then a dropped file reaches the matching chats only", async () => {
    tg.groupText("/subscribe 民政局", { chatId: TG_GROUP_MZ, fromId: TG_ADMIN });
    await tg.waitForCall("sendMessage", (b) => b.chat_id === TG_GROUP_MZ && /已订阅「民政局」/.test(b.text));
    tg.groupText("/subscribe", { chatId: TG_GROUP_NONE, fromId: 777 });
    await tg.waitForCall("sendMessage", (b) => b.chat_id === TG_GROUP_NONE && /只有管理员/.test(b.text));
    tg.privateText("订阅", TG_USER);
    await tg.waitForCall("sendMessage", (b) => b.chat_id === TG_USER && /已订阅：每有新的预算文件入库/.test(b.text));
    await feishuSay(FS_GROUP, "group", FS_ADMIN, "@_user_1 订阅");
    expect(feishuReplies().at(-1)).toContain("已订阅：每有新的预算文件入库");
    await feishuSay(FS_GROUP, "group", FS_ADMIN, "@_user_1 /subscriptions");
    expect(feishuReplies().at(-1)).toContain("全部新文件");
    expect(bot.alerts.subscriptions.list(`telegram:${TG_GROUP_NONE}`)).toEqual([]);

    copyFileSync(MINZHENG, join(inbox, "minzheng.txt"));
    const notice = "新预算文件：广州市民政局";
    await until(() => count(tgTexts(tg, TG_GROUP_MZ), notice) && count(tgTexts(tg, TG_USER), notice) && count(fsCards(fs, FS_GROUP), notice), "民政局 notices");
    copyFileSync(GZ_LEAGUE, join(inbox, "league.txt"));
    const league = "新预算文件：中国共产主义青年团广州市委员会";
    await until(() => count(tgTexts(tg, TG_USER), league) && count(fsCards(fs, FS_GROUP), league), "league notices");
    await sleep(400); // a wrong extra delivery would show by now
    expect(count(tgTexts(tg, TG_GROUP_MZ), notice)).toBe(1);
    expect(count(tgTexts(tg, TG_USER), notice)).toBe(1);
    expect(count(fsCards(fs, FS_GROUP), notice)).toBe(1);
    // The department filter: the 民政局 group hears nothing of the league committee.
    expect(count(tgTexts(tg, TG_GROUP_MZ), league)).toBe(0);
    expect(count(tgTexts(tg, TG_USER), league)).toBe(1);
    expect(count(fsCards(fs, FS_GROUP), league)).toBe(1);
    // Not subscribed: nothing.
    expect(tgTexts(tg, TG_GROUP_NONE).filter((t) => t.includes("新预算文件"))).toEqual([]);
    // What the notice says, checked against the source table (003: 42 projects, 合计 12,508.23, 平安通 2,294.25).
    const text = tgTexts(tg, TG_GROUP_MZ).find((t) => t.includes(notice))!;
    expect(text).toContain("项目数：42 个");
    expect(text).toContain("合计：12508.23 万元");
    expect(text).toContain("1. 广州市“平安通”服务项目 2294.25 万元");
    const html = [...tg.messages.values()].find((m) => m.chat_id === TG_GROUP_MZ && m.text.includes(notice))!.html;
    expect(html).toContain("<b>新预算文件：广州市民政局</b>");
    expect(fsCards(fs, FS_GROUP).find((c) => c.includes(notice))).toContain('"header"');
  });

  it("a refused inbox file notifies the chats subscribed by admins, with the reason", async () => {
    writeFileSync(join(inbox, "meeting-notes.txt"), JUNK);
    const refused = "文件未能入库：meeting-notes.txt";
    await until(() => count(tgTexts(tg, TG_GROUP_MZ), refused) && count(fsCards(fs, FS_GROUP), refused), "refusal notices");
    await sleep(300);
    expect(count(tgTexts(tg, TG_GROUP_MZ), refused)).toBe(1);
    expect(count(fsCards(fs, FS_GROUP), refused)).toBe(1);
    expect(count(tgTexts(tg, TG_USER), refused)).toBe(0); // subscribed, but not by an admin
    expect(tgTexts(tg, TG_GROUP_MZ).find((t) => t.includes(refused))).toMatch(/原因：\S+/);
  });

  it("a platform failing for a while, then recovering, still receives every notice exactly once", async () => {
    tg.failNext("sendMessage", 3, { error_code: 502, description: "Bad Gateway" });
    fs.failNext(/^POST \/open-apis\/im\/v1\/messages$/, 3, "http-500");
    copyFileSync(HAIZHU, join(inbox, "haizhu.txt"));
    copyFileSync(TIANJIN, join(inbox, "tianjin.txt"));
    const haizhu = "新预算文件：中国共产主义青年团广州市海珠区委员会";
    const tianjin = "新预算文件：中国共产主义青年团天津市委员会";
    await until(
      () =>
        count(tgTexts(tg, TG_USER), haizhu) &&
        count(tgTexts(tg, TG_USER), tianjin) &&
        count(fsCards(fs, FS_GROUP), haizhu) &&
        count(fsCards(fs, FS_GROUP), tianjin),
      "notices after recovery",
      15_000,
    );
    await sleep(400);
    for (const n of [haizhu, tianjin]) {
      expect(count(tgTexts(tg, TG_USER), n)).toBe(1);
      expect(count(fsCards(fs, FS_GROUP), n)).toBe(1);
    }
    // The failures did happen and were retried.
    const failed = fs.calls.filter((c) => c.path === "/open-apis/im/v1/messages" && c.status === 500);
    expect(failed).toHaveLength(3);
    const retried = bot.catalog.db.prepare("SELECT max(attempts) AS n FROM outbox WHERE sent_at IS NOT NULL").get() as { n: number };
    expect(retried.n).toBeGreaterThan(1);
    expect(bot.catalog.db.prepare("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL").get()).toEqual({ n: 0 });
  });

  it("a file sent in chat by an admin is ingested and noticed; by a non-admin refused", async () => {
    // Telegram: a non-admin's document is refused without being ingested.
    const before = bot.catalog.stats().documents;
    tgDocument(TG_USER, TG_USER, "doc-user", "cppcc.txt", readFileSync(CPPCC));
    await tg.waitForCall("sendMessage", (b) => b.chat_id === TG_USER && /只有管理员可以发送文件入库/.test(b.text));
    expect(bot.catalog.stats().documents).toBe(before);

    // Telegram: the admin's document is stored; the admin gets the notice as the reply, subscribers as notices.
    tgDocument(TG_ADMIN, TG_ADMIN, "doc-admin", "cppcc.txt", readFileSync(CPPCC));
    const cppcc = "新预算文件：中国人民政治协商会议广东省广州市委员会办公厅";
    await tg.waitForCall("sendMessage", (b) => b.chat_id === TG_ADMIN && b.text.includes(cppcc));
    await until(() => count(tgTexts(tg, TG_USER), cppcc) && count(fsCards(fs, FS_GROUP), cppcc), "notices of the chat file");
    expect(bot.catalog.stats().documents).toBe(before + 1);
    expect(count(tgTexts(tg, TG_GROUP_MZ), cppcc)).toBe(0); // 民政局 only

    // Feishu: a non-admin's file is refused; the admin's junk file is refused with the parser's reason,
    // and the admins' subscribed chats hear of it (not the sender's own chat twice).
    fs.files.set("file_junk", Buffer.from(JUNK));
    await feishuSay(FS_P2P_USER, "p2p", FS_USER, "", { messageType: "file", content: { file_key: "file_junk", file_name: "junk.txt" } });
    expect(feishuReplies().at(-1)).toContain("只有管理员可以发送文件入库");
    await feishuSay(FS_P2P_ADMIN, "p2p", FS_ADMIN, "", { messageType: "file", content: { file_key: "file_junk", file_name: "junk.txt" } });
    expect(feishuReplies().at(-1)).toContain("文件未能入库：junk.txt");
    await until(() => count(tgTexts(tg, TG_GROUP_MZ), "文件未能入库：junk.txt"), "refusal notice of the chat file");

    // Feishu: too large for the limit.
    fs.files.set("file_big", Buffer.alloc(300_000, 0x41));
    await feishuSay(FS_P2P_ADMIN, "p2p", FS_ADMIN, "", { messageType: "file", content: { file_key: "file_big", file_name: "big.txt" } });
    expect(feishuReplies().at(-1)).toContain("文件超过");
    expect(bot.catalog.stats().documents).toBe(before + 1);
  });
});

describe("delivery across restarts", () => {
  it("a notice written but not sent is delivered exactly once after reopening the database", async () => {
    const dir = tempDir();
    const dbPath = join(dir, "restart.db");
    const tg = new TelegramApiDouble();
    const apiRoot = await tg.start();
    try {
      let catalog = openCatalog(dbPath);
      subscriptionStore(catalog.db).subscribe("telegram:-5001", null, { isAdmin: true });
      catalog.ingestFile(MINZHENG); // the outbox row is written; no sender runs
      catalog.close();

      const deliverOnce = async () => {
        catalog = openCatalog(dbPath);
        const adapter = createTelegramAdapter({ token: tg.token, apiRoot, engine: { ask: async () => ({ intent: "help", text: "", projects: [], indicators: [] }) }, adminIds: [], allowedChats: [], log });
        const sender = startOutboxSender({ db: catalog.db, senders: { telegram: adapter.sendNotice }, log, intervalMs: 50 });
        await sleep(400);
        await sender.stop();
        catalog.close();
      };
      await deliverOnce();
      expect(count(tgTexts(tg, -5001), "新预算文件：广州市民政局")).toBe(1);
      await deliverOnce(); // a second restart sends nothing again
      expect(tgTexts(tg, -5001)).toHaveLength(1);
    } finally {
      await tg.close();
    }
  });

  const targets = [{ name: "budget-bot serve", args: [join(ROOT, "bin", "budget-bot.js"), "serve"], ready: /adapter started/ }];
  for (const target of targets) {
    it(`SIGKILL between ingest and delivery (${target.name}): the restarted bot delivers the notice exactly once; \`budget-bot ingest\` notices too`, async () => {
      const dir = tempDir();
      const dbPath = join(dir, "kill.db");
      const inbox = join(dir, "inbox");
      const chat = -7001;
      const c = openCatalog(dbPath);
      c.ingestFile(TIANJIN); // not empty: serve does not ingest the seeds (which would notify)
      subscriptionStore(c.db).subscribe(`telegram:${chat}`, null, { userKey: "telegram:42", isAdmin: true });
      c.close();
      const tg = new TelegramApiDouble();
      const apiRoot = await tg.start();
      const children: ChildProcess[] = [];
      const startChild = async (): Promise<ChildProcess> => {
        const child = spawn(process.execPath, target.args, {
          cwd: ROOT,
          env: {
            ...process.env,
            BUDGET_DB: dbPath,
            INBOX_DIR: inbox,
            HTTP_PORT: "0",
            TELEGRAM_BOT_TOKEN: tg.token,
            TELEGRAM_API_ROOT: apiRoot,
            ADMIN_IDS: "telegram:42",
            LOG_LEVEL: "info",
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(child);
        let output = "";
        await new Promise<void>((resolve, reject) => {
          const seen = (d: Buffer) => {
            output += d.toString();
            if (target.ready.test(output)) resolve();
          };
          child.stdout!.on("data", seen);
          child.stderr!.on("data", seen);
          child.once("exit", (code) => reject(new Error(`child exited early (${code}): ${output.slice(-2000)}`)));
        });
        return child;
      };
      const kill = async (child: ChildProcess) => {
        const exited = new Promise((r) => child.once("exit", (_c, signal) => r(signal)));
        child.kill("SIGKILL");
        expect(await exited).toBe("SIGKILL");
      };
      const notice = "新预算文件：广州市民政局";
      const league = "新预算文件：中国共产主义青年团广州市委员会";
      const outbox = () => {
        const db = new Database(dbPath, { readonly: true });
        try {
          return db.prepare("SELECT chat_key, attempts, sent_at FROM outbox ORDER BY id").all() as Array<{ attempts: number; sent_at: number | null }>;
        } finally {
          db.close();
        }
      };
      try {
        // 1. The platform is down: the file is ingested, its notice written, delivery fails; then SIGKILL.
        tg.failNext("sendMessage", 1_000_000, { error_code: 500, description: "Internal Server Error" });
        const first = await startChild();
        copyFileSync(MINZHENG, join(inbox, "minzheng.txt"));
        await tg.waitForCall("sendMessage", (b) => b.chat_id === chat, 15_000);
        await kill(first);
        expect(outbox()).toMatchObject([{ sent_at: null }]);
        expect(tgTexts(tg, chat)).toEqual([]);

        // 2. Restarted with the platform back: delivered, once.
        tg.failNext("sendMessage", 0, { error_code: 500, description: "" });
        const second = await startChild();
        await until(() => count(tgTexts(tg, chat), notice), "notice after restart", 15_000);

        // 3. `budget-bot ingest` from another process while the bot runs: the bot delivers that notice too.
        const cli = spawnSync(process.execPath, [join(ROOT, "bin", "budget-bot.js"), "ingest", GZ_LEAGUE, "--db", dbPath], {
          cwd: ROOT,
          env: { ...process.env, LOG_LEVEL: "silent" },
        });
        expect(cli.status).toBe(0);
        await until(() => count(tgTexts(tg, chat), league), "notice of the CLI ingest", 15_000);

        // 4. Once both are marked sent, killed and restarted once more: nothing is sent again.
        await until(() => (outbox().every((r) => r.sent_at !== null) ? 1 : 0), "outbox marked sent", 15_000);
        await kill(second);
        await startChild();
        await sleep(800);
        expect(count(tgTexts(tg, chat), notice)).toBe(1);
        expect(count(tgTexts(tg, chat), league)).toBe(1);
        expect(tgTexts(tg, chat).filter((t) => t.includes("新预算文件"))).toHaveLength(2);
        expect(outbox().every((r) => r.sent_at !== null)).toBe(true);
      } finally {
        for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill("SIGKILL");
        await tg.close();
      }
    }, 90_000);
  }
});
