// Delivering rendered answers: HTML parse mode, messages split at 4096 characters, 429 retried,
// inline keyboards whose callback_data fits Telegram's 64 bytes.
import type { Telegram } from "telegraf";
import { TelegramError } from "telegraf";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "telegraf/types";
import type { Answer } from "../src/domain.ts";
import type { Logger } from "../src/log.ts";
import { CALLBACK_DATA_MAX_BYTES, escapeHtml, renderTelegram, type TelegramButton } from "../src/render/telegram.ts";
import { byteLength } from "./telegram-message.ts";
import { isNotModified, withRetryOn429, type RetryOptions } from "./telegram-retry.ts";
import { splitTelegramHtml, TELEGRAM_MAX_TEXT } from "./telegram-split.ts";

/** callback_data of buttons whose command is longer than CALLBACK_DATA_MAX_BYTES: "#" + a key into this store. */
export class CallbackStore {
  private readonly commands = new Map<string, string>();
  private counter = 0;

  constructor(private readonly capacity = 5000) {}

  /** The callback_data for a command: the command itself when it fits. */
  dataFor(command: string): string {
    if (byteLength(command) <= CALLBACK_DATA_MAX_BYTES && !command.startsWith("#")) return command;
    const key = `#${(++this.counter).toString(36)}`;
    this.commands.set(key, command);
    if (this.commands.size > this.capacity) this.commands.delete(this.commands.keys().next().value!);
    return key;
  }

  /** The command behind callback_data; null when a stored one has expired (e.g. after a restart). */
  commandFor(data: string): string | null {
    return data.startsWith("#") ? (this.commands.get(data) ?? null) : data;
  }
}

export interface Delivery {
  /** The message this one answers (groups), shown as a reply. */
  replyTo?: number;
}

/** Room per message for the HTML of a run of lines: tags and escapes grow the text. */
const RUN_BUDGET = TELEGRAM_MAX_TEXT - 300;
const htmlCost = (line: string): number => escapeHtml(line).length + 16;

/** The answer text in runs of whole lines whose HTML fits a message; over-long lines are cut. */
export function lineRuns(text: string, title?: string): string[] {
  const runs: string[][] = [[]];
  let used = title ? htmlCost(title) : 0;
  for (const whole of text.split("\n")) {
    // A single line too long for a message is cut into pieces (a rare, very long goal text).
    const pieces = whole.length > RUN_BUDGET / 2 ? (whole.match(new RegExp(`[^]{1,${Math.floor(RUN_BUDGET / 6)}}`, "gu")) ?? [""]) : [whole];
    for (const line of pieces) {
      const cost = htmlCost(line) + 1;
      if (used + cost > RUN_BUDGET && runs.at(-1)!.length > 0) {
        runs.push([]);
        used = 0;
      }
      runs.at(-1)!.push(line);
      used += cost;
    }
  }
  return runs.map((r) => r.join("\n"));
}

const isParseError = (err: unknown): boolean =>
  err instanceof TelegramError && err.code === 400 && /can't parse entities/i.test(err.description);

export class TelegramSender {
  constructor(
    private readonly telegram: Telegram,
    private readonly callbacks: CallbackStore,
    private readonly log: Logger,
    private readonly retry: RetryOptions = {},
  ) {}

  keyboard(rows: TelegramButton[][]): InlineKeyboardMarkup | undefined {
    const inline: InlineKeyboardButton[][] = rows
      .map((row) => row.map((b) => ({ text: b.text, callback_data: this.callbacks.dataFor(b.callback_data) })))
      .filter((row) => row.length > 0);
    return inline.length > 0 ? { inline_keyboard: inline } : undefined;
  }

  /**
   * The answer as Telegram message parts; the keyboard belongs to the last part. The renderer shortens
   * what does not fit one message, so a long answer is rendered in runs of whole lines that each fit.
   */
  render(answer: Answer): { parts: string[]; markup: InlineKeyboardMarkup | undefined } {
    const whole = renderTelegram(answer);
    const markup = this.keyboard(whole.keyboard);
    const runs = lineRuns(answer.text, answer.title);
    if (runs.length === 1) return { parts: splitTelegramHtml(whole.html), markup };
    const parts = runs.flatMap((text, i) =>
      splitTelegramHtml(renderTelegram({ ...answer, text, title: i === 0 ? answer.title : undefined, actions: [] }).html),
    );
    return { parts, markup };
  }

  private retrying<T>(what: string, chatId: number | string, call: () => Promise<T>): Promise<T> {
    return withRetryOn429(call, {
      ...this.retry,
      onRetry: (wait, attempt) => this.log.warn({ chatId, what, wait, attempt }, "telegram 429, retrying after retry_after"),
    });
  }

  /** Sends HTML with retries on 429; falls back to plain text if Telegram cannot parse the HTML. */
  async sendHtml(
    chatId: number | string,
    html: string,
    opts: { markup?: InlineKeyboardMarkup; replyTo?: number; plain?: string } = {},
  ): Promise<number> {
    const extra = {
      parse_mode: "HTML" as const,
      link_preview_options: { is_disabled: true },
      ...(opts.markup ? { reply_markup: opts.markup } : {}),
      ...(opts.replyTo ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } } : {}),
    };
    try {
      const sent = await this.retrying("sendMessage", chatId, () => this.telegram.sendMessage(chatId, html, extra));
      return sent.message_id;
    } catch (err) {
      if (!isParseError(err) || opts.plain === undefined) throw err;
      this.log.warn({ chatId, err }, "telegram could not parse our HTML; sending plain text");
      const { parse_mode: _drop, ...plainExtra } = extra;
      const sent = await this.retrying("sendMessage", chatId, () => this.telegram.sendMessage(chatId, opts.plain!, plainExtra));
      return sent.message_id;
    }
  }

  async sendAnswer(chatId: number | string, answer: Answer, delivery: Delivery = {}): Promise<void> {
    const { parts, markup } = this.render(answer);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      await this.sendHtml(chatId, part, {
        markup: last ? markup : undefined,
        replyTo: i === 0 ? delivery.replyTo : undefined,
        plain: parts.length === 1 ? answer.text : undefined,
      });
    }
  }

  /**
   * Replaces a message's text and keyboard with the answer (pressed button). Extra parts of a long
   * answer follow as new messages. Falls back to a new message when the old one can no longer be edited.
   */
  async editAnswer(target: { chatId: number; messageId: number } | { inlineMessageId: string }, answer: Answer): Promise<void> {
    const { parts, markup } = this.render(answer);
    const onlyPart = parts.length === 1 || !("chatId" in target);
    const extra = {
      parse_mode: "HTML" as const,
      link_preview_options: { is_disabled: true },
      ...(onlyPart && markup ? { reply_markup: markup } : {}),
    };
    const first = parts[0] ?? "";
    try {
      await this.retrying("editMessageText", "chatId" in target ? target.chatId : target.inlineMessageId, () =>
        "chatId" in target
          ? this.telegram.editMessageText(target.chatId, target.messageId, undefined, first, extra)
          : this.telegram.editMessageText(undefined, undefined, target.inlineMessageId, first, extra),
      );
    } catch (err) {
      if (isNotModified(err)) return;
      if (!("chatId" in target)) throw err;
      this.log.warn({ chatId: target.chatId, err }, "editMessageText failed; sending a new message instead");
      await this.sendAnswer(target.chatId, answer);
      return;
    }
    if (onlyPart || !("chatId" in target)) return;
    for (const [i, part] of parts.slice(1).entries()) {
      await this.sendHtml(target.chatId, part, { markup: i === parts.length - 2 ? markup : undefined });
    }
  }
}
