// Feishu adapter, thin: Feishu event → question → engine → card → Feishu message.
// Events arrive by the SDK's long connection (mode "ws") or on POST /feishu/events (mode "webhook");
// both paths end in the SDK's EventDispatcher, whose handlers only dedupe and schedule the work.
import * as lark from "@larksuiteoapi/node-sdk";
import type { Answer } from "../src/domain.ts";
import type { RouteHandler } from "./http-route.ts";
import type { Logger } from "../src/log.ts";
import type { AskContext, QueryEngine } from "../src/query/types.ts";
import { renderFeishuCard } from "../src/render/feishu.ts";
import {
  createFeishuMessenger,
  createLarkClient,
  larkLogger,
  normalizeDomain,
  type FeishuCardJson,
  type FeishuMessenger,
} from "./feishu-client.ts";
import {
  buttonCommand,
  chatIdOf,
  fileOf,
  chatKeyOf,
  eventIdOf,
  mentionsBot,
  messageText,
  stripMentions,
  userKeyOf,
  type FeishuCardActionEvent,
  type FeishuMessageEvent,
} from "./feishu-events.ts";
import { createFeishuWebhookHandler } from "./feishu-webhook.ts";

/** Remembers processed platform events; backed by SQLite (processed_events) so restarts do not forget. */
export interface EventDedupe {
  /** Marks the id as processed and returns whether it already was. */
  seen(eventId: string): boolean;
}

/** Who sent a text, for handlers that run outside the engine (e.g. /subscribe in issue 7). */
export interface FeishuTextContext extends AskContext {
  chatType: "p2p" | "group";
}

/** A command handled outside the query engine: "/subscribe 民政局", or an alias such as "订阅 民政局".
 *  Structurally compatible with the Telegram adapter's ExtraCommand, so one list can serve both. */
export interface FeishuCommand {
  command: string;
  description?: string;
  /** Words that start the same command without a slash (订阅, 取消订阅). */
  aliases?: string[];
  handle(args: string, ctx: FeishuTextContext): Promise<Answer>;
}

/** A file sent to the bot in a private chat (files cannot @mention the bot in groups). */
export interface FeishuIncomingFile {
  messageId: string;
  fileKey: string;
  fileName: string | null;
  /** Downloads through the Open API; throws FileTooLargeError over maxBytes. */
  download(maxBytes: number): Promise<Buffer>;
}

export interface FeishuAdapterOptions {
  appId: string;
  appSecret: string;
  /** FEISHU_DOMAIN: https://open.feishu.cn, https://open.larksuite.com or a test double. */
  domain: string;
  mode: "ws" | "webhook";
  verificationToken?: string;
  encryptKey?: string;
  engine: QueryEngine;
  /** ADMIN_IDS; entries of other platforms are ignored. */
  adminIds: readonly string[];
  /** ALLOWED_CHATS; empty = every chat. Admins may always talk to the bot in private. */
  allowedChats: readonly string[];
  log: Logger;
  dedupe: EventDedupe;
  /** Answer → card; defaults to src/render/feishu.ts. */
  render?: (answer: Answer) => FeishuCardJson;
  /** Commands handled outside the engine. */
  commands?: FeishuCommand[];
  /** Files sent in private chats; without it the bot says it reads text only. */
  onFile?: (file: FeishuIncomingFile, ctx: FeishuTextContext) => Promise<Answer>;
  /** The bot's open_id; looked up through GET /open-apis/bot/v3/info when absent. */
  botOpenId?: string;
  now?: () => number;
}

export interface FeishuAdapter {
  start(): Promise<void>;
  /** Stops taking events, waits for answers in progress, closes the long connection. */
  stop(): Promise<void>;
  /** Present in webhook mode; mount on the one HTTP server. */
  webhookRoute?: { method: "POST"; path: "/feishu/events"; handler: RouteHandler };
  /** Sends an answer as a new card to a chat ("feishu:oc_x"); returns the message id. Throws on failure. */
  sendNotice(chatKey: string, answer: Answer): Promise<string>;
  /** Resolves once no event is being processed (tests, shutdown). */
  idle(): Promise<void>;
}

const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;
const TEXT_ONLY = "目前只能回答文字问题，例如：平安通项目预算多少？";
const FAILED = "抱歉，查询时出了点问题，请稍后再试。";

function plainAnswer(text: string): Answer {
  return { intent: "help", text, projects: [], indicators: [] };
}

