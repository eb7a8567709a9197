// Answer → plain text (console, the `text` of Answer JSON, one-line stdin mode).
import type { Answer } from "../domain.ts";

export function renderText(answer: Answer): string {
  return answer.text;
}

/** Buttons as typed commands, for chats without buttons (the console). */
export function renderActionsHint(answer: Answer): string {
  const actions = answer.actions ?? [];
  if (!actions.length) return "";
  return "可输入：" + actions.map((a) => `${a.command}（${a.label}）`).join("  ");
}

/** One line: the reply's lines joined with " | " (for `ask` reading questions from stdin). */
export const oneLine = (text: string): string => text.replace(/\r?\n+/g, " | ").trim();
