// Answer → Telegram HTML message (parse_mode HTML) with an inline keyboard from the actions.
import type { Answer, AnswerAction } from "../domain.ts";

export interface TelegramButton {
  text: string;
  callback_data: string;
}
export interface TelegramMessage {
  html: string;
  keyboard: TelegramButton[][];
}

/** Telegram's HTML mode needs only these three escaped (quotes too inside attributes, which we never write). */
export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Telegram refuses callback_data over 64 bytes and messages over 4096 characters. */
export const CALLBACK_DATA_MAX_BYTES = 64;
const MESSAGE_MAX_CHARS = 4096;

const isHeading = (line: string) => /^【.+】$/.test(line) || /[：:]$/.test(line);

export function renderTelegram(answer: Answer): TelegramMessage {
  const lines = answer.text.split("\n");
  const out: string[] = [];
  const title = answer.title;
  if (title && lines[0] !== title) out.push(`<b>${escapeHtml(title)}</b>`);
  lines.forEach((line, i) => {
    const safe = escapeHtml(line);
    if ((i === 0 && title && line === title) || isHeading(line)) out.push(`<b>${safe}</b>`);
    else if (/^来源[：:]/.test(line) || /^ {2}\S/.test(line)) out.push(`<i>${safe}</i>`);
    else out.push(safe);
  });
  let html = out.join("\n");
  if ([...html].length > MESSAGE_MAX_CHARS) html = truncateHtml(out, MESSAGE_MAX_CHARS - 2) + "\n…";
  return { html, keyboard: keyboardOf(answer.actions ?? []) };
}

/** Whole lines only, so no tag is cut in half. */
function truncateHtml(lines: string[], max: number): string {
  const kept: string[] = [];
  let n = 0;
  for (const l of lines) {
    const len = [...l].length + 1;
    if (n + len > max) break;
    kept.push(l);
    n += len;
  }
  return kept.join("\n");
}

/** Numbered picks one per row (their labels are long); the rest share the last row. */
function keyboardOf(actions: AnswerAction[]): TelegramButton[][] {
  const usable = actions.filter((a) => Buffer.byteLength(a.command, "utf8") <= CALLBACK_DATA_MAX_BYTES);
  const buttons = usable.map((a) => ({ text: a.label, callback_data: a.command }));
  const picks = buttons.filter((b) => b.callback_data.startsWith("/pick ") && /^\d+\./.test(b.text));
  const others = buttons.filter((b) => !picks.includes(b));
  return [...picks.map((b) => [b]), ...(others.length ? [others] : [])];
}
