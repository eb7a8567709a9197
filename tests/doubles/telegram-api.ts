// A test double of the Telegram Bot API on 127.0.0.1: the methods the adapter uses, with the
// validation the real server applies where it matters (HTML entities, 4096 characters, 64-byte
// callback_data, 409 for a second poller), a queue of updates served by getUpdates, a record of
// every call, and injected failures (429 with retry_after, 403 for a blocked chat).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = Record<string, any>;

export interface ApiCall {
  method: string;
  body: Json;
  at: number;
}

interface StoredMessage {
  chat_id: number;
  message_id: number;
  text: string;
  html: string;
  reply_markup?: Json;
}

interface Failure {
  remaining: number;
  error: { error_code: number; description: string; parameters?: Json };
}

const ALLOWED_TAGS = new Set([
  "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
]);

/** Parses Telegram HTML as the Bot API does (roughly): returns the plain text or an error message. */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = "";
  const re = /<(\/?)([a-zA-Z-]*)([^>]*)>|&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);|[<>&]/g;
  let last = 0;
  for (const m of html.matchAll(re)) {
    text += html.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[0] === "<" || m[0] === ">" || m[0] === "&") {
      if (m[0] === ">") text += ">";
      else return { error: `can't parse entities: unexpected "${m[0]}" at byte offset ${m.index}` };
    } else if (m[4] !== undefined) {
      const e = m[4];
      const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
      if (e.startsWith("#x")) text += String.fromCodePoint(parseInt(e.slice(2), 16));
      else if (e.startsWith("#")) text += String.fromCodePoint(Number(e.slice(1)));
      else if (named[e]) text += named[e];
      else return { error: `can't parse entities: unsupported entity "&${e};"` };
    } else {
      const name = m[2]!.toLowerCase();
      if (!ALLOWED_TAGS.has(name)) return { error: `can't parse entities: unsupported start tag "${name}"` };
      if (m[1]) {
        if (stack.pop() !== name) return { error: `can't parse entities: unmatched end tag "${name}"` };
      } else stack.push(name);
    }
  }
  text += html.slice(last);
  if (stack.length) return { error: `can't parse entities: unclosed start tag "${stack.at(-1)}"` };
  return { text };
}

