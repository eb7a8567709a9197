// Decides whether a Telegram message is addressed to the bot and what it asks. Pure: no I/O.
import type { Message, MessageEntity } from "telegraf/types";

export interface BotIdentity {
  id: number;
  username: string;
}

export type Incoming =
  /** A slash command; `explicit` when written as /cmd@thisbot. */
  | { kind: "command"; name: string; args: string; explicit: boolean }
  /** Free text meant for the bot (private chat, a reply to the bot, a mention). */
  | { kind: "text"; text: string };

const isGroup = (type: string): boolean => type === "group" || type === "supergroup";

function entityText(text: string, e: MessageEntity): string {
  return text.slice(e.offset, e.offset + e.length);
}

/** Removes the entities for which `drop` is true and tidies the space left behind. */
function without(text: string, entities: MessageEntity[], drop: (e: MessageEntity) => boolean): string {
  let out = text;
  for (const e of [...entities].sort((a, b) => b.offset - a.offset)) {
    if (drop(e)) out = out.slice(0, e.offset) + " " + out.slice(e.offset + e.length);
  }
  // "请问 @bot，平安通…" → "请问 平安通…": drop the punctuation that followed the mention.
  return out
    .replace(/\s+[,，:：、]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * What a text message asks of the bot, or null when it is not addressed to it.
 * Private chats: everything. Groups: commands (not those addressed to another bot), replies to the
 * bot's messages, and messages that mention the bot.
 */
export function interpretMessage(msg: Message, bot: BotIdentity): Incoming | null {
  if (!("text" in msg) || typeof msg.text !== "string") return null;
  const text = msg.text;
  const entities = msg.entities ?? [];
  const me = bot.username.toLowerCase();

  const first = entities[0];
  if (first?.type === "bot_command" && first.offset === 0) {
    const [cmd, target] = entityText(text, first).slice(1).split("@");
    if (target !== undefined && target.toLowerCase() !== me) return null;
    return {
      kind: "command",
      name: (cmd ?? "").toLowerCase(),
      args: text.slice(first.length).replace(/\s+/g, " ").trim(),
      explicit: target !== undefined,
    };
  }

  if (!isGroup(msg.chat.type)) return msg.chat.type === "private" ? { kind: "text", text: text.trim() } : null;

  const mentionsMe = (e: MessageEntity): boolean =>
    (e.type === "mention" && entityText(text, e).slice(1).toLowerCase() === me) ||
    (e.type === "text_mention" && e.user.id === bot.id);
  if (entities.some(mentionsMe)) return { kind: "text", text: without(text, entities, mentionsMe) };

  if (msg.reply_to_message?.from?.id === bot.id) return { kind: "text", text: text.trim() };
  return null;
}

/** "telegram:<id>" keys used by the query layer, ADMIN_IDS and ALLOWED_CHATS. */
export const chatKeyOf = (chatId: number | string): string => `telegram:${chatId}`;
export const userKeyOf = (userId: number): string => `telegram:${userId}`;
/** Inline queries and messages posted through inline mode have no chat: a lane of the user's own. */
export const inlineChatKeyOf = (userId: number): string => `telegram:inline:${userId}`;

/** Parses "telegram:-100123" (or a bare id) back into a chat id; null for other platforms. */
export function chatIdFromKey(key: string): number | null {
  const m = /^(?:telegram:)?(-?\d+)$/.exec(key.trim());
  return m ? Number(m[1]) : null;
}

/** UTF-8 length: Telegram limits callback_data to 64 bytes, not characters. */
export const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");
