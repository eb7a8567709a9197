// End-to-end: the real telegraf bot (adapters/telegram.ts) against the Bot API double on 127.0.0.1.
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import type { Answer } from "../src/domain.ts";
import { log } from "../src/log.ts";
import type { AskContext, QueryEngine } from "../src/query/types.ts";
import { createTelegramAdapter, normalizeApiRoot, type TelegramAdapter, type TelegramAdapterOptions } from "../adapters/telegram.ts";
import fc from "fast-check";
import type { Message } from "telegraf/types";
import { chatIdFromKey, interpretMessage } from "../adapters/telegram-message.ts";
import { splitTelegramHtml } from "../adapters/telegram-split.ts";
import { CallbackStore } from "../adapters/telegram-send.ts";
import { entitiesOf, parseTelegramHtml, TelegramApiDouble, type Json } from "./doubles/telegram-api.ts";
import { createHttpServer } from "../src/http.ts";

// ---- the real engine over a real catalog (SQLite in a temp dir) built from the seeds ----
let seeds: SeedCatalog;
let realEngine: QueryEngine;

beforeAll(() => {
  seeds = openSeedCatalog();
  realEngine = createQueryEngine(seeds.catalog);
});
afterAll(() => seeds?.dispose());

// ---- harness ----

interface Running {
  api?: TelegramApiDouble;
  adapter: TelegramAdapter;
  fatal: Error[];
}
const running: Running[] = [];

async function startBot(
  over: Partial<TelegramAdapterOptions> = {},
  api = new TelegramApiDouble(),
): Promise<Running & { api: TelegramApiDouble }> {
  const apiRoot = await api.start();
  const fatal: Error[] = [];
  const adapter = createTelegramAdapter({
    token: api.token,
    apiRoot,
    engine: realEngine,
    adminIds: ["telegram:42"],
    allowedChats: [],
    log,
    onFatal: (err) => fatal.push(err),
    ...over,
  });
  const r: Running & { api: TelegramApiDouble } = { api, adapter, fatal };
  running.push(r);
  await adapter.start();
  return r;
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.adapter.stop();
    await r.api?.close();
  }
});

const sentTo = (api: TelegramApiDouble, chatId: number): Json[] =>
  api.callsOf("sendMessage").map((c) => c.body).filter((b) => Number(b.chat_id) === chatId);

const GROUP = -1001234567890;