/** Entities Telegram attaches to a typed text: a leading bot command and @mentions. */
export function entitiesOf(text: string): Json[] {
  const entities: Json[] = [];
  const cmd = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  if (cmd) entities.push({ type: "bot_command", offset: 0, length: cmd[0].length });
  for (const m of text.matchAll(/(^|[^A-Za-z0-9_/])(@[A-Za-z0-9_]{5,32})/g)) {
    entities.push({ type: "mention", offset: m.index! + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}

export class TelegramApiDouble {
  readonly token = "123456789:AAtest-double-token_x";
  readonly botUser = {
    id: 123456789,
    is_bot: true,
    first_name: "预算助手",
    username: "budget_test_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: true,
  };
  /** The API lives under this path, so a client that drops the path of apiRoot fails. */
  readonly prefix = "/tg-double";
  readonly calls: ApiCall[] = [];
  /** Every update queued, in order. */
  readonly pushed: Json[] = [];
  webhook: Json | null = null;
  /** getUpdates answers 409 Conflict (another poller). */
  conflict = false;
  /** How long an empty getUpdates waits for an update (a short long poll). */
  pollWaitMs = 400;

  private server: Server | undefined;
  private updates: Json[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private readonly waiters = new Set<() => void>();
  private activePoll: (() => void) | undefined;
  private readonly callWaiters = new Set<() => void>();
  private readonly failures = new Map<string, Failure>();
  private readonly blockedChats = new Set<number>();
  private readonly chats = new Map<number, Json>();
  readonly messages = new Map<string, StoredMessage>();
  private readonly files = new Map<string, { path: string; data: Buffer }>();

  /** Starts on an ephemeral port; returns apiRoot WITHOUT a trailing slash (the telegraf trap). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this.apiRoot;
  }

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.prefix}`;
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- scripting ----

  /** Queues an update for getUpdates; returns its update_id. */
  pushUpdate(update: Json): number {
    const update_id = this.nextUpdateId++;
    for (const key of ["message", "callback_query", "my_chat_member"]) {
      const chat = update[key]?.chat ?? update[key]?.message?.chat;
      if (chat) this.chats.set(chat.id, chat);
    }
    this.updates.push({ update_id, ...update });
    this.pushed.push({ update_id, ...update });
    for (const wake of this.waiters) wake();
    return update_id;
  }

  /** The update object only (for webhook delivery); not queued. */
  makeUpdate(update: Json): Json {
    const update_id = this.nextUpdateId++;
    return { update_id, ...update };
  }

  textMessage(chat: Json, text: string, opts: { from?: Json; replyTo?: Json } = {}): Json {
    this.chats.set(chat.id, chat);
    return {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: opts.from ?? { id: chat.type === "private" ? chat.id : 777, is_bot: false, first_name: "张三" },
      text,
      ...(entitiesOf(text).length ? { entities: entitiesOf(text) } : {}),
      ...(opts.replyTo ? { reply_to_message: opts.replyTo } : {}),
    };
  }

  /** A private text from user `userId` (its chat id is the user id). */
  privateText(text: string, userId = 42): number {
    return this.pushUpdate({ message: this.textMessage({ id: userId, type: "private", first_name: "张三" }, text) });
  }

  groupText(text: string, opts: { chatId?: number; fromId?: number; replyTo?: Json } = {}): number {
    const chat = { id: opts.chatId ?? -1001234567890, type: "supergroup", title: "预算工作群" };
    return this.pushUpdate({
      message: this.textMessage(chat, text, { from: { id: opts.fromId ?? 777, is_bot: false, first_name: "李四" }, replyTo: opts.replyTo }),
    });
  }

  /** A press on a button of a message the bot sent. */
  pressButton(message: StoredMessage, data: string, fromId = 42): number {
    const chat = this.chats.get(message.chat_id) ?? { id: message.chat_id, type: "private" };
    return this.pushUpdate({
      callback_query: {
        id: `cq${this.nextUpdateId}`,
        from: { id: fromId, is_bot: false, first_name: "张三" },
        chat_instance: "ci1",
        data,
        message: { message_id: message.message_id, date: 0, chat, from: this.botUser, text: message.text },
      },
    });
  }

  inlineQuery(query: string, fromId = 42): number {
    return this.pushUpdate({
      inline_query: { id: `iq${this.nextUpdateId}`, from: { id: fromId, is_bot: false, first_name: "张三" }, query, offset: "" },
    });
  }

  botAddedToGroup(chatId = -1001234567890, byId = 777): number {
    return this.pushUpdate({
      my_chat_member: {
        chat: { id: chatId, type: "supergroup", title: "预算工作群" },
        from: { id: byId, is_bot: false, first_name: "李四" },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: "left", user: this.botUser },
        new_chat_member: { status: "member", user: this.botUser },
      },
    });
  }

  /** The next `times` calls of `method` fail with this error (e.g. 429 with retry_after). */
  failNext(method: string, times: number, error: Failure["error"]): void {
    this.failures.set(method, { remaining: times, error });
  }

  fail429(method: string, times: number, retryAfter: number): void {
    this.failNext(method, times, {
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    });
  }

  /** sendMessage to this chat fails with 403 (the user blocked the bot). */
  blockChat(chatId: number): void {
    this.blockedChats.add(chatId);
  }

  addFile(fileId: string, data: Buffer, path = `documents/${fileId}.txt`): void {
    this.files.set(fileId, { path, data });
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits for a call of `method` (after `since` calls in all) matching `pred`. */
  async waitForCall(method: string, pred: (body: Json) => boolean = () => true, timeoutMs = 5000, since = 0): Promise<ApiCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.calls.slice(since).find((c) => c.method === method && pred(c.body));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.calls.map((c) => c.method).join(", ");
        throw new Error(`no ${method} call within ${timeoutMs} ms; calls so far: ${seen}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.callWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.callWaiters.add(wake);
      });
    }
  }

  /** True when every queued update has been fetched (confirmed or in flight). */
  get pendingUpdates(): number {
    return this.updates.length;
  }

  // ---- HTTP ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, payload: Json): void => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    };
    const fileMatch = new RegExp(`^${this.prefix}/file/bot([^/]+)/(.+)$`).exec(url.pathname);
    if (req.method === "GET" && fileMatch) {
      const file = [...this.files.values()].find((f) => f.path === decodeURIComponent(fileMatch[2]!));
      if (fileMatch[1] !== this.token || !file) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.data);
    }
    const m = new RegExp(`^${this.prefix}/bot([^/]+)/([A-Za-z]+)$`).exec(url.pathname);
    if (!m) return send(404, { ok: false, error_code: 404, description: "Not Found" });
    if (m[1] !== this.token) return send(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body: Json = raw ? JSON.parse(raw) : Object.fromEntries(url.searchParams);
    const method = m[2]!;
    this.calls.push({ method, body, at: Date.now() });
    for (const wake of [...this.callWaiters]) wake();

    const failure = this.failures.get(method);
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      return send(failure.error.error_code, { ok: false, ...failure.error });
    }
    try {
      const result = await this.handle(method, body, res);
      send(200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) send(err.code, { ok: false, error_code: err.code, description: err.message });
      else send(500, { ok: false, error_code: 500, description: String(err) });
    }
  }

  private checkMarkup(markup: Json | undefined): void {
    for (const row of markup?.inline_keyboard ?? []) {
      for (const b of row) {
        if (b.callback_data !== undefined && (Buffer.byteLength(b.callback_data) > 64 || b.callback_data === "")) {
          throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
        }
      }
    }
  }

  private checkText(html: string, parseMode: string | undefined): string {
    let text = html;
    if (parseMode === "HTML") {
      const parsed = parseTelegramHtml(html);
      if ("error" in parsed) throw new ApiError(400, `Bad Request: ${parsed.error}`);
      text = parsed.text;
    }
    if (text.trim() === "") throw new ApiError(400, "Bad Request: message text is empty");
    if ([...text].length > 4096) throw new ApiError(400, "Bad Request: message is too long");
    return text;
  }

  private async handle(method: string, body: Json, res: ServerResponse): Promise<unknown> {
    switch (method) {
      case "getMe":
        return this.botUser;
      case "deleteWebhook":
        this.webhook = null;
        return true;
      case "setWebhook":
        this.webhook = { ...body };
        return true;
      case "getWebhookInfo":
        return { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.updates.length };
      case "getUpdates":
        return this.getUpdates(body, res);
      case "setMyCommands":
        for (const c of body.commands ?? []) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command) || !c.description || c.description.length > 256) {
            throw new ApiError(400, "Bad Request: BOT_COMMAND_INVALID");
          }
        }
        return true;
      case "sendChatAction":
      case "answerCallbackQuery":
        return true;
      case "answerInlineQuery":
        for (const r of body.results ?? []) {
          if (Buffer.byteLength(String(r.id)) > 64) throw new ApiError(400, "Bad Request: RESULT_ID_INVALID");
          this.checkText(r.input_message_content.message_text, r.input_message_content.parse_mode);
          this.checkMarkup(r.reply_markup);
        }
        return true;
      case "sendMessage": {
        const chatId = Number(body.chat_id);
        if (this.blockedChats.has(chatId)) throw new ApiError(403, "Forbidden: bot was blocked by the user");
        const text = this.checkText(body.text, body.parse_mode);
        this.checkMarkup(body.reply_markup);
        const message_id = this.nextMessageId++;
        const stored: StoredMessage = { chat_id: chatId, message_id, text, html: body.text, reply_markup: body.reply_markup };
        this.messages.set(`${chatId}:${message_id}`, stored);
        return {
          message_id,
          date: Math.floor(Date.now() / 1000),
          chat: this.chats.get(chatId) ?? { id: chatId, type: chatId > 0 ? "private" : "supergroup" },
          from: this.botUser,
          text,
          ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
        };
      }
      case "editMessageText": {
        const text = this.checkText(body.text, body.parse_mode);
        this.checkMarkup(body.reply_markup);
        if (body.inline_message_id) return true;
        const key = `${Number(body.chat_id)}:${Number(body.message_id)}`;
        const old = this.messages.get(key);
        if (!old) throw new ApiError(400, "Bad Request: message to edit not found");
        if (old.html === body.text && JSON.stringify(old.reply_markup) === JSON.stringify(body.reply_markup)) {
          throw new ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same");
        }
        Object.assign(old, { text, html: body.text, reply_markup: body.reply_markup });
        return { message_id: old.message_id, date: 0, chat: this.chats.get(old.chat_id) ?? { id: old.chat_id }, text };
      }
      case "getFile": {
        const file = this.files.get(body.file_id);
        if (!file) throw new ApiError(400, "Bad Request: invalid file_id");
        return { file_id: body.file_id, file_unique_id: `u${body.file_id}`, file_size: file.data.length, file_path: file.path };
      }
      default:
        throw new ApiError(404, "Not Found");
    }
  }

  private async getUpdates(body: Json, res: ServerResponse): Promise<Json[]> {
    const conflict = (): ApiError =>
      new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    if (this.conflict) throw conflict();
    if (this.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = Number(body.offset ?? 0);
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    const limit = Number(body.limit ?? 100);
    if (this.updates.length === 0 && Number(body.timeout ?? 0) > 0) {
      // As Telegram does, a new long poll terminates the one still waiting: that poller gets 409.
      this.activePoll?.();
      let terminated = false;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          if (this.activePoll === terminate) this.activePoll = undefined;
          resolve();
        };
        const terminate = (): void => {
          terminated = true;
          wake();
        };
        const timer = setTimeout(wake, this.pollWaitMs);
        this.waiters.add(wake);
        this.activePoll = terminate;
        // The poller aborting (bot.stop) closes the connection.
        res.once("close", wake);
      });
      if (terminated || this.conflict) throw conflict();
    }
    return this.updates.slice(0, limit);
  }
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
