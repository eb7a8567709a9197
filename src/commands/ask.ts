// `budget-bot ask "<question>" [--db PATH] [--json]`, or one question per stdin line.
// Stdin mode: blank lines are skipped; every other line gets exactly one output line (Answer
// JSON with --json; otherwise the reply with its line breaks shown as " | "). All stdin
// questions share one chat, so "2" after a clarification picks the second choice.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { openCatalog } from "../../index/open.ts";
import { loadSettings } from "../config.ts";
import type { Answer } from "../domain.ts";
import { createQueryEngine } from "../query/engine.ts";
import { oneLine, renderText } from "../render/text.ts";

const CHAT_KEY = "cli";

export async function runAsk(question: string | undefined, opts: { db?: string; json?: boolean }): Promise<number> {
  const db = opts.db ?? loadSettings().BUDGET_DB;
  if (!existsSync(db)) {
    process.stderr.write(`budget-bot: 数据库不存在：${db}（请先运行 budget-bot ingest <文件或目录> --db ${db}）\n`);
    return 2;
  }
  const catalog = openCatalog(db);
  try {
    const engine = createQueryEngine(catalog);
    const print = (a: Answer, single: boolean) =>
      process.stdout.write((opts.json ? JSON.stringify(a) : single ? renderText(a) : oneLine(renderText(a))) + "\n");
    if (question !== undefined) {
      if (!question.trim()) {
        process.stderr.write("budget-bot: 问题为空\n");
        return 2;
      }
      print(await engine.ask(question, { chatKey: CHAT_KEY }), true);
      return 0;
    }
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      print(await engine.ask(line, { chatKey: CHAT_KEY }), false);
    }
    return 0;
  } finally {
    catalog.close();
  }
}