describe("telegram adapter over the Bot API double", () => {
  it("answers a private question with the amount, in HTML, after registering Chinese commands", async () => {
    const { api } = await startBot();
    const commands = (await api.waitForCall("setMyCommands")).body.commands as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(["ask", "budget", "help"]));
    expect(commands.every((c) => /[\u4e00-\u9fff]/.test(c.description))).toBe(true);

    api.privateText("平安通项目预算多少");
    const sent = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    expect(sent.body.parse_mode).toBe("HTML");
    expect(sent.body.text).toContain("2294.25");
  });

  it("stays silent on group messages that do not address it, answers /budget@bot in the group", async () => {
    const { api } = await startBot();
    api.groupText("平安通项目预算多少");
    api.groupText("/budget@some_other_bot 平安通");
    api.groupText("/unknowncommand 平安通");
    const commandUpdate = api.groupText(`/budget@${api.botUser.username} 平安通`);
    const answer = await api.waitForCall("sendMessage", (b) => b.chat_id === GROUP);
    expect(answer.body.text).toContain("2294.25");
    // A later private question is answered: every earlier group message has been seen by then.
    api.privateText("平安通项目预算多少");
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    expect(sentTo(api, GROUP)).toHaveLength(1);
    // The group answer replies to the command message.
    const commandMessage = api.pushed.find((u) => u.update_id === commandUpdate)!.message;
    expect(answer.body.reply_parameters.message_id).toBe(commandMessage.message_id);
  });

  it("answers an inline query with matching projects and their budget cards", async () => {
    const { api } = await startBot();
    api.inlineQuery("平安通");
    const call = await api.waitForCall("answerInlineQuery");
    const results = call.body.results as Json[];
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results[0]!.title).toContain("平安通");
    expect(results[0]!.description).toBe("广州市民政局 · 2294.25 万元");
    expect(results[0]!.input_message_content.message_text).toContain("2294.25");
    expect(results[0]!.input_message_content.parse_mode).toBe("HTML");
  });

  it("asks back with buttons for an ambiguous name; the press edits the message to one project", async () => {
    const { api } = await startBot();
    api.privateText("工作经费预算多少");
    const ask = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    const buttons = (ask.body.reply_markup?.inline_keyboard as Json[][]).flat();
    // 工作经费 is in 广州市民政局 (15.63), 团市委 (1.80) and 政协办公厅 (66.00): one button each.
    expect(buttons.length).toBeGreaterThanOrEqual(3);
    const stored = [...api.messages.values()].find((m) => m.chat_id === 42)!;
    const line = stored.text.split("\n").find((l) => l.includes("广州市民政局") && l.includes("15.63"))!;
    const n = /^(\d+)\./.exec(line)![1]!;
    const pressed = buttons.find((b) => String(b.text).startsWith(`${n}.`))!;
    const before = api.calls.length;
    api.pressButton(stored, pressed.callback_data as string);
    const edit = await api.waitForCall("editMessageText", () => true, 5000, before);
    expect(edit.body.message_id).toBe(stored.message_id);
    expect(edit.body.text).toContain("15.63");
    expect(edit.body.text).toContain("广州市民政局");
    expect(edit.body.text).not.toContain("1.80");
    expect(edit.body.text).not.toContain("66.00");
    await api.waitForCall("answerCallbackQuery", () => true, 5000, before);
  });

  it("in a group, a reply with a number to the bot's question picks the project", async () => {
    const { api } = await startBot();
    api.groupText(`@${api.botUser.username} 工作经费预算多少`);
    await api.waitForCall("sendMessage", (b) => b.chat_id === GROUP);
    const question = [...api.messages.values()].find((m) => m.chat_id === GROUP)!;
    const line = question.text.split("\n").find((l) => l.includes("（广州市民政局）"))!;
    const n = /^(\d+)\./.exec(line)![1]!;
    const botMessage = { message_id: question.message_id, date: 0, chat: { id: GROUP, type: "supergroup" }, from: api.botUser, text: question.text };
    api.groupText(n, { replyTo: botMessage });
    await until(() => sentTo(api, GROUP).length === 2);
    const answer = sentTo(api, GROUP)[1]!;
    expect(answer.text).toContain("15.63");
    expect(answer.text).not.toContain("66.00");
  });

  it("pages a long list in place with the 更多 button", async () => {
    const { api } = await startBot();
    api.privateText("民政局有哪些项目");
    const first = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    // 广州市民政局 has 42 projects in 003; by amount the 10th is 广州民政服务管理监控中心项目 (270.21), the 11th 养老服务人才提升项目 (260.00).
    expect(first.body.text).toContain("270.21");
    expect(first.body.text).not.toContain("养老服务人才提升项目");
    const more = (first.body.reply_markup.inline_keyboard as Json[][]).flat().find((b) => b.text === "更多")!;
    const stored = [...api.messages.values()].find((m) => m.chat_id === 42)!;
    api.pressButton(stored, more.callback_data as string);
    const edit = await api.waitForCall("editMessageText");
    expect(edit.body.message_id).toBe(stored.message_id);
    expect(edit.body.text).toContain("养老服务人才提升项目");
    expect(edit.body.text).toContain("260.00");
    expect(edit.body.text).not.toContain("270.21");
    expect(sentTo(api, 42)).toHaveLength(1);
  });

  it("retries a sendMessage refused with 429 after retry_after, without holding up other chats", async () => {
    const { api } = await startBot();
    api.fail429("sendMessage", 1, 1);
    api.privateText("平安通项目预算多少", 42);
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    api.privateText("平安通项目预算多少", 43);
    await until(() => sentTo(api, 42).length >= 2, 6000);
    const [refused, retried] = api.callsOf("sendMessage").filter((c) => c.body.chat_id === 42);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(retried!.body.text).toContain("2294.25");
    // Chat 43 was answered while chat 42 waited out its retry_after.
    const other = api.callsOf("sendMessage").find((c) => c.body.chat_id === 43)!;
    expect(other.at).toBeLessThan(retried!.at);
  });

  it("webhook mode: sets the webhook with its secret, refuses a wrong secret, accepts the right one", async () => {
    const api = new TelegramApiDouble();
    const secret = "s3cret-Token_1";
    const { adapter } = await startBot({ webhookUrl: "https://bot.example.org/telegram/webhook", webhookSecret: secret }, api);
    const set = await api.waitForCall("setWebhook");
    expect(set.body.url).toBe("https://bot.example.org/telegram/webhook");
    expect(set.body.secret_token).toBe(secret);
    const route = adapter.webhookRoute!;
    expect(route.path).toBe("/telegram/webhook");

    const server = createHttpServer({ [`POST ${route.path}`]: route.handler });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${route.path}`;
      const post = (update: Json, token?: string): Promise<Response> =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { "x-telegram-bot-api-secret-token": token } : {}) },
          body: JSON.stringify(update),
        });
      const question = (): Json => api.makeUpdate({ message: api.textMessage({ id: 42, type: "private" }, "平安通项目预算多少") });
      expect((await post(question(), "wrong-secret")).status).toBe(403);
      expect((await post(question())).status).toBe(401);
      expect((await post(question(), secret)).status).toBe(200);
      const answer = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
      expect(answer.body.text).toContain("2294.25");
      expect(sentTo(api, 42)).toHaveLength(1);
      expect(api.callsOf("getUpdates")).toHaveLength(0);

      // webhookReply is off: a button press is answered through a real answerCallbackQuery call.
      const stored = [...api.messages.values()].find((m) => m.chat_id === 42)!;
      const press = api.makeUpdate({
        callback_query: {
          id: "cq-webhook",
          from: { id: 42, is_bot: false, first_name: "张三" },
          chat_instance: "ci",
          data: "/stats",
          message: { message_id: stored.message_id, date: 0, chat: { id: 42, type: "private" }, text: stored.text },
        },
      });
      const res = await post(press, secret);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain("answerCallbackQuery");
      await api.waitForCall("answerCallbackQuery", (b) => b.callback_query_id === "cq-webhook");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("a second poller on the same token ends with a clear 409 message", async () => {
    const api = new TelegramApiDouble();
    const first = await startBot({}, api);
    await api.waitForCall("getUpdates", (b) => Number(b.timeout) > 0);
    const second = createTelegramAdapter({
      token: api.token,
      apiRoot: api.apiRoot,
      engine: realEngine,
      adminIds: [],
      allowedChats: [],
      log,
      onFatal: (err) => first.fatal.push(err),
    });
    running.push({ adapter: second, fatal: first.fatal });
    await second.start();
    await until(() => first.fatal.length > 0);
    expect(first.fatal[0]!.message).toMatch(/409 Conflict/);
    expect(first.fatal[0]!.message).toMatch(/another process is polling/);
  });
});

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- adapter mechanics, with scripted engines for what real questions cannot provoke ----

/** An engine that records what it is asked and answers from a function. */
function scripted(reply: (text: string, ctx: AskContext) => Answer | Promise<Answer>): QueryEngine & { asked: { text: string; ctx: AskContext }[] } {
  const asked: { text: string; ctx: AskContext }[] = [];
  return {
    asked,
    async ask(text, ctx) {
      asked.push({ text, ctx });
      return reply(text, ctx);
    },
  };
}
const plain = (text: string, extra: Partial<Answer> = {}): Answer => ({ intent: "search", text, projects: [], indicators: [], ...extra });

describe("telegram adapter mechanics", () => {
  it("answers mentions and replies to its messages in groups, and passes chat/user keys and admin status", async () => {
    const engine = scripted((text) => plain(`答：${text}`));
    const { api } = await startBot({ engine });
    api.groupText(`@${api.botUser.username} 平安通预算多少`, { fromId: 42 });
    const first = await api.waitForCall("sendMessage", (b) => b.chat_id === GROUP);
    expect(first.body.text).toBe("答：平安通预算多少");
    const botMessage = { message_id: 1, date: 0, chat: { id: GROUP, type: "supergroup" }, from: api.botUser, text: "答" };
    api.groupText("青年地带有多少钱", { fromId: 7, replyTo: botMessage });
    await api.waitForCall("sendMessage", (b) => b.chat_id === GROUP && b.text === "答：青年地带有多少钱");
    expect(engine.asked[0]!.ctx).toEqual({ chatKey: `telegram:${GROUP}`, userKey: "telegram:42", isAdmin: true });
    expect(engine.asked[1]!.ctx).toEqual({ chatKey: `telegram:${GROUP}`, userKey: "telegram:7", isAdmin: false });
  });

  it("splits long answers at line boundaries, keyboard on the last part", async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `${i + 1}. 项目名称<${i}> & 预算 ${i}.00 万元`);
    const engine = scripted(() => plain(lines.join("\n"), { actions: [{ label: "更多", command: "/more" }] }));
    const { api } = await startBot({ engine });
    api.privateText("所有项目");
    await until(() => sentTo(api, 42).some((b) => b.reply_markup));
    const parts = sentTo(api, 42);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect([...(p.text as string)].length).toBeLessThanOrEqual(4096);
    expect(parts.slice(0, -1).every((p) => !p.reply_markup)).toBe(true);
    const joined = [...api.messages.values()].filter((m) => m.chat_id === 42).map((m) => m.text).join("\n");
    expect(joined).toBe(lines.join("\n"));
  });

  it("apologises in Chinese when answering fails, and keeps serving other chats", async () => {
    const engine = scripted((text) => {
      if (text === "坏问题") throw new Error("engine exploded");
      return plain(`答：${text}`);
    });
    const { api } = await startBot({ engine });
    api.blockChat(43);
    api.privateText("任何问题", 43); // this chat's sendMessage fails with 403
    api.privateText("坏问题", 42);
    const apology = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    expect(apology.body.text).toMatch(/抱歉/);
    api.privateText("好问题", 42);
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42 && b.text === "答：好问题");
    api.privateText("还在吗", 44);
    await api.waitForCall("sendMessage", (b) => b.chat_id === 44 && b.text === "答：还在吗");
  });

  it("shows a typing indicator only when the answer takes a while", async () => {
    const engine = scripted(async (text) => {
      if (text === "慢") await new Promise((r) => setTimeout(r, 700));
      return plain(`答：${text}`);
    });
    const { api } = await startBot({ engine });
    api.privateText("快", 42);
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    expect(api.callsOf("sendChatAction")).toHaveLength(0);
    api.privateText("慢", 43);
    const typing = await api.waitForCall("sendChatAction", (b) => b.chat_id === 43);
    expect(typing.body.action).toBe("typing");
    const answer = await api.waitForCall("sendMessage", (b) => b.chat_id === 43);
    expect(answer.at).toBeGreaterThan(typing.at);
  });

  it("enforces ALLOWED_CHATS", async () => {
    const engine = scripted((text) => plain(`答：${text}`));
    const { api } = await startBot({ engine, allowedChats: ["telegram:42"] });
    api.privateText("问题", 43);
    api.groupText(`/ask@${api.botUser.username} 问题`, { chatId: -100999 });
    const refusal = await api.waitForCall("sendMessage", (b) => b.chat_id === 43);
    expect(refusal.body.text).toMatch(/授权/);
    api.privateText("问题", 42);
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42 && b.text === "答：问题");
    expect(sentTo(api, -100999)).toHaveLength(0);
    expect(engine.asked.map((a) => a.ctx.chatKey)).toEqual(["telegram:42"]);
  });

  it("greets a group it is added to, and /start shows help whose examples answer below it", async () => {
    const engine = scripted((text) => plain(`答：${text}`));
    const { api } = await startBot({ engine });
    api.botAddedToGroup();
    const hello = await api.waitForCall("sendMessage", (b) => b.chat_id === GROUP);
    expect(hello.body.text).toContain(`/ask@${api.botUser.username}`);

    api.privateText("/start");
    const help = await api.waitForCall("sendMessage", (b) => b.chat_id === 42);
    const buttons = (help.body.reply_markup.inline_keyboard as Json[][]).flat();
    const example = buttons.find((b) => b.callback_data)!;
    const helpMessage = [...api.messages.values()].find((m) => m.chat_id === 42)!;
    api.pressButton(helpMessage, example.callback_data as string);
    const answer = await api.waitForCall("sendMessage", (b) => b.chat_id === 42 && String(b.text).startsWith("答："));
    expect(answer.body.text).toBe(`答：${example.text}`);
    expect(api.callsOf("editMessageText")).toHaveLength(0);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
  });

  it("delivers notices to a chat key and hands documents with a downloader to the document hook", async () => {
    const seen: { name: string | null; bytes: string; admin: boolean | undefined }[] = [];
    const { api, adapter } = await startBot({
      engine: scripted(() => plain("")),
      onDocument: async (file, ctx) => {
        seen.push({ name: file.fileName, bytes: (await file.download(1024)).toString("utf8"), admin: ctx.isAdmin });
        return plain(`已收到 ${file.fileName}`);
      },
    });
    await adapter.sendNotice(`telegram:${GROUP}`, plain("新文件：广州市民政局 2024"));
    expect(sentTo(api, GROUP)[0]!.text).toBe("新文件：广州市民政局 2024");
    await expect(adapter.sendNotice("feishu:oc_x", plain("x"))).rejects.toThrow(/not a Telegram chat key/);

    api.addFile("f1", Buffer.from("项目支出绩效目标表"));
    const msg = api.textMessage({ id: 42, type: "private" }, "x");
    delete msg.text;
    delete msg.entities;
    api.pushUpdate({ message: { ...msg, document: { file_id: "f1", file_unique_id: "u1", file_name: "a.txt", file_size: 27 } } });
    await api.waitForCall("sendMessage", (b) => b.chat_id === 42 && b.text === "已收到 a.txt");
    expect(seen).toEqual([{ name: "a.txt", bytes: "项目支出绩效目标表", admin: true }]);
  });

  it("stops cleanly whether or not it ever started", async () => {
    const api = new TelegramApiDouble();
    const adapter = createTelegramAdapter({ token: api.token, apiRoot: "http://127.0.0.1:9/", engine: realEngine, adminIds: [], allowedChats: [], log });
    await expect(adapter.stop()).resolves.toBeUndefined();
    const { adapter: started, api: api2 } = await startBot();
    await started.stop();
    const polls = api2.callsOf("getUpdates").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(api2.callsOf("getUpdates").length).toBe(polls);
  });
});

// ---- pure parts ----

describe("splitTelegramHtml", () => {
  it("keeps short messages whole and cuts long ones at lines, re-opening tags that span a cut", () => {
    expect(splitTelegramHtml("<b>平安通</b>\n2294.25 万元")).toEqual(["<b>平安通</b>\n2294.25 万元"]);
    const lines = Array.from({ length: 50 }, (_, i) => `第${i}行 &amp; &lt;项目&gt;`);
    const html = `<b>标题</b>\n<pre>${lines.join("\n")}</pre>\n结束`;
    const parts = splitTelegramHtml(html, 300);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(300);
      expect(parseTelegramHtml(p)).not.toHaveProperty("error");
    }
    expect(parts[1]!.startsWith("<pre>")).toBe(true);
  });

  it("property: parts fit, parse, and together say exactly what the whole said", () => {
    const line = fc.stringMatching(/^[a-z0-9 平安通项目预算万元]{0,60}$/).map((s) => s.replace(/&/g, "&amp;"));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 120 }), fc.nat(), fc.nat(), fc.integer({ min: 200, max: 1000 }), (ls, a, b, max) => {
        const i = a % ls.length;
        const j = i + (b % (ls.length - i));
        const tagged = ls.map((l, k) => (k === i ? `<b>${l}` : l)).map((l, k) => (k === j ? `${l}</b>` : l));
        const html = tagged.join("\n");
        const parts = splitTelegramHtml(html, max);
        const texts = parts.map((p) => {
          expect(p.length).toBeLessThanOrEqual(max);
          const parsed = parseTelegramHtml(p);
          if ("error" in parsed) throw new Error(parsed.error);
          return parsed.text;
        });
        const whole = parseTelegramHtml(html) as { text: string };
        // Parts that would be blank are dropped, so compare the non-blank lines.
        const nonBlank = (t: string): string[] => t.split("\n").filter((l) => l.trim() !== "");
        expect(nonBlank(texts.join("\n"))).toEqual(nonBlank(whole.text));
      }),
      { numRuns: 200 },
    );
  });
});

describe("CallbackStore", () => {
  it("passes short commands through and stands in for long ones with a key of at most 64 bytes", () => {
    const store = new CallbackStore(2);
    expect(store.dataFor("/pick 38 indicators")).toBe("/pick 38 indicators");
    const long = `/search ${"很长的项目名称".repeat(6)}`;
    const key = store.dataFor(long);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(64);
    expect(store.commandFor(key)).toBe(long);
    store.dataFor(`${long}2`);
    store.dataFor(`${long}3`); // capacity 2: the first key is forgotten
    expect(store.commandFor(key)).toBeNull();
  });
});

describe("interpretMessage", () => {
  const bot = { id: 99, username: "Budget_Bot" };
  const msg = (text: string, chat: Json, extra: Json = {}): Message =>
    ({ message_id: 1, date: 0, chat, text, entities: entitiesOf(text), ...extra }) as unknown as Message;
  const group = { id: -1, type: "supergroup", title: "g" };
  const priv = { id: 5, type: "private", first_name: "u" };

  it("reads commands, mentions and replies in groups; everything in private chats", () => {
    expect(interpretMessage(msg("/budget@budget_bot  平安通 ", group), bot)).toEqual({ kind: "command", name: "budget", args: "平安通", explicit: true });
    expect(interpretMessage(msg("/budget@other_bot 平安通", group), bot)).toBeNull();
    expect(interpretMessage(msg("/Ask 问题", group), bot)).toEqual({ kind: "command", name: "ask", args: "问题", explicit: false });
    expect(interpretMessage(msg("请问 @budget_bot，平安通预算多少", group), bot)).toEqual({ kind: "text", text: "请问 平安通预算多少" });
    expect(interpretMessage(msg("平安通预算多少", group), bot)).toBeNull();
    expect(interpretMessage(msg("2", group, { reply_to_message: { from: { id: 99 } } }), bot)).toEqual({ kind: "text", text: "2" });
    expect(interpretMessage(msg("2", group, { reply_to_message: { from: { id: 7 } } }), bot)).toBeNull();
    const textMention = { ...msg("预算助手 平安通", group), entities: [{ type: "text_mention", offset: 0, length: 4, user: { id: 99 } }] } as unknown as Message;
    expect(interpretMessage(textMention, bot)).toEqual({ kind: "text", text: "平安通" });
    expect(interpretMessage(msg("平安通预算多少", priv), bot)).toEqual({ kind: "text", text: "平安通预算多少" });
    expect(interpretMessage(msg("平安通", { id: -5, type: "channel", title: "c" }), bot)).toBeNull();
  });

  it("maps chat keys both ways", () => {
    expect(chatIdFromKey("telegram:-100123")).toBe(-100123);
    expect(chatIdFromKey("feishu:oc_1")).toBeNull();
    expect(normalizeApiRoot("http://127.0.0.1:8081/tg")).toBe("http://127.0.0.1:8081/tg/");
    expect(normalizeApiRoot("https://api.telegram.org/")).toBe("https://api.telegram.org/");
  });
});
