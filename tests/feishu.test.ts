// Feishu adapter end to end: the real Lark SDK client against a test double of the Open API on 127.0.0.1,
// events POSTed to /feishu/events on the project's HTTP server.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sqliteEventDedupe } from "../index/processed-events.ts";
import { openCatalog, type CatalogHandle } from "../index/open.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import { createFeishuAdapter, type EventDedupe, type FeishuAdapter, type FeishuAdapterOptions } from "../adapters/feishu.ts";
import { FeishuApiError, normalizeDomain } from "../adapters/feishu-client.ts";
import { buttonCommand, chatIdOf, messageText, stripMentions } from "../adapters/feishu-events.ts";
import { decryptFeishuPayload } from "../adapters/feishu-webhook.ts";
import { createHttpServer } from "../src/http.ts";
import pino from "pino";
import { log } from "../src/log.ts";
import type { Answer } from "../src/domain.ts";
import type { AskContext, QueryEngine } from "../src/query/types.ts";
import {
  cardActionEvent,
  encryptFeishuEvent,
  messageEvent,
  signFeishuRequest,
  startFeishuApiDouble,
  type FeishuApiDouble,
} from "./doubles/feishu-api.ts";

const APP_ID = "cli_a1b2c3d4e5f60718"; // cli_ + 16 hex digits, or WSClient.start() does nothing
const APP_SECRET = "secret-for-tests";
const TOKEN = "verification-token-1";
const ENCRYPT_KEY = "encrypt-key-for-tests";
const USER = "ou_user000000000000000000000000001";
const ADMIN = "ou_admin00000000000000000000000001";
const P2P_CHAT = "oc_p2p0000000000000000000000000001";
const GROUP_CHAT = "oc_group000000000000000000000000001";

// ---- engine under test: the real query engine over a catalog built from the seeds ----
let seeds: SeedCatalog;
let catalog: CatalogHandle;
let tmp: string;
beforeAll(() => {
  seeds = openSeedCatalog();
  catalog = seeds.catalog;
  tmp = dirname(seeds.dbPath);
});
afterAll(() => seeds.dispose());

/** The real engine, with every question recorded. */
function realEngine(asked: { text: string; ctx: AskContext }[]): QueryEngine {
  const engine = createQueryEngine(catalog);
  return {
    ask(text, ctx) {
      asked.push({ text, ctx });
      return engine.ask(text, ctx);
    },
  };
}

// The three projects named exactly 工作经费 in the seeds: 004 line 26, 003 line 39, 000 line 24.
const WORK_FUNDS = ["66.00", "15.63", "1.80"];

function memoryDedupe(): EventDedupe {
  const ids = new Set<string>();
  return {
    seen(id) {
      if (ids.has(id)) return true;
      ids.add(id);
      return false;
    },
  };
}

/** Stand-in for the indexing layer's store over the processed_events table (see report). */
// ---- harness ----
interface Harness {
  api: FeishuApiDouble;
  adapter: FeishuAdapter;
  server: Server;
  asked: { text: string; ctx: AskContext }[];
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  postRaw(raw: string, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.adapter.stop();
    await new Promise<void>((r) => h.server.close(() => r()));
    await h.api.close();
  }
});

