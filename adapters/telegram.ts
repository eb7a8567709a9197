// Telegram adapter (telegraf 4.16): Telegram update → question → query engine → rendered answer → message.
// Long polling by default, webhook mode (a route on the one HTTP server) when a webhook URL is set.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Telegraf } from "telegraf";
import { TelegramError } from "telegraf";
import type { CallbackQuery, InlineQuery, InlineQueryResult, Message, Update, UserFromGetMe } from "telegraf/types";
import type { Answer, AnswerProject } from "../src/domain.ts";
import { readBody, type RouteHandler } from "./http-route.ts";
import type { Logger } from "../src/log.ts";
import { formatAmount } from "../src/money.ts";
import type { AskContext, QueryEngine } from "../src/query/types.ts";
import { inlineBudgetAnswer, inlineSearch } from "./telegram-inline.ts";
import { chatIdFromKey, chatKeyOf, inlineChatKeyOf, interpretMessage, userKeyOf, type Incoming } from "./telegram-message.ts";
import { KeyedQueue } from "./telegram-queue.ts";
import type { RetryOptions } from "./telegram-retry.ts";
import { CallbackStore, TelegramSender } from "./telegram-send.ts";
import {
  ENGINE_COMMANDS,
  EXAMPLE_PREFIX,
  MENU_COMMANDS,
  TEXT,
  groupGreetingHtml,
  helpHtml,
  helpKeyboard,
  type CommandSpec,
} from "./telegram-texts.ts";

/** A slash command handled outside the query engine (e.g. /subscribe from the alerts module). */
export interface ExtraCommand extends CommandSpec {
  handle(args: string, ctx: AskContext): Promise<Answer>;
}

/** A file sent to the bot in a chat. */
export interface IncomingFile {
  fileId: string;
  fileName: string | null;
  mimeType: string | null;
  size: number | null;
  /** Downloads through the Bot API; refuses files over `maxBytes`. */
  download(maxBytes: number): Promise<Buffer>;
}

export interface TelegramAdapterOptions {
  token: string;
  /** Bot API base URL; a path (self-hosted server, test double) is kept. */
  apiRoot: string;
  /** Webhook mode when set; long polling otherwise. */
  webhookUrl?: string;
  /** Checked against X-Telegram-Bot-Api-Secret-Token; derived from the token when unset. */
  webhookSecret?: string;
  /** Route path on the HTTP server; defaults to the webhook URL's path. */
  webhookPath?: string;
  engine: QueryEngine;
  /** Entries like "telegram:123" (other platforms' entries are ignored). */
  adminIds: string[];
  /** Entries like "telegram:-100123"; empty: every chat. */
  allowedChats: string[];
  log: Logger;
  /** Extra commands, added to the menu. */
  commands?: ExtraCommand[];
  /** Documents sent in private chats (or captioned with a mention in groups). */
  onDocument?: (file: IncomingFile, ctx: AskContext) => Promise<Answer>;
  /** Polling cannot go on (409: another poller; 401: bad token). Default: log and exit(1). */
  onFatal?: (err: Error) => void;
  /** Show "typing…" when an answer takes longer than this. */
  typingDelayMs?: number;
  retry?: RetryOptions;
  /** Results per inline query (Telegram allows 50). */
  inlineLimit?: number;
}

export interface TelegramAdapter {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Present in webhook mode: mount as "POST <path>" on the HTTP server. */
  webhookRoute?: { path: string; handler: RouteHandler };
  /** Sends an answer to a chat ("telegram:<chat id>"), e.g. an alert. Throws when delivery fails. */
  sendNotice(chatKey: string, answer: Answer): Promise<void>;
  /** Known after start(). */
  readonly botUsername: string | undefined;
}

const ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"] as const;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** telegraf resolves method URLs relative to apiRoot: without a trailing '/', its last path segment is lost. */
export function normalizeApiRoot(apiRoot: string): string {
  return apiRoot.endsWith("/") ? apiRoot : `${apiRoot}/`;
}

function webhookSecretFor(token: string, given: string | undefined): string {
  const secret = given ?? createHash("sha256").update(`budget-bot:${token}`).digest("hex");
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw new Error("invalid setting TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -");
  }
  return secret;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const isGroupChat = (type: string): boolean => type === "group" || type === "supergroup";

