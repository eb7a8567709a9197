// Files sent to the bot in a chat (Telegram document, Feishu file message): admins' files are
// downloaded size-limited and ingested like inbox files (notices included); others are refused.
import { basename } from "node:path";
import type Database from "better-sqlite3";
import type { IngestEvent } from "../index/events.ts";
import type { IngestOptions } from "../index/ingest.ts";
import { dropNotice, enqueueNoticesFor, largestProjects, refusalKey } from "../index/outbox.ts";
import type { Answer } from "./domain.ts";
import type { Logger } from "./log.ts";
import { noticeAnswer } from "./query/notices.ts";
import type { AskContext } from "./query/types.ts";

/** What both adapters hand over (Telegram IncomingFile, Feishu FeishuIncomingFile). */
export interface ChatFile {
  fileName: string | null;
  /** Declared size, when the platform says it. */
  size?: number | null;
  download(maxBytes: number): Promise<Buffer>;
}

export interface ChatFileTarget {
  readonly db: Database.Database;
  ingestBytes(sourceName: string, bytes: Uint8Array, opts?: IngestOptions): IngestEvent;
}

export interface ChatFileOptions {
  catalog: ChatFileTarget;
  /** Default 20 MB (the Telegram Bot API's download limit). */
  maxBytes?: number;
  /** After something was stored or refused: wake the notice sender. */
  onStored?: () => void;
  log?: Logger;
}

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

const reply = (title: string, text: string): Answer => ({ intent: "help", title, text, projects: [], indicators: [] });

/** A safe source name: the file's own name without folders, or a generated one. */
function sourceNameOf(file: ChatFile, now: number): string {
  const name = basename((file.fileName ?? "").replace(/\\/g, "/")).trim();
  return name !== "" && name !== "." && name !== ".." ? name : `chat-upload-${now}.txt`;
}

export function chatFileHandler(opts: ChatFileOptions): (file: ChatFile, ctx: AskContext) => Promise<Answer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const tooLarge = () =>
    reply("文件过大", `文件超过 ${Math.floor(maxBytes / 1024 / 1024) || 1} MB 上限，未入库。请将文件放入收件箱目录，或使用命令行导入。`);

  return async (file, ctx) => {
    if (ctx.isAdmin !== true) {
      return reply("无法入库", "只有管理员可以发送文件入库。如需收录新的预算文件，请联系管理员。");
    }
    if (file.size != null && file.size > maxBytes) return tooLarge();
    let bytes: Buffer;
    try {
      bytes = await file.download(maxBytes);
    } catch (err) {
      const message = err instanceof Error ? `${err.name} ${err.message}` : String(err);
      if (/too ?large|over \d+ bytes/i.test(message)) return tooLarge();
      opts.log?.warn({ err: message, chatKey: ctx.chatKey }, "chat file download failed");
      return reply("下载失败", "文件下载失败，请稍后再发送一次。");
    }
    const db = opts.catalog.db;
    const sourceName = sourceNameOf(file, Date.now());
    // The sender's chat gets the answer below as its notice; other subscribed chats get outbox rows.
    const event = opts.catalog.ingestBytes(sourceName, bytes, {
      onIngested: (tx, e) => dropNotice(tx, ctx.chatKey, `doc:${e.document.id}`),
    });
    if (event.kind === "refused") {
      enqueueNoticesFor(db, event, { eventKey: refusalKey(bytes, sourceName), exceptChat: ctx.chatKey });
    }
    opts.log?.info({ chatKey: ctx.chatKey, userKey: ctx.userKey, file: sourceName, result: event.kind }, "chat file handled");
    opts.onStored?.();
    return event.kind === "ingested" ? noticeAnswer(event, largestProjects(db, event.document.id)) : noticeAnswer(event);
  };
}