export function createFeishuAdapter(opts: FeishuAdapterOptions): FeishuAdapter {
  const { log, engine, dedupe } = opts;
  const render = opts.render ?? ((a: Answer) => renderFeishuCard(a) as FeishuCardJson);
  const now = opts.now ?? Date.now;
  const adminIds = new Set(opts.adminIds.filter((id) => id.startsWith("feishu:")));
  const allowedChats = new Set(opts.allowedChats.filter((id) => id.startsWith("feishu:")));
  const restrictChats = opts.allowedChats.length > 0;
  const domain = normalizeDomain(opts.domain);
  const client = createLarkClient({ appId: opts.appId, appSecret: opts.appSecret, domain, log });
  const api: FeishuMessenger = createFeishuMessenger(client);

  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let wsClient: lark.WSClient | null = null;

  let botId: Promise<string | null> | null = opts.botOpenId ? Promise.resolve(opts.botOpenId) : null;
  function botOpenId(): Promise<string | null> {
    botId ??= api.botOpenId().catch((err: unknown) => {
      log.warn({ err: String(err) }, "feishu: cannot look up the bot's open_id; any @mention counts");
      botId = null; // try again next time
      return null;
    });
    return botId;
  }

  const isAllowed = (chatKey: string, userKey: string, privateChat: boolean): boolean =>
    !restrictChats || allowedChats.has(chatKey) || (privateChat && adminIds.has(userKey));

  function askContext(chatKey: string, userKey: string): AskContext {
    return { chatKey, userKey, isAdmin: adminIds.has(userKey), now: now() };
  }

  // "/subscribe x" or "订阅 x"; longest alias first so 取消订阅 is not read as 订阅.
  const commandWords = (opts.commands ?? [])
    .flatMap((c) => [`/${c.command}`, ...(c.aliases ?? [])].map((word) => ({ word: word.toLowerCase(), c })))
    .sort((a, b) => b.word.length - a.word.length);
  function findCommand(text: string): { c: FeishuCommand; args: string } | null {
    const lower = text.toLowerCase();
    for (const { word, c } of commandWords) {
      if (!lower.startsWith(word)) continue;
      const rest = text.slice(word.length);
      // "/subscribe" must end at a word boundary; Chinese aliases may run straight into their argument.
      if (word.startsWith("/") && rest !== "" && !/^[\s@]/.test(rest)) continue;
      return { c, args: rest.replace(/^@\S*/, "").trim() };
    }
    return null;
  }

  async function answerFor(text: string, ctx: FeishuTextContext): Promise<Answer> {
    try {
      const command = findCommand(text);
      return command ? await command.c.handle(command.args, ctx) : await engine.ask(text, ctx);
    } catch (err) {
      log.error({ err: String(err), chatKey: ctx.chatKey }, "feishu: answer failed");
      return plainAnswer(FAILED);
    }
  }

  async function answerFile(message: NonNullable<FeishuMessageEvent["message"]>, ctx: FeishuTextContext): Promise<Answer> {
    const file = fileOf(message);
    if (!file || !opts.onFile) return plainAnswer(TEXT_ONLY);
    try {
      return await opts.onFile(
        { ...file, messageId: message.message_id!, download: (max) => api.downloadFile(message.message_id!, file.fileKey, max) },
        ctx,
      );
    } catch (err) {
      log.error({ err: String(err), chatKey: ctx.chatKey }, "feishu: file handling failed");
      return plainAnswer(FAILED);
    }
  }

  /** Dedupe, then run the work after the event has been acknowledged; one chat's events in arrival order
   *  (the engine keeps per-chat state: a clarification, then the pick). */
  const chatQueues = new Map<string, Promise<void>>();
  function accept(
    kind: string,
    event: { event_id?: unknown; uuid?: unknown },
    chatId: string | undefined,
    work: () => Promise<void>,
  ): void {
    if (stopped) return;
    const id = eventIdOf(event);
    if (id) {
      let duplicate = false;
      try {
        duplicate = dedupe.seen(id);
      } catch (err) {
        // Answering twice is better than not answering.
        log.error({ err: String(err), eventId: id }, "feishu: dedupe store failed");
      }
      if (duplicate) {
        log.info({ eventId: id, kind }, "feishu: duplicate event ignored");
        return;
      }
    }
    const queue = chatId ?? "";
    const p = (chatQueues.get(queue) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => log.error({ err: String(err), eventId: id, kind }, "feishu: event failed"));
    chatQueues.set(queue, p);
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      if (chatQueues.get(queue) === p) chatQueues.delete(queue);
    });
  }

  async function onMessage(event: FeishuMessageEvent): Promise<void> {
    const message = event.message;
    const openId = event.sender?.sender_id?.open_id;
    if (!message?.message_id || !message.chat_id || !openId) return;
    if (event.sender?.sender_type && event.sender.sender_type !== "user") return; // other bots, system
    const privateChat = message.chat_type === "p2p";
    const chatKey = chatKeyOf(message.chat_id);
    const userKey = userKeyOf(openId);
    if (!isAllowed(chatKey, userKey, privateChat)) {
      log.info({ chatKey, userKey }, "feishu: chat not in ALLOWED_CHATS, ignored");
      return;
    }
    // In groups only what @mentions the bot (a file cannot, so files are for private chats).
    if (!privateChat && !mentionsBot(message.mentions, await botOpenId())) return;

    const ctx: FeishuTextContext = { ...askContext(chatKey, userKey), chatType: privateChat ? "p2p" : "group" };
    const raw = messageText(message);
    let answer: Answer;
    if (raw !== null) {
      const text = stripMentions(raw) || "帮助";
      log.info({ chatKey, userKey, text }, "feishu: question");
      answer = await answerFor(text, ctx);
    } else if (message.message_type === "file") {
      log.info({ chatKey, userKey }, "feishu: file");
      answer = await answerFile(message, ctx);
    } else {
      answer = plainAnswer(TEXT_ONLY);
    }
    await api.replyCard(message.message_id, render(answer));
  }

  async function onCardAction(event: FeishuCardActionEvent): Promise<void> {
    const command = buttonCommand(event.action?.value);
    const messageId = event.context?.open_message_id;
    const chatId = event.context?.open_chat_id;
    const openId = event.operator?.open_id;
    if (!command || !messageId || !chatId || !openId) return;
    const chatKey = chatKeyOf(chatId);
    const userKey = userKeyOf(openId);
    if (!isAllowed(chatKey, userKey, true)) return;
    log.info({ chatKey, userKey, command }, "feishu: button");
    // The chat type is not in the callback; buttons act as the engine's own follow-ups.
    const answer = await answerFor(command, { ...askContext(chatKey, userKey), chatType: "group" });
    await api.patchCard(messageId, render(answer));
  }

  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error, logger: larkLogger(log) }).register({
    "im.message.receive_v1": (data: unknown) => {
      const event = data as FeishuMessageEvent;
      accept("message", event, event.message?.chat_id, () => onMessage(event));
    },
    "card.action.trigger": (data: unknown) => {
      const event = data as FeishuCardActionEvent;
      accept("card", event, event.context?.open_chat_id, () => onCardAction(event));
      return {}; // the card is updated through im.message.patch
    },
  } as Record<string, (data: unknown) => unknown>);

  const webhookRoute =
    opts.mode === "webhook"
      ? {
          method: "POST" as const,
          path: "/feishu/events" as const,
          handler: createFeishuWebhookHandler({
            verificationToken: opts.verificationToken,
            encryptKey: opts.encryptKey,
            log,
            onEvent: (body) => {
              dispatcher
                .invoke(body, { needCheck: false })
                .catch((err: unknown) => log.error({ err: String(err) }, "feishu: dispatch failed"));
            },
          }),
        }
      : undefined;

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    webhookRoute,
    idle,
    async start() {
      stopped = false;
      if (opts.mode !== "ws") {
        log.info("feishu adapter: webhook mode, events on POST /feishu/events");
        return;
      }
      // The SDK would log and silently do nothing for such an id.
      if (!APP_ID_PATTERN.test(opts.appId)) {
        throw new Error(`FEISHU_APP_ID must look like cli_ followed by 16 hex digits for the long connection`);
      }
      wsClient = new lark.WSClient({
        appId: opts.appId,
        appSecret: opts.appSecret,
        domain,
        loggerLevel: lark.LoggerLevel.error,
        logger: larkLogger(log),
        autoReconnect: true,
        onError: (err) => log.error({ err: String(err) }, "feishu: long connection failed"),
      });
      await wsClient.start({ eventDispatcher: dispatcher });
      log.info("feishu adapter: long connection started");
    },
    async stop() {
      stopped = true;
      wsClient?.close({ force: true });
      wsClient = null;
      await idle();
    },
    async sendNotice(chatKey, answer) {
      const chatId = chatIdOf(chatKey);
      if (!chatId) throw new Error(`not a Feishu chat key: ${chatKey}`);
      return api.sendCard(chatId, render(answer));
    },
  };
}

export { FeishuApiError, FileTooLargeError } from "./feishu-client.ts";
