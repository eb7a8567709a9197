// Feishu event payloads (as the SDK's EventDispatcher hands them over: header and event fields merged
// into one object) and the pure helpers that turn them into questions.

export interface FeishuMention {
  key?: string; // "@_user_1"
  id?: { open_id?: string; user_id?: string; union_id?: string };
  name?: string;
}

export interface FeishuMessageEvent {
  event_id?: string;
  uuid?: string;
  sender?: { sender_id?: { open_id?: string; user_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string; // "p2p" | "group" | "topic_group"
    message_type?: string; // "text" | "post" | "file" | …
    content?: string; // JSON string
    mentions?: FeishuMention[];
  };
}

export interface FeishuCardActionEvent {
  event_id?: string;
  operator?: { open_id?: string; user_id?: string };
  action?: { value?: unknown; tag?: string };
  context?: { open_message_id?: string; open_chat_id?: string };
}

export const chatKeyOf = (chatId: string): string => `feishu:${chatId}`;
export const userKeyOf = (openId: string): string => `feishu:${openId}`;

/** "feishu:oc_x" → "oc_x"; null for another platform's key. */
export function chatIdOf(chatKey: string): string | null {
  return chatKey.startsWith("feishu:") && chatKey.length > "feishu:".length ? chatKey.slice("feishu:".length) : null;
}

/** The id that identifies an event across redeliveries (v2 header.event_id, v1 uuid). */
export function eventIdOf(event: { event_id?: unknown; uuid?: unknown }): string | null {
  const id = event.event_id ?? event.uuid;
  return typeof id === "string" && id !== "" ? id : null;
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The plain text of a text or post (rich text) message; null for other kinds. Mentions stay as @_user_N. */
export function messageText(message: NonNullable<FeishuMessageEvent["message"]>): string | null {
  const content = parseJson(message.content) as Record<string, unknown> | undefined;
  if (!content) return null;
  if (message.message_type === "text") return typeof content.text === "string" ? content.text : null;
  if (message.message_type === "post") {
    // Received posts are { title, content: [[{ tag, text | user_id }]] } (sometimes wrapped in a locale key).
    const post = (Array.isArray(content.content) ? content : Object.values(content)[0]) as
      | { title?: string; content?: unknown }
      | undefined;
    if (!post || !Array.isArray(post.content)) return null;
    const lines = (post.content as unknown[]).map((line) =>
      Array.isArray(line)
        ? line
            .map((el: { tag?: string; text?: string; user_id?: string }) =>
              el.tag === "at" ? (el.user_id ?? "") : (el.text ?? ""),
            )
            .join("")
        : "",
    );
    return [post.title ?? "", ...lines].filter(Boolean).join("\n");
  }
  return null;
}

/** The file of a file message. */
export function fileOf(message: NonNullable<FeishuMessageEvent["message"]>): { fileKey: string; fileName: string | null } | null {
  if (message.message_type !== "file") return null;
  const content = parseJson(message.content) as { file_key?: unknown; file_name?: unknown } | undefined;
  if (typeof content?.file_key !== "string" || content.file_key === "") return null;
  return { fileKey: content.file_key, fileName: typeof content.file_name === "string" ? content.file_name : null };
}

/** Removes the @_user_N / @_all placeholders Feishu puts where mentions were. */
export function stripMentions(text: string): string {
  return text
    .replace(/@_(?:user_\d+|all)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Whether the bot is among the mentions; with its open_id unknown, any mention counts (Feishu only
 *  delivers group messages that @mention the bot unless the app holds the all-group-messages scope). */
export function mentionsBot(mentions: FeishuMention[] | undefined, botOpenId: string | null): boolean {
  if (!mentions?.length) return false;
  if (!botOpenId) return true;
  return mentions.some((m) => m.id?.open_id === botOpenId);
}

/** The command a card button carries ({ command } — an object, or a JSON string from older cards). */
export function buttonCommand(value: unknown): string | null {
  const v = typeof value === "string" ? parseJson(value) : value;
  if (typeof v === "object" && v !== null && typeof (v as { command?: unknown }).command === "string") {
    const command = (v as { command: string }).command.trim();
    return command || null;
  }
  return null;
}
