// Alerts, edge wiring: the outbox sender (due rows → the platform's sendNotice → sent, or back-off),
// and createAlerts, which gives serve everything alerts need in one place.
import type Database from "better-sqlite3";
import type { IngestEvent } from "../index/events.ts";
import type { IngestOptions } from "../index/ingest.ts";
import { claimDue, markFailed, markSent, noticingRefusals, releaseClaim, retryAllNow, type BackoffOptions } from "../index/outbox.ts";
import { subscriptionStore, type SubscriptionStore } from "../index/subscriptions.ts";
import { chatFileHandler, type ChatFile, type ChatFileTarget } from "./chat-files.ts";
import type { Answer } from "./domain.ts";
import type { Logger } from "./log.ts";
import { noticeAnswer } from "./query/notices.ts";
import { subscriptionCommands, withSubscriptions, type SubscriptionCommand } from "./query/subscriptions.ts";
import type { AskContext, QueryEngine } from "./query/types.ts";

export type NoticeSend = (chatKey: string, answer: Answer) => Promise<unknown>;

/** Keyed by the chat key's prefix: "telegram:-100…" → telegram. */
export interface NoticeSenders {
  telegram?: NoticeSend;
  feishu?: NoticeSend;
}

export interface OutboxSenderOptions {
  db: Database.Database;
  senders: NoticeSenders;
  log: Logger;
  /** How often to look for due rows written by other processes (`budget-bot ingest`) or retries. */
  intervalMs?: number;
  backoff?: BackoffOptions;
  /** Rows per claim. */
  batch?: number;
  /** A claimed row is not claimed again for this long, should this process die mid-send. */
  leaseMs?: number;
  now?: () => number;
}

export interface OutboxSender {
  /** Look for due rows now (after an ingest in this process). */
  wake(): void;
  /** One delivery round now; resolves when it is done (tests). */
  flush(): Promise<void>;
  /** Stops polling and waits for the round in progress; unsent rows stay in the outbox. */
  stop(): Promise<void>;
}

const platformOf = (chatKey: string): string => chatKey.slice(0, chatKey.indexOf(":"));

export function startOutboxSender(opts: OutboxSenderOptions): OutboxSender {
  const { db, log } = opts;
  const now = opts.now ?? Date.now;
  const intervalMs = opts.intervalMs ?? 1000;
  const senders = new Map(Object.entries(opts.senders).filter((e): e is [string, NoticeSend] => typeof e[1] === "function"));
  const platforms = [...senders.keys()];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;
  let rerun = false;

  async function deliverBatch(): Promise<number> {
    const rows = claimDue(db, { platforms, limit: opts.batch ?? 20, leaseMs: opts.leaseMs ?? 30_000, now: now() });
    // A chat whose notice failed gets its later notices later too, so they arrive in order.
    const heldBack = new Map<string, number>();
    for (const row of rows) {
      const due = heldBack.get(row.chatKey);
      if (stopped || due !== undefined) {
        releaseClaim(db, row.id, due ?? now());
        continue;
      }
      const send = senders.get(platformOf(row.chatKey))!;
      try {
        await send(row.chatKey, noticeAnswer(row.payload.event, row.payload.largest));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const next = markFailed(db, row.id, message, now(), opts.backoff);
        heldBack.set(row.chatKey, next);
        log.warn({ chatKey: row.chatKey, outboxId: row.id, attempts: row.attempts + 1, retryInMs: next - now(), err: message }, "notice not delivered; will retry");
        continue;
      }
      markSent(db, row.id, now());
      log.info({ chatKey: row.chatKey, outboxId: row.id, kind: row.payload.event.kind }, "notice delivered");
    }
    return rows.length;
  }

  async function round(): Promise<void> {
    try {
      // Whole batches until none is left, so a backlog drains without waiting for the timer.
      while (!stopped && (await deliverBatch()) >= (opts.batch ?? 20));
    } catch (err) {
      log.error({ err }, "outbox round failed");
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), ms);
    timer.unref();
  }

  function run(): Promise<void> {
    if (current) {
      rerun = true;
      return current;
    }
    clearTimeout(timer);
    current = (async () => {
      do {
        rerun = false;
        await round();
      } while (rerun && !stopped);
    })().finally(() => {
      current = null;
      schedule(intervalMs);
    });
    return current;
  }

  const due = retryAllNow(db, now());
  if (due > 0) log.info({ notices: due }, "undelivered notices from before the start: retrying now");
  schedule(0);
  return {
    wake: () => void run(),
    flush: () => run(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      clearTimeout(timer);
    },
  };
}

// ---- everything serve needs, in one place ----

export interface AlertsOptions {
  catalog: ChatFileTarget & {
    ingestFile(path: string, opts?: IngestOptions): IngestEvent;
    departments(): Array<{ name: string }>;
  };
  log: Logger;
  /** Largest file accepted in chat (bytes). */
  maxFileBytes?: number;
}

export interface Alerts {
  subscriptions: SubscriptionStore;
  /** The engine, answering /subscribe, 订阅 … itself. */
  wrapEngine(engine: QueryEngine): QueryEngine;
  /** For both adapters' `commands` option (menu entries, /subscribe in Telegram groups, Feishu aliases). */
  commands: SubscriptionCommand[];
  /** For Telegram's onDocument and Feishu's onFile. */
  onFile(file: ChatFile, ctx: AskContext): Promise<Answer>;
  /** Pass to watchInbox instead of the catalog: refused inbox files notify admins' chats too. */
  inbox: { ingestFile(path: string, opts?: IngestOptions): IngestEvent };
  /** Starts delivering; call once the adapters exist. */
  startSender(senders: NoticeSenders, opts?: Partial<Omit<OutboxSenderOptions, "db" | "senders" | "log">>): OutboxSender;
  /** Wake the sender (e.g. from the watcher's callback); a no-op before startSender. */
  wake(): void;
}

export function createAlerts(opts: AlertsOptions): Alerts {
  const { catalog, log } = opts;
  const subscriptions = subscriptionStore(catalog.db);
  const departments = () => catalog.departments().map((d) => d.name);
  let sender: OutboxSender | null = null;
  const wake = () => sender?.wake();
  return {
    subscriptions,
    wrapEngine: (engine) => withSubscriptions(engine, subscriptions, { departments }),
    commands: subscriptionCommands(subscriptions, { departments }),
    onFile: chatFileHandler({ catalog, maxBytes: opts.maxFileBytes, onStored: wake, log }),
    inbox: noticingRefusals(catalog),
    startSender(senders, more = {}) {
      sender = startOutboxSender({ db: catalog.db, senders, log: log.child({ part: "alerts" }), ...more });
      return sender;
    },
    wake,
  };
}
