// Command line: parse, ingest, ask, serve. The one place (with app.ts) that knows every layer.
import { Command, CommanderError } from "commander";
import { readDotEnv } from "./config.ts";

readDotEnv();

const program = new Command()
  .name("budget-bot")
  .description("项目支出绩效目标表 chat bot: parse, ingest, ask, serve")
  .showHelpAfterError()
  .exitOverride();

program
  .command("parse")
  .description("parse one file and print it (no database writes)")
  .argument("<file>")
  .option("--json", "print ParsedDocument JSON")
  .action(async (file: string, opts: { json?: boolean }) => {
    const { runParse } = await import("./commands/parse.ts");
    process.exitCode = runParse(file, opts);
  });

program
  .command("ingest")
  .description("ingest files or directories into the database")
  .argument("<paths...>")
  .option("--db <path>", "SQLite file (overrides BUDGET_DB)")
  .action(async (paths: string[], opts: { db?: string }) => {
    const { runIngest } = await import("./commands/ingest.ts");
    process.exitCode = await runIngest(paths, opts);
  });

program
  .command("ask")
  .description("answer one question, or one question per stdin line")
  .argument("[question]")
  .option("--db <path>", "SQLite file (overrides BUDGET_DB)")
  .option("--json", "print Answer JSON (JSON Lines for stdin)")
  .action(async (question: string | undefined, opts: { db?: string; json?: boolean }) => {
    const { runAsk } = await import("./commands/ask.ts");
    process.exitCode = await runAsk(question, opts);
  });

program
  .command("serve")
  .description("ingest seeds into an empty database, watch the inbox, run the chat adapters")
  .action(async () => {
    const { runServe } = await import("./app.ts");
    await runServe();
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`budget-bot: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