async function harness(over: Partial<FeishuAdapterOptions> = {}, api?: FeishuApiDouble): Promise<Harness> {
  api ??= await startFeishuApiDouble({ appId: APP_ID, appSecret: APP_SECRET });
  const asked: Harness["asked"] = [];
  const adapter = createFeishuAdapter({
    appId: APP_ID,
    appSecret: APP_SECRET,
    domain: `${api.url}/`, // trailing slash, as users paste it
    mode: "webhook",
    verificationToken: TOKEN,
    engine: realEngine(asked),
    adminIds: [`feishu:${ADMIN}`, "telegram:42"],
    allowedChats: [],
    log,
    dedupe: memoryDedupe(),
    ...over,
  });
  await adapter.start();
  const route = adapter.webhookRoute!;
  const server = createHttpServer({ [`${route.method} ${route.path}`]: route.handler });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const postRaw = async (raw: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/feishu/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const h: Harness = { api, adapter, server, asked, postRaw, post: (body, headers) => postRaw(JSON.stringify(body), headers) };
  open.push(h);
  return h;
}

const cardText = (card: unknown): string => JSON.stringify(card);

function buttonsOf(card: any): { label: string; value: any }[] {
  const out: { label: string; value: any }[] = [];
  const walk = (node: any) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === "object") {
      if (node.tag === "button") {
        // Card JSON 1.0 puts the value on the button, 2.0 in a callback behavior.
        const value = node.value ?? node.behaviors?.find((b: any) => b.type === "callback")?.value;
        out.push({ label: node.text?.content ?? "", value });
      }
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out;
}

// ---- tests ----
describe("feishu helpers", () => {
  it("decrypts the example from Feishu's event documentation", () => {
    expect(decryptFeishuPayload("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")).toBe("hello world");
  });

  it("reads text and rich-text messages, strips mention placeholders, reads button commands", () => {
    expect(stripMentions("@_user_1  平安通 @_user_12预算")).toBe("平安通 预算");
    expect(messageText({ message_type: "text", content: JSON.stringify({ text: "@_user_1 平安通" }) })).toBe("@_user_1 平安通");
    const post = { title: "", content: [[{ tag: "at", user_id: "@_user_1" }, { tag: "text", text: " 工作经费预算多少" }]] };
    expect(stripMentions(messageText({ message_type: "post", content: JSON.stringify(post) })!)).toBe("工作经费预算多少");
    expect(messageText({ message_type: "image", content: JSON.stringify({ image_key: "img_x" }) })).toBeNull();
    expect(buttonCommand({ command: "/pick 53" })).toBe("/pick 53");
    expect(buttonCommand(JSON.stringify({ command: "/more" }))).toBe("/more");
    expect(buttonCommand({ other: 1 })).toBeNull();
    expect(chatIdOf("feishu:oc_1")).toBe("oc_1");
    expect(chatIdOf("telegram:-100")).toBeNull();
    expect(normalizeDomain("https://open.larksuite.com//")).toBe("https://open.larksuite.com");
  });
});

describe("feishu webhook", () => {
  it("answers url_verification with the challenge, and refuses a wrong token", async () => {
    const h = await harness();
    const ok = await h.post({ challenge: "ch-123", token: TOKEN, type: "url_verification" });
    expect(ok).toEqual({ status: 200, json: { challenge: "ch-123" } });
    // A query string on the request URL does not matter (the SDK's adaptDefault hangs on one).
    const withQuery = await fetch(`http://127.0.0.1:${(h.server.address() as AddressInfo).port}/feishu/events?from=console`, {
      method: "POST",
      body: JSON.stringify({ challenge: "ch-q", token: TOKEN, type: "url_verification" }),
    });
    expect(await withQuery.json()).toEqual({ challenge: "ch-q" });
    const bad = await h.post({ challenge: "ch-123", token: "wrong", type: "url_verification" });
    expect(bad.status).toBe(401);
    expect(h.api.calls).toHaveLength(0);
  });

  it("answers a p2p question with a card replying to the message, through a fetched tenant token", async () => {
    const h = await harness();
    const event = messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" });
    const res = await h.post(event);
    expect(res).toEqual({ status: 200, json: {} });
    await h.adapter.idle();

    const sent = h.api.messageCalls();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe("reply");
    expect(sent[0]!.messageId).toBe(event.event.message.message_id);
    expect(sent[0]!.call.body.msg_type).toBe("interactive");
    expect(cardText(sent[0]!.card)).toContain("2294.25");
    // The SDK fetched a tenant token with our credentials and sent it.
    const tokenCall = h.api.calls.find((c) => c.path === "/open-apis/auth/v3/tenant_access_token/internal");
    expect(tokenCall?.body).toEqual({ app_id: APP_ID, app_secret: APP_SECRET });
    expect(sent[0]!.call.authorization).toBe(`Bearer ${tokenCall!.response.tenant_access_token}`);
    expect(h.asked[0]!.ctx).toMatchObject({ chatKey: `feishu:${P2P_CHAT}`, userKey: `feishu:${USER}`, isAdmin: false });
  });

  it("acknowledges an event at once and answers after the engine is done", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = realEngine([]);
    const h = await harness({ engine: { ask: async (text, ctx) => (await gate, real.ask(text, ctx)) } });
    const res = await h.post(messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" }));
    expect(res).toEqual({ status: 200, json: {} }); // while the engine is still blocked
    expect(h.api.messageCalls()).toHaveLength(0);
    release();
    await h.adapter.idle();
    expect(cardText(h.api.messageCalls()[0]!.card)).toContain("2294.25");
  });

  it("ignores group messages without an @ of the bot and answers those with one, placeholders stripped", async () => {
    const h = await harness();
    const plain = messageEvent({ token: TOKEN, appId: APP_ID, chatId: GROUP_CHAT, chatType: "group", senderOpenId: USER, text: "平安通项目预算多少" });
    expect((await h.post(plain)).status).toBe(200);
    const other = messageEvent({
      token: TOKEN, appId: APP_ID, chatId: GROUP_CHAT, chatType: "group", senderOpenId: USER,
      text: "@_user_1 平安通项目预算多少", mentions: [{ key: "@_user_1", openId: "ou_someone_else", name: "张三" }],
    });
    expect((await h.post(other)).status).toBe(200);
    await h.adapter.idle();
    expect(h.api.messageCalls()).toHaveLength(0);
    expect(h.asked).toHaveLength(0);

    const atBot = messageEvent({
      token: TOKEN, appId: APP_ID, chatId: GROUP_CHAT, chatType: "group", senderOpenId: USER,
      text: "@_user_1 平安通项目预算多少", mentions: [{ key: "@_user_1", openId: h.api.botOpenId, name: "预算助手" }],
    });
    expect((await h.post(atBot)).status).toBe(200);
    await h.adapter.idle();
    const sent = h.api.messageCalls();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messageId).toBe(atBot.event.message.message_id);
    expect(cardText(sent[0]!.card)).toContain("2294.25");
    expect(h.asked.map((a) => a.text)).toEqual(["平安通项目预算多少"]);
    expect(h.asked[0]!.ctx.chatKey).toBe(`feishu:${GROUP_CHAT}`);
  });

  it("decrypts a signed, encrypted event and answers it", async () => {
    const h = await harness({ encryptKey: ENCRYPT_KEY });
    const event = messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" });
    const raw = JSON.stringify(encryptFeishuEvent(event, ENCRYPT_KEY));
    expect(raw).not.toContain("平安通");
    const res = await h.postRaw(raw, signFeishuRequest(raw, ENCRYPT_KEY));
    expect(res.status).toBe(200);
    await h.adapter.idle();
    const sent = h.api.messageCalls();
    expect(sent).toHaveLength(1);
    expect(cardText(sent[0]!.card)).toContain("2294.25");

    // The url_verification handshake comes encrypted too.
    const challenge = JSON.stringify(encryptFeishuEvent({ challenge: "ch-enc", token: TOKEN, type: "url_verification" }, ENCRYPT_KEY));
    expect(await h.postRaw(challenge)).toEqual({ status: 200, json: { challenge: "ch-enc" } });
  });

  it("refuses a bad signature, an unsigned event, a wrong key and a wrong token with 401, answering nothing", async () => {
    const h = await harness({ encryptKey: ENCRYPT_KEY });
    const event = () =>
      messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" });

    const raw = JSON.stringify(encryptFeishuEvent(event(), ENCRYPT_KEY));
    const headers = signFeishuRequest(raw, ENCRYPT_KEY);
    expect((await h.postRaw(raw, { ...headers, "x-lark-signature": "0".repeat(64) })).status).toBe(401);
    expect((await h.postRaw(raw + " ", headers)).status).toBe(401); // body changed after signing
    expect((await h.postRaw(raw)).status).toBe(401); // unsigned

    const otherKey = JSON.stringify(encryptFeishuEvent(event(), "another-key"));
    expect((await h.postRaw(otherKey, signFeishuRequest(otherKey, ENCRYPT_KEY))).status).toBe(401);

    const wrongToken = JSON.stringify(encryptFeishuEvent({ ...event(), header: { ...event().header, token: "wrong" } }, ENCRYPT_KEY));
    expect((await h.postRaw(wrongToken, signFeishuRequest(wrongToken, ENCRYPT_KEY))).status).toBe(401);

    await h.adapter.idle();
    expect(h.api.calls).toHaveLength(0);
  });

  it("refuses a wrong verification token with 401 when no encrypt key is set", async () => {
    const h = await harness();
    const res = await h.post(
      messageEvent({ token: "wrong", appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" }),
    );
    expect(res.status).toBe(401);
    const missing = await h.post(
      messageEvent({ appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" }),
    );
    expect(missing.status).toBe(401);
    await h.adapter.idle();
    expect(h.api.calls).toHaveLength(0);
  });

  it("answers an event delivered twice once, also after a restart on the same dedupe store", async () => {
    const dedupe = memoryDedupe();
    const h = await harness({ dedupe });
    const event = messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" });
    expect((await h.post(event)).status).toBe(200);
    expect((await h.post(event)).status).toBe(200);
    await h.adapter.idle();
    expect(h.api.messageCalls()).toHaveLength(1);

    // A new adapter (after a restart) on the same store, against the same platform.
    const again = await harness({ dedupe }, await startFeishuApiDouble({ appId: APP_ID, appSecret: APP_SECRET }));
    expect((await again.post(event)).status).toBe(200);
    await again.adapter.idle();
    expect(again.api.messageCalls()).toHaveLength(0);
  });

  it("remembers processed events in SQLite across a restart", async () => {
    const dbPath = join(tmp, "restart.db");
    const event = messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" });

    const first = openCatalog(dbPath);
    const h = await harness({ dedupe: sqliteEventDedupe(first.db, "feishu") });
    await h.post(event);
    await h.adapter.idle();
    expect(h.api.messageCalls()).toHaveLength(1);
    await h.adapter.stop();
    first.close();

    const second = openCatalog(dbPath); // the process restarted
    try {
      const again = await harness({ dedupe: sqliteEventDedupe(second.db, "feishu") });
      await again.post(event);
      await again.post(messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" }));
      await again.adapter.idle();
      expect(again.api.messageCalls()).toHaveLength(1); // only the new event
      expect(again.api.messageCalls()[0]!.messageId).not.toBe(event.event.message.message_id);
    } finally {
      for (const x of open.splice(0)) {
        await x.adapter.stop();
        await new Promise<void>((r) => x.server.close(() => r()));
        await x.api.close();
      }
      second.close();
    }
  });

  it("feeds a card button's command to the engine and updates that card in place", async () => {
    const h = await harness();
    const question = messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "工作经费预算多少" });
    await h.post(question);
    await h.adapter.idle();
    const [clarify] = h.api.messageCalls();
    const buttons = buttonsOf(clarify!.card);
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    const cardMessageId: string = clarify!.call.response.data.message_id;

    const press = cardActionEvent({
      token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, messageId: cardMessageId, operatorOpenId: USER, value: buttons[0]!.value,
    });
    const res = await h.post(press);
    expect(res.status).toBe(200);
    await h.adapter.idle();

    expect(WORK_FUNDS.filter((a) => cardText(clarify!.card).includes(a))).toEqual(WORK_FUNDS); // all three offered
    const patches = h.api.messageCalls().filter((m) => m.kind === "patch");
    expect(patches).toHaveLength(1);
    expect(patches[0]!.messageId).toBe(cardMessageId);
    // The card now shows the one project picked, no longer the choice.
    expect(WORK_FUNDS.filter((a) => cardText(patches[0]!.card).includes(a))).toHaveLength(1);
    expect(buttonsOf(patches[0]!.card).map((b) => b.value)).not.toContainEqual(buttons[1]!.value);
    expect(patches[0]!.card.config.update_multi).toBe(true);
    expect(h.asked.at(-1)!.text).toBe(buttons[0]!.value.command);
  });
});

describe("feishu adapter policy and failures", () => {
  it("answers only ALLOWED_CHATS, plus private chats of admins, and tells the engine who is admin", async () => {
    const h = await harness({ allowedChats: [`feishu:${GROUP_CHAT}`] });
    const q = (chatId: string, chatType: "p2p" | "group", sender: string) =>
      messageEvent({
        token: TOKEN, appId: APP_ID, chatId, chatType, senderOpenId: sender, text: "@_user_1 平安通项目预算多少",
        mentions: [{ key: "@_user_1", openId: h.api.botOpenId, name: "预算助手" }],
      });
    await h.post(q(P2P_CHAT, "p2p", USER)); // not listed
    await h.post(q("oc_other_group", "group", ADMIN)); // not listed, even for an admin
    await h.adapter.idle();
    expect(h.api.messageCalls()).toHaveLength(0);

    await h.post(q(GROUP_CHAT, "group", USER));
    await h.post(q("oc_admin_p2p", "p2p", ADMIN));
    await h.adapter.idle();
    expect(h.api.messageCalls()).toHaveLength(2);
    expect(h.asked.map((a) => [a.ctx.chatKey, a.ctx.isAdmin]).sort()).toEqual([
      ["feishu:oc_admin_p2p", true],
      [`feishu:${GROUP_CHAT}`, false],
    ]);
  });

  it("survives a platform failure (code != 0 and HTTP 500), logs it through pino, and answers the next question", async () => {
    const lines: any[] = [];
    const captured = pino({ level: "info", base: undefined }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const h = await harness({ log: captured });
    h.api.failNext(/\/reply$/, 1, "code");
    h.api.failNext(/\/reply$/, 1, "http-500");
    for (let i = 0; i < 3; i++) {
      await h.post(messageEvent({ token: TOKEN, appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "平安通项目预算多少" }));
      await h.adapter.idle();
    }
    const replies = h.api.messageCalls();
    expect(replies.map((r) => r.call.status)).toEqual([200, 500, 200]);
    expect(replies.map((r) => r.call.response.code)).toEqual([230001, 500, 0]);
    const failed = lines.filter((l) => l.msg === "feishu: event failed");
    expect(failed).toHaveLength(2);
    expect(failed[0].err).toContain("code=230001");
    // The SDK's own error log (the HTTP 500) arrives through the adapter at error level (50).
    expect(lines.some((l) => l.component === "lark-sdk" && l.level === 50)).toBe(true);
    expect(lines.some((l) => l.component === "lark-sdk" && l.level < 50)).toBe(false);
  });

  it("sends notices as new cards and throws when the platform refuses (code != 0)", async () => {
    const h = await harness();
    const notice: Answer = { intent: "stats", title: "新文件", text: "收到新文件：共 12 个项目，合计 2294.25 万元", projects: [], indicators: [] };
    const id = await h.adapter.sendNotice(`feishu:${GROUP_CHAT}`, notice);
    const [create] = h.api.messageCalls();
    expect(create!.kind).toBe("create");
    expect(create!.call.query.receive_id_type).toBe("chat_id");
    expect(create!.call.body.receive_id).toBe(GROUP_CHAT);
    expect(id).toBe(create!.call.response.data.message_id);
    expect(cardText(create!.card)).toContain("2294.25");

    h.api.failNext(/^POST \/open-apis\/im\/v1\/messages$/, 1, "code");
    await expect(h.adapter.sendNotice(`feishu:${GROUP_CHAT}`, notice)).rejects.toBeInstanceOf(FeishuApiError);
    await expect(h.adapter.sendNotice("telegram:-100", notice)).rejects.toThrow(/not a Feishu chat key/);
  });
});

describe("feishu commands and files (room for alerts)", () => {
  it("routes /subscribe and its Chinese aliases to the command, not the engine", async () => {
    const calls: { name: string; args: string; ctx: AskContext }[] = [];
    const cmd = (command: string, aliases: string[]) => ({
      command,
      description: command,
      aliases,
      async handle(args: string, ctx: AskContext): Promise<Answer> {
        calls.push({ name: command, args, ctx });
        return { intent: "help", text: `${command} 已处理：${args}`, projects: [], indicators: [] };
      },
    });
    const h = await harness({ commands: [cmd("subscribe", ["订阅"]), cmd("unsubscribe", ["取消订阅"])] });
    const say = (text: string, chatType: "p2p" | "group" = "p2p") =>
      h.post(
        messageEvent({
          token: TOKEN, appId: APP_ID, chatId: chatType === "p2p" ? P2P_CHAT : GROUP_CHAT, chatType, senderOpenId: ADMIN, text,
          mentions: chatType === "group" ? [{ key: "@_user_1", openId: h.api.botOpenId, name: "预算助手" }] : [],
        }),
      );
    await say("/subscribe 民政局");
    await say("@_user_1 订阅 团市委", "group");
    await say("取消订阅");
    await say("/subscribers"); // not the command: goes to the engine
    await h.adapter.idle();
    expect(calls.map((c) => [c.name, c.args]).sort()).toEqual([
      ["subscribe", "团市委"],
      ["subscribe", "民政局"],
      ["unsubscribe", ""],
    ]);
    expect(calls.find((c) => c.args === "团市委")!.ctx).toMatchObject({ chatKey: `feishu:${GROUP_CHAT}`, isAdmin: true, chatType: "group" });
    expect(h.asked.map((a) => a.text)).toEqual(["/subscribers"]);
    expect(h.api.messageCalls().some((m) => cardText(m.card).includes("subscribe 已处理：民政局"))).toBe(true);
  });

  it("hands a file sent in a private chat to onFile, downloading it size-limited; group files are ignored", async () => {
    const got: { name: string | null; bytes?: number; error?: string; isAdmin?: boolean }[] = [];
    const h = await harness({
      async onFile(file, ctx) {
        try {
          const bytes = await file.download(1000);
          got.push({ name: file.fileName, bytes: bytes.length, isAdmin: ctx.isAdmin });
          return { intent: "help", text: `已收到 ${file.fileName}`, projects: [], indicators: [] };
        } catch (err) {
          got.push({ name: file.fileName, error: (err as Error).name });
          return { intent: "help", text: "文件过大", projects: [], indicators: [] };
        }
      },
    });
    h.api.files.set("file_v2_small", Buffer.from("项目名称\t总计\n".repeat(10)));
    h.api.files.set("file_v2_big", Buffer.alloc(5000, 65));
    const send = (fileKey: string, name: string, chatType: "p2p" | "group" = "p2p") =>
      h.post(
        messageEvent({
          token: TOKEN, appId: APP_ID, chatId: chatType === "p2p" ? P2P_CHAT : GROUP_CHAT, chatType, senderOpenId: ADMIN,
          text: "", messageType: "file", content: { file_key: fileKey, file_name: name },
        }),
      );
    await send("file_v2_small", "budget.txt");
    await send("file_v2_big", "big.txt");
    await send("file_v2_small", "group.txt", "group");
    await h.adapter.idle();
    expect(got).toEqual([
      { name: "budget.txt", bytes: Buffer.byteLength("项目名称\t总计\n".repeat(10)), isAdmin: true },
      { name: "big.txt", error: "FileTooLargeError" },
    ]);
    const replies = h.api.messageCalls();
    expect(replies).toHaveLength(2);
    expect(cardText(replies[0]!.card)).toContain("已收到 budget.txt");
  });
});

describe("feishu long connection", () => {
  let api: FeishuApiDouble;
  beforeAll(async () => {
    api = await startFeishuApiDouble({ appId: APP_ID, appSecret: APP_SECRET });
    return () => api.close();
  });

  it("starts the SDK's WSClient against FEISHU_DOMAIN and stops cleanly", async () => {
    const adapter = createFeishuAdapter({
      appId: APP_ID, appSecret: APP_SECRET, domain: `${api.url}/`, mode: "ws",
      engine: realEngine([]), adminIds: [], allowedChats: [], log, dedupe: memoryDedupe(),
    });
    expect(adapter.webhookRoute).toBeUndefined();
    await adapter.start();
    const endpoint = await api.waitFor(() => api.calls.find((c) => c.path === "/callback/ws/endpoint"));
    expect(endpoint.body).toMatchObject({ AppID: APP_ID, AppSecret: APP_SECRET });
    await adapter.stop();
  });

  it("receives an event and a button press over the long connection, answers them, and closes on stop", async () => {
    const gateway = await startFeishuApiDouble({ appId: APP_ID, appSecret: APP_SECRET, longConnection: true });
    const asked: { text: string; ctx: AskContext }[] = [];
    const adapter = createFeishuAdapter({
      appId: APP_ID, appSecret: APP_SECRET, domain: gateway.url, mode: "ws",
      engine: realEngine(asked), adminIds: [], allowedChats: [], log, dedupe: memoryDedupe(),
    });
    try {
      await adapter.start();
      await gateway.wsConnected();
      expect(gateway.wsConnections()).toBe(1);
      const event = messageEvent({ appId: APP_ID, chatId: P2P_CHAT, chatType: "p2p", senderOpenId: USER, text: "工作经费预算多少" });
      expect((await gateway.pushEvent(event)).code).toBe(200);
      expect((await gateway.pushEvent(event)).code).toBe(200); // redelivered: answered once
      await adapter.idle();
      const [reply, ...rest] = gateway.messageCalls();
      expect(rest).toHaveLength(0);
      expect(reply!.messageId).toBe(event.event.message.message_id);
      const button = buttonsOf(reply!.card)[0]!;
      const cardMessageId: string = reply!.call.response.data.message_id;

      const press = cardActionEvent({ appId: APP_ID, chatId: P2P_CHAT, messageId: cardMessageId, operatorOpenId: USER, value: button.value });
      expect((await gateway.pushEvent(press)).code).toBe(200);
      await adapter.idle();
      const patch = gateway.messageCalls().find((m) => m.kind === "patch");
      expect(patch?.messageId).toBe(cardMessageId);
      expect(WORK_FUNDS.filter((a) => cardText(patch!.card).includes(a))).toHaveLength(1);
    } finally {
      await adapter.stop();
    }
    await gateway.waitFor(() => gateway.wsConnections() === 0, 2000); // the WSClient closed its socket
    await gateway.close();
  });

  it("refuses an app id the SDK would silently ignore", async () => {
    const adapter = createFeishuAdapter({
      appId: "cli_short", appSecret: APP_SECRET, domain: api.url, mode: "ws",
      engine: realEngine([]), adminIds: [], allowedChats: [], log, dedupe: memoryDedupe(),
    });
    await expect(adapter.start()).rejects.toThrow(/cli_/);
  });
});
