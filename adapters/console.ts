// The console chat: a prompt on a terminal (readline keeps the history; ↑/↓ walk it), the same
// answers as every other adapter. Ends on EOF, "exit", "quit" or "退出".
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { QueryEngine } from "../src/query/types.ts";
import { renderActionsHint, renderText } from "../src/render/text.ts";

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  chatKey?: string;
  /** Injected clock for tests. */
  now?: () => number;
}

const EXIT = /^(?:exit|quit|q|退出|再见)$/i;

export async function runConsole(engine: QueryEngine, opts: ConsoleOptions): Promise<void> {
  const { input, output } = opts;
  const rl = createInterface({
    input,
    output,
    terminal: (output as NodeJS.WriteStream).isTTY === true,
    historySize: 200,
    prompt: "问> ",
  });
  const write = (s: string) => void output.write(s + "\n");
  write("预算查询（输入问题，如“平安通项目预算多少”；“帮助”查看用法；exit 退出）");
  rl.prompt();
  for await (const line of rl) {
    const q = line.trim();
    if (EXIT.test(q)) break;
    if (q) {
      const answer = await engine.ask(q, { chatKey: opts.chatKey ?? "console", userKey: "console", isAdmin: true, now: opts.now?.() });
      write(renderText(answer));
      const hint = renderActionsHint(answer);
      if (hint) write(hint);
      write("");
    }
    rl.prompt();
  }
  rl.close();
}