export function createTelegramAdapter(opts: TelegramAdapterOptions): TelegramAdapter {
  const { engine, log } = opts;
  const bot = new Telegraf(opts.token, {
    // webhookReply off: answers are always real API calls, never written into a webhook response.
    telegram: { apiRoot: normalizeApiRoot(opts.apiRoot), webhookReply: false },
  });
  const callbacks = new CallbackStore();
  const sender = new TelegramSender(bot.telegram, callbacks, log, opts.retry);
  const extraCommands = new Map((opts.commands ?? []).map((c) => [c.command.toLowerCase(), c]));
  const engineCommands = new Set(ENGINE_COMMANDS.map((c) => c.command));
  const admins = new Set(opts.adminIds.map((id) => (id.includes(":") ? id : `telegram:${id}`)));
  const allowed = new Set(opts.allowedChats.map((id) => (id.includes(":") ? id : `telegram:${id}`)));
  const typingDelayMs = opts.typingDelayMs ?? 300;
  const onFatal =
    opts.onFatal ??
    ((err: Error) => {
      log.fatal({ err }, err.message);
      process.exit(1);
    });

  let me: UserFromGetMe | undefined;
  let ready = false;
  let launch: Promise<void> | undefined;

  const isAllowed = (chatKey: string): boolean => allowed.size === 0 || allowed.has(chatKey);
  const askContext = (chatKey: string, userId: number | undefined): AskContext => ({
    chatKey,
    ...(userId !== undefined ? { userKey: userKeyOf(userId), isAdmin: admins.has(userKeyOf(userId)) } : {}),
  });

  // ---- work queue: every chat in its own lane; errors are logged and apologised for ----

  const queue = new KeyedQueue((err, key) => log.error({ err, chatKey: key }, "telegram task failed"));

  /** Runs `task` in the chat's lane; on failure logs with context and tells the user, briefly, in Chinese. */
  function inLane(chatKey: string, context: Record<string, unknown>, apologyChat: number | null, task: () => Promise<void>): void {
    queue.push(chatKey, async () => {
      try {
        await task();
      } catch (err) {
        log.error({ err, chatKey, ...context }, "telegram update handling failed");
        if (apologyChat !== null) {
          await sender.sendHtml(apologyChat, TEXT.apology).catch((e: unknown) => log.warn({ err: e, chatKey }, "apology not delivered"));
        }
      }
    });
  }

  /** Shows "typing…" while `work` runs longer than typingDelayMs (Telegram shows it ~5 s per call). */
  async function withTyping<T>(chatId: number | null, work: () => Promise<T>): Promise<T> {
    if (chatId === null) return work();
    const typing = (): void => {
      bot.telegram.sendChatAction(chatId, "typing").catch((err: unknown) => log.debug({ err, chatId }, "sendChatAction failed"));
    };
    let repeat: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      typing();
      repeat = setInterval(typing, 4500);
    }, typingDelayMs);
    try {
      return await work();
    } finally {
      clearTimeout(first);
      clearInterval(repeat);
    }
  }

  async function answerQuestion(message: Message, question: string): Promise<void> {
    const chatKey = chatKeyOf(message.chat.id);
    const answer = await withTyping(message.chat.id, () => engine.ask(question, askContext(chatKey, message.from?.id)));
    await sender.sendAnswer(message.chat.id, answer, isGroupChat(message.chat.type) ? { replyTo: message.message_id } : {});
  }

  async function sendHelp(chatId: number, group: boolean, replyTo?: number): Promise<void> {
    await sender.sendHtml(chatId, helpHtml(me?.username ?? "", group), { markup: { inline_keyboard: helpKeyboard() }, replyTo });
  }

  /** What to do with a message addressed to the bot. */
  async function handleIncoming(message: Message, incoming: Incoming): Promise<void> {
    const chatId = message.chat.id;
    const group = isGroupChat(message.chat.type);
    const replyTo = group ? message.message_id : undefined;
    if (incoming.kind === "text") {
      if (incoming.text === "") return sendHelp(chatId, group, replyTo);
      return answerQuestion(message, incoming.text);
    }
    const { name, args } = incoming;
    if (name === "start" || name === "help") return sendHelp(chatId, group, replyTo);
    if (name === "ask") {
      if (args === "") return void (await sender.sendHtml(chatId, TEXT.askNeedsQuestion, { replyTo }));
      return answerQuestion(message, args);
    }
    const extra = extraCommands.get(name);
    if (extra) {
      const ctx = askContext(chatKeyOf(chatId), message.from?.id);
      const answer = await withTyping(chatId, () => extra.handle(args, ctx));
      return sender.sendAnswer(chatId, answer, { replyTo });
    }
    // Known engine commands everywhere; unknown ones only where they cannot be meant for another bot.
    if (engineCommands.has(name) || !group || incoming.explicit) {
      return answerQuestion(message, `/${name} ${args}`.trim());
    }
  }

  function fileOf(message: Message): IncomingFile | null {
    if (!("document" in message)) return null;
    const doc = message.document;
    return {
      fileId: doc.file_id,
      fileName: doc.file_name ?? null,
      mimeType: doc.mime_type ?? null,
      size: doc.file_size ?? null,
      async download(maxBytes: number): Promise<Buffer> {
        if (doc.file_size !== undefined && doc.file_size > maxBytes) throw new Error(`file over ${maxBytes} bytes`);
        const url = await bot.telegram.getFileLink(doc.file_id);
        // A self-hosted Bot API server in --local mode hands out absolute paths on its own disk.
        const data =
          url.protocol === "file:"
            ? await readFile(url.pathname)
            : await fetch(url).then(async (res) => {
                if (!res.ok) throw new Error(`file download failed: HTTP ${res.status}`);
                return Buffer.from(await res.arrayBuffer());
              });
        if (data.length > maxBytes) throw new Error(`file over ${maxBytes} bytes`);
        return data;
      },
    };
  }

  function onMessage(update: Update, message: Message): void {
    // handleUpdate sets botInfo before any handler runs.
    const self = me ?? bot.botInfo;
    if (!self) return;
    const chatKey = chatKeyOf(message.chat.id);
    const group = isGroupChat(message.chat.type);
    const file = fileOf(message);
    const caption = "caption" in message ? (message.caption ?? "") : "";
    const addressedFile = file && (!group || caption.toLowerCase().includes(`@${self.username.toLowerCase()}`));
    const incoming = interpretMessage(message, { id: self.id, username: self.username });
    if (!incoming && !addressedFile) {
      if (message.chat.type === "private" && !("text" in message)) {
        if (isAllowed(chatKey)) inLane(chatKey, { updateId: update.update_id }, message.chat.id, () => sender.sendHtml(message.chat.id, TEXT.onlyText).then(() => {}));
      }
      return;
    }
    if (!isAllowed(chatKey)) {
      log.info({ chatKey }, "telegram message from a chat not in ALLOWED_CHATS ignored");
      if (message.chat.type === "private") inLane(chatKey, {}, null, () => sender.sendHtml(message.chat.id, TEXT.notAllowed).then(() => {}));
      return;
    }
    const context = { updateId: update.update_id, kind: incoming?.kind ?? "document", fromId: message.from?.id };
    inLane(chatKey, context, message.chat.id, async () => {
      if (incoming) return handleIncoming(message, incoming);
      if (!file) return;
      if (!opts.onDocument) return void (await sender.sendHtml(message.chat.id, TEXT.onlyText));
      const answer = await withTyping(message.chat.id, () => opts.onDocument!(file, askContext(chatKey, message.from?.id)));
      await sender.sendAnswer(message.chat.id, answer, group ? { replyTo: message.message_id } : {});
    });
  }

  function onCallback(update: Update, cq: CallbackQuery): void {
    const data = "data" in cq ? cq.data : "";
    const message = cq.message;
    const chatId = message?.chat.id ?? null;
    // Messages posted through inline mode have no chat: the user's own key decides.
    const userChatKey = chatKeyOf(cq.from.id);
    const chatKey = chatId !== null ? chatKeyOf(chatId) : inlineChatKeyOf(cq.from.id);
    const allowedHere = isAllowed(chatId !== null ? chatKey : userChatKey);
    const command = callbacks.commandFor(data);
    const toast = !allowedHere ? TEXT.notAllowed : command === null ? TEXT.buttonExpired : undefined;
    // Always answer the callback at once, so the button stops spinning even if the work fails.
    bot.telegram
      .answerCbQuery(cq.id, toast)
      .catch((err: unknown) => log.warn({ err, updateId: update.update_id }, "answerCallbackQuery failed"));
    if (!allowedHere || command === null || command === "") return;

    inLane(chatKey, { updateId: update.update_id, kind: "callback", data }, chatId, async () => {
      const ctx = askContext(chatKey, cq.from.id);
      if (command.startsWith(EXAMPLE_PREFIX)) {
        // A help example: answer below the help message instead of replacing it.
        const answer = await withTyping(chatId, () => engine.ask(command.slice(EXAMPLE_PREFIX.length), ctx));
        if (chatId !== null) await sender.sendAnswer(chatId, answer);
        return;
      }
      const answer = await withTyping(chatId, () => engine.ask(command, ctx));
      if (message) await sender.editAnswer({ chatId: message.chat.id, messageId: message.message_id }, answer);
      else if (cq.inline_message_id) await sender.editAnswer({ inlineMessageId: cq.inline_message_id }, answer);
    });
  }

  function onInlineQuery(update: Update, iq: InlineQuery): void {
    const userChatKey = chatKeyOf(iq.from.id);
    const inlineKey = inlineChatKeyOf(iq.from.id);
    inLane(inlineKey, { updateId: update.update_id, kind: "inline_query" }, null, async () => {
      if (!isAllowed(userChatKey)) {
        await bot.telegram.answerInlineQuery(iq.id, [], { cache_time: 60, is_personal: true });
        return;
      }
      const query = iq.query.trim();
      if (query === "") {
        await bot.telegram.answerInlineQuery(iq.id, [], {
          cache_time: 60,
          button: { text: TEXT.inlineHint, start_parameter: "help" },
        });
        return;
      }
      const ctx = askContext(inlineKey, iq.from.id);
      const projects = await inlineSearch(engine, query, ctx, opts.inlineLimit ?? 10);
      const results: InlineQueryResult[] = [];
      for (const [i, project] of projects.entries()) {
        const card = await inlineBudgetAnswer(engine, project, ctx);
        const { parts, markup } = sender.render(card);
        results.push({
          type: "article",
          id: String(project.id ?? `r${i}`),
          title: project.name,
          description: describe(project),
          input_message_content: {
            message_text: parts[0] ?? project.name,
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
          },
          ...(markup ? { reply_markup: markup } : {}),
        });
      }
      await bot.telegram.answerInlineQuery(iq.id, results, {
        cache_time: 30,
        ...(results.length === 0 ? { button: { text: TEXT.inlineNone, start_parameter: "help" } } : {}),
      });
    });
  }

  function onMyChatMember(update: Update, change: Update.MyChatMemberUpdate["my_chat_member"]): void {
    const joined =
      ["left", "kicked"].includes(change.old_chat_member.status) && ["member", "administrator"].includes(change.new_chat_member.status);
    if (!joined || !isGroupChat(change.chat.type)) return;
    const chatKey = chatKeyOf(change.chat.id);
    inLane(chatKey, { updateId: update.update_id, kind: "my_chat_member" }, null, async () => {
      const html = isAllowed(chatKey) ? groupGreetingHtml(me?.username ?? "") : TEXT.notAllowedGroup;
      await sender.sendHtml(change.chat.id, html);
    });
  }

  // Handlers return at once: the work runs in per-chat lanes, so one slow chat does not hold up
  // the poller (telegraf awaits every update of a batch before fetching the next one).
  bot.use((ctx) => {
    const update = ctx.update;
    if ("message" in update) onMessage(update, update.message);
    else if ("callback_query" in update) onCallback(update, update.callback_query);
    else if ("inline_query" in update) onInlineQuery(update, update.inline_query);
    else if ("my_chat_member" in update) onMyChatMember(update, update.my_chat_member);
  });
  // Without this, one handler error would stop polling for everyone.
  bot.catch((err, ctx) => log.error({ err, updateId: ctx.update.update_id }, "telegram update failed"));

  async function setCommands(): Promise<void> {
    const menu = [...MENU_COMMANDS, ...(opts.commands ?? []).map(({ command, description }) => ({ command, description }))];
    await bot.telegram.setMyCommands(menu).catch((err: unknown) => log.warn({ err }, "setMyCommands failed"));
  }

  // ---- webhook mode ----

  const webhookSecret = opts.webhookUrl ? webhookSecretFor(opts.token, opts.webhookSecret) : undefined;
  const webhookRoute = opts.webhookUrl
    ? {
        path: opts.webhookPath ?? (new URL(opts.webhookUrl).pathname || "/"),
        handler: async (req: Parameters<RouteHandler>[0], res: Parameters<RouteHandler>[1]): Promise<void> => {
          const given = req.headers[SECRET_HEADER];
          if (typeof given !== "string" || given === "") {
            res.writeHead(401).end();
            return;
          }
          if (!sameSecret(given, webhookSecret!)) {
            log.warn({ remote: req.socket.remoteAddress }, "telegram webhook request with a wrong secret refused");
            res.writeHead(403).end();
            return;
          }
          if (!ready) {
            res.writeHead(503).end();
            return;
          }
          let update: Update;
          try {
            update = JSON.parse((await readBody(req)).toString("utf8")) as Update;
          } catch {
            res.writeHead(400).end();
            return;
          }
          await bot.handleUpdate(update);
          res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        },
      }
    : undefined;

  function explainFatal(err: unknown): Error {
    if (err instanceof TelegramError && err.code === 409) {
      return new Error(
        "Telegram long polling stopped: 409 Conflict — another process is polling with this bot token " +
          "(or a webhook is set). Stop the other instance, or use one process with TELEGRAM_WEBHOOK_URL.",
      );
    }
    if (err instanceof TelegramError && err.code === 401) return new Error("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)");
    return err instanceof Error ? err : new Error(String(err));
  }

  return {
    webhookRoute,
    get botUsername() {
      return me?.username;
    },

    async start() {
      if (webhookRoute) {
        const info = await bot.telegram.getMe().catch((err: unknown) => Promise.reject(explainFatal(err)));
        me = bot.botInfo = info;
        await setCommands();
        await bot.telegram.setWebhook(opts.webhookUrl!, { secret_token: webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
        ready = true;
        log.info({ bot: info.username, path: webhookRoute.path }, "telegram webhook set");
        return;
      }
      // `await bot.launch()` would only resolve when polling ends: readiness comes from its callback.
      await new Promise<void>((resolve, reject) => {
        let launched = false;
        launch = bot
          .launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => {
            launched = true;
            resolve();
          })
          .then(() => log.info("telegram polling stopped"))
          .catch((err: unknown) => {
            ready = false;
            const fatal = explainFatal(err);
            if (launched) onFatal(fatal);
            else reject(fatal);
          });
      });
      me = bot.botInfo;
      ready = true;
      await setCommands();
      log.info({ bot: me?.username }, "telegram long polling started");
    },

    async stop() {
      ready = false;
      if (launch) {
        // bot.stop() throws when polling never got going (e.g. stopped right after getMe, or after a 409).
        try {
          bot.stop("shutdown");
        } catch (err) {
          log.debug({ err }, "bot.stop: polling was not running");
        }
        await Promise.race([launch, new Promise((r) => setTimeout(r, 5000).unref())]);
        launch = undefined;
      }
      await queue.drain();
    },

    async sendNotice(chatKey: string, answer: Answer) {
      const chatId = chatIdFromKey(chatKey);
      if (chatId === null) throw new Error(`not a Telegram chat key: ${chatKey}`);
      if (!isAllowed(chatKeyOf(chatId))) {
        log.warn({ chatKey }, "notice to a chat not in ALLOWED_CHATS dropped");
        return;
      }
      await sender.sendAnswer(chatId, answer);
    },
  };
}

/** Inline result description: "department · total 万元". */
function describe(p: AnswerProject): string {
  return [p.department ?? p.unit, `${formatAmount(p.total)} 万元`].filter(Boolean).join(" · ");
}
