// `serve`: the one place that wires every part — settings, catalog, inbox, adapters, HTTP server.
import { readdirSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runConsole } from "../adapters/console.ts";
import { createFeishuAdapter } from "../adapters/feishu.ts";
import { createTelegramAdapter } from "../adapters/telegram.ts";
import type { IngestEvent } from "../index/events.ts";
import { openCatalog, type CatalogHandle } from "../index/open.ts";
import { sqliteEventDedupe } from "../index/processed-events.ts";
import { watchInbox } from "../index/watcher.ts";
import { loadSettings, SettingsError, type Settings } from "./config.ts";
import { createHttpServer, type RouteHandler } from "./http.ts";
import { log } from "./log.ts";
import { createQueryEngine } from "./query/engine.ts";
import { createAlerts, type NoticeSenders } from "./alerts.ts";

const SEEDS_DIR = fileURLToPath(new URL("../seeds/", import.meta.url));

interface Running {
  name: string;
  stop(): Promise<void>;
}
interface Platform extends Running {
  start(): Promise<void>;
}

export async function runServe(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`budget-bot: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }

  const chatPlatforms = Boolean(settings.TELEGRAM_BOT_TOKEN || (settings.FEISHU_APP_ID && settings.FEISHU_APP_SECRET));
  // The console chat shares the terminal with the log: keep the log to warnings there.
  if (!chatPlatforms && !process.env.LOG_LEVEL) log.level = "warn";

  const catalog = openCatalog(settings.BUDGET_DB);
  let stats = catalog.stats();
  if (stats.documents === 0) {
    ingestSeeds(catalog);
    stats = catalog.stats();
  }
  const indexMs = catalog.warmUp();
  log.info({ db: settings.BUDGET_DB, ...stats, indexMs: Math.round(indexMs) }, "catalog ready");

  const alerts = createAlerts({ catalog, log });
  const engine = alerts.wrapEngine(createQueryEngine(catalog));
  const senders: NoticeSenders = {};
  const running: Running[] = [];
  const routes: Record<string, RouteHandler> = {};
  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string, code = 0): Promise<void> =>
    (stopping ??= (async () => {
      log.info({ reason }, "stopping");
      for (const part of running.reverse()) {
        await part.stop().catch((err: unknown) => log.error({ err, part: part.name }, "stop failed"));
      }
      catalog.close();
      process.exitCode = code;
    })());
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  const watcher = watchInbox(alerts.inbox, settings.INBOX_DIR, (event, file) => {
    logIngest(event, file);
    alerts.wake();
  });
  running.push({ name: "inbox", stop: () => watcher.close() });

  const platforms: Platform[] = [];
  if (settings.TELEGRAM_BOT_TOKEN) {
    const telegram = createTelegramAdapter({
      token: settings.TELEGRAM_BOT_TOKEN,
      apiRoot: settings.TELEGRAM_API_ROOT,
      webhookUrl: settings.TELEGRAM_WEBHOOK_URL,
      webhookSecret: settings.TELEGRAM_WEBHOOK_SECRET,
      engine,
      commands: alerts.commands,
      onDocument: alerts.onFile,
      adminIds: settings.ADMIN_IDS,
      allowedChats: settings.ALLOWED_CHATS,
      log: log.child({ adapter: "telegram" }),
      onFatal: (err) => {
        log.fatal({ err: err.message }, "telegram adapter cannot continue");
        void shutdown("telegram fatal", 1);
      },
    });
    if (telegram.webhookRoute) routes[`POST ${telegram.webhookRoute.path}`] = telegram.webhookRoute.handler;
    senders.telegram = (chatKey, answer) => telegram.sendNotice(chatKey, answer);
    platforms.push({ name: "telegram", start: () => telegram.start(), stop: () => telegram.stop() });
  }
  if (settings.FEISHU_APP_ID && settings.FEISHU_APP_SECRET) {
    const feishu = createFeishuAdapter({
      appId: settings.FEISHU_APP_ID,
      appSecret: settings.FEISHU_APP_SECRET,
      domain: settings.FEISHU_DOMAIN,
      mode: settings.FEISHU_MODE,
      verificationToken: settings.FEISHU_VERIFICATION_TOKEN,
      encryptKey: settings.FEISHU_ENCRYPT_KEY,
      engine,
      commands: alerts.commands,
      onFile: alerts.onFile,
      adminIds: settings.ADMIN_IDS,
      allowedChats: settings.ALLOWED_CHATS,
      log: log.child({ adapter: "feishu" }),
      dedupe: sqliteEventDedupe(catalog.db, "feishu"),
    });
    if (feishu.webhookRoute) routes[`POST ${feishu.webhookRoute.path}`] = feishu.webhookRoute.handler;
    senders.feishu = (chatKey, answer) => feishu.sendNotice(chatKey, answer);
    platforms.push({ name: "feishu", start: () => feishu.start(), stop: () => feishu.stop() });
  }

  const server = createHttpServer(routes, (err) => log.error({ err }, "http handler failed"));
  const listening = await listen(server, settings.HTTP_PORT);
  if (listening) running.push({ name: "http", stop: () => new Promise((r) => server.close(() => r())) });
  else if (Object.keys(routes).length > 0) return shutdown(`HTTP port ${settings.HTTP_PORT} unavailable`, 1);

  for (const p of platforms) {
    try {
      await p.start();
      running.push(p);
      log.info({ adapter: p.name }, "adapter started");
    } catch (err) {
      log.fatal({ err, adapter: p.name }, "adapter failed to start");
      return shutdown(`${p.name} failed to start`, 1);
    }
  }

  if (platforms.length > 0) {
    // Notices in the outbox (from the inbox, `budget-bot ingest`, files sent in chat) go out from here.
    const sender = alerts.startSender(senders);
    running.push({ name: "alerts", stop: () => sender.stop() });
  }

  if (platforms.length === 0) {
    // No chat platform configured: chat on the terminal; the program ends with the console.
    await runConsole(engine, { input: process.stdin, output: process.stdout });
    await shutdown("console closed");
  }
}

function ingestSeeds(catalog: CatalogHandle): void {
  for (const name of readdirSync(SEEDS_DIR).sort()) logIngest(catalog.ingestFile(join(SEEDS_DIR, name)), name);
}

function logIngest(event: IngestEvent, file: string): void {
  if (event.kind === "ingested") {
    const d = event.document;
    log.info({ file, department: d.department, projects: d.projectCount, total: d.total, warnings: d.warnings.length }, "ingested");
  } else if (event.kind === "duplicate") log.info({ file }, "already ingested");
  else log.warn({ file, code: event.code, reason: event.reason }, "refused");
}

/** Resolves false (and logs) when the port is taken, so a console session still works. */
function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      log.warn({ port, code: err.code }, "HTTP server not started");
      resolve(false);
    });
    server.listen(port, () => {
      log.info({ port }, "HTTP server listening");
      resolve(true);
    });
  });
}
