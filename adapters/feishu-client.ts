// The Lark SDK client and the few Open API calls the Feishu adapter makes, each checked for
// `code !== 0` (the SDK resolves HTTP 200 business failures instead of throwing).
import { format } from "node:util";
import * as lark from "@larksuiteoapi/node-sdk";
import type { Logger } from "../src/log.ts";

export type FeishuCardJson = Record<string, unknown>;

export class FeishuApiError extends Error {
  override readonly name = "FeishuApiError";
  constructor(
    readonly operation: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${operation} failed: code=${code ?? "?"} ${message}`);
  }
}

/** FEISHU_DOMAIN as the SDK wants it: no trailing '/', or it builds "//open-apis" URLs. */
export function normalizeDomain(domain: string): string {
  return domain.trim().replace(/\/+$/, "");
}

/** The SDK's logger interface over pino. The SDK's LoggerProxy hands over one array of parts. */
export function larkLogger(log: Logger): lark.Logger {
  const line = (parts: unknown[]): string => format(...parts.flat()).slice(0, 2000);
  return {
    error: (...m: unknown[]) => log.error({ component: "lark-sdk" }, line(m)),
    warn: (...m: unknown[]) => log.warn({ component: "lark-sdk" }, line(m)),
    info: (...m: unknown[]) => log.info({ component: "lark-sdk" }, line(m)),
    debug: (...m: unknown[]) => log.debug({ component: "lark-sdk" }, line(m)),
    trace: (...m: unknown[]) => log.trace({ component: "lark-sdk" }, line(m)),
  };
}

/** A token cache of this client's own: the SDK's default cache is process-wide and keyed by app id only. */
function createTokenCache(): lark.Cache {
  const entries = new Map<string, { value: unknown; expire?: number }>();
  const keyOf = (key: string | symbol, namespace?: string) => `${namespace ?? ""}:${String(key)}`;
  return {
    async set(key, value, expire, options) {
      entries.set(keyOf(key as string | symbol, options?.namespace), { value, expire });
      return true;
    },
    async get(key, options) {
      const k = keyOf(key as string | symbol, options?.namespace);
      const hit = entries.get(k);
      if (!hit) return undefined;
      if (hit.expire !== undefined && hit.expire < Date.now()) {
        entries.delete(k);
        return undefined;
      }
      return hit.value;
    },
  };
}

export interface LarkClientOptions {
  appId: string;
  appSecret: string;
  domain: string;
  log: Logger;
}

export function createLarkClient(opts: LarkClientOptions): lark.Client {
  // Not disableTokenCache: with it set the SDK sends no token at all. LoggerLevel.error is 1; 0 (fatal) is
  // falsy and silently becomes info.
  return new lark.Client({
    appId: opts.appId,
    appSecret: opts.appSecret,
    domain: normalizeDomain(opts.domain),
    appType: lark.AppType.SelfBuild,
    loggerLevel: lark.LoggerLevel.error,
    logger: larkLogger(opts.log),
    cache: createTokenCache(),
  });
}

interface ApiReply {
  code?: number;
  msg?: string;
  data?: { message_id?: string } & Record<string, unknown>;
  bot?: { open_id?: string; app_name?: string };
}

function checked(operation: string, res: ApiReply | undefined): ApiReply {
  if (!res || res.code !== 0) throw new FeishuApiError(operation, res?.code, res?.msg ?? "no response body");
  return res;
}

function messageIdOf(operation: string, res: ApiReply): string {
  const id = res.data?.message_id;
  if (!id) throw new FeishuApiError(operation, res.code, "response without message_id");
  return id;
}

/** Cards sent by this bot are shared (update_multi) so im.message.patch may update them in place. */
export function sharedCard(card: FeishuCardJson): FeishuCardJson {
  const config = (card.config as Record<string, unknown> | undefined) ?? {};
  return { ...card, config: { ...config, update_multi: true } };
}

export interface FeishuMessenger {
  /** Replies to a message with an interactive card; returns the new message id. */
  replyCard(messageId: string, card: FeishuCardJson): Promise<string>;
  /** Sends a card to a chat (oc_…); returns the new message id. */
  sendCard(chatId: string, card: FeishuCardJson): Promise<string>;
  /** Replaces the content of a card this bot sent. */
  patchCard(messageId: string, card: FeishuCardJson): Promise<void>;
  /** The bot's own open_id (GET /open-apis/bot/v3/info), to recognise @mentions of it. */
  botOpenId(): Promise<string>;
  /** Downloads a file sent in a message; refuses files over maxBytes without reading them whole. */
  downloadFile(messageId: string, fileKey: string, maxBytes: number): Promise<Buffer>;
}

export class FileTooLargeError extends Error {
  override readonly name = "FileTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`file over ${maxBytes} bytes`);
  }
}

async function readLimited(stream: NodeJS.ReadableStream & { destroy?: () => void }, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > maxBytes) {
      stream.destroy?.();
      throw new FileTooLargeError(maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function createFeishuMessenger(client: lark.Client): FeishuMessenger {
  return {
    async replyCard(messageId, card) {
      const res = await client.im.message.reply({
        path: { message_id: messageId },
        data: { msg_type: "interactive", content: JSON.stringify(sharedCard(card)) },
      });
      return messageIdOf("im.message.reply", checked("im.message.reply", res as ApiReply));
    },
    async sendCard(chatId, card) {
      const res = await client.im.message.create({
        params: { receive_id_type: "chat_id" },
        data: { receive_id: chatId, msg_type: "interactive", content: JSON.stringify(sharedCard(card)) },
      });
      return messageIdOf("im.message.create", checked("im.message.create", res as ApiReply));
    },
    async patchCard(messageId, card) {
      const res = await client.im.message.patch({
        path: { message_id: messageId },
        data: { content: JSON.stringify(sharedCard(card)) },
      });
      checked("im.message.patch", res as ApiReply);
    },
    async botOpenId() {
      const res = checked("bot.v3.info", await client.request<ApiReply>({ method: "GET", url: "/open-apis/bot/v3/info" }));
      const openId = res.bot?.open_id;
      if (!openId) throw new FeishuApiError("bot.v3.info", res.code, "response without bot.open_id");
      return openId;
    },
    async downloadFile(messageId, fileKey, maxBytes) {
      const res = await client.im.messageResource.get({
        path: { message_id: messageId, file_key: fileKey },
        params: { type: "file" },
      });
      const headers = (res.headers ?? {}) as Record<string, string | undefined>;
      const length = Number(headers["content-length"]);
      const stream = res.getReadableStream();
      if (Number.isFinite(length) && length > maxBytes) {
        stream.destroy();
        throw new FileTooLargeError(maxBytes);
      }
      const bytes = await readLimited(stream, maxBytes);
      // Failures may come as HTTP 200 with a JSON { code, msg } body instead of the file.
      if (String(headers["content-type"] ?? "").startsWith("application/json")) {
        let reply: ApiReply | undefined;
        try {
          reply = JSON.parse(bytes.toString("utf8")) as ApiReply;
        } catch {
          reply = undefined;
        }
        if (reply && typeof reply.code === "number" && reply.code !== 0) checked("im.messageResource.get", reply);
      }
      return bytes;
    },
  };
}
