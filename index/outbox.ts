// The alert outbox: one row per chat to tell of an ingest event, written in the document's own
// transaction (an ingest hook), so a stored document always has its notices and a rolled-back one
// has none. A sender (src/alerts.ts) claims due rows, delivers them and marks them sent or failed.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type Database from "better-sqlite3";
import { fromCents } from "../src/money.ts";
import type { IngestEvent } from "./events.ts";
import { sha256Hex, type IngestHook, type IngestOptions } from "./ingest.ts";
import { allSubscriptions, subscriptionMatcher } from "./subscriptions.ts";

export interface ProjectBrief {
  name: string;
  unit: string | null;
  total: number;
}

/** What an outbox row carries: the event, and what a notice shows that the event does not hold. */
export interface NoticePayload {
  event: IngestEvent;
  /** The document's three largest projects, largest first (ingested events only). */
  largest: ProjectBrief[];
}

export interface OutboxRow {
  id: number;
  chatKey: string;
  payload: NoticePayload;
  attempts: number;
  createdAt: number;
}

export interface EnqueueOptions {
  now?: number;
  /** Identifies the event across retries of the same input: a chat gets one row per key at most. */
  eventKey?: string;
  /** A chat already told directly (the chat a file was sent in). */
  exceptChat?: string;
}

const LARGEST = 3;

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO outbox (chat_key, payload, created_at, next_attempt_at, document_id, event_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    largest: db.prepare(
      `SELECT name, unit, total_cents FROM projects WHERE document_id = ? ORDER BY total_cents DESC, ord LIMIT ${LARGEST}`,
    ),
    drop: db.prepare("DELETE FROM outbox WHERE chat_key = ? AND event_key = ? AND sent_at IS NULL"),
    lease: db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE id = ?"),
    sent: db.prepare("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?"),
    attempts: db.prepare("SELECT attempts FROM outbox WHERE id = ?"),
    failed: db.prepare("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?"),
    pending: db.prepare("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL"),
    retryNow: db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE sent_at IS NULL AND next_attempt_at > ?"),
    release: db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL"),
    /** Due-row selects by number of platforms (the sender polls with the same list every round). */
    due: new Map<number, Database.Statement>(),
  };
}
const cache = new WeakMap<Database.Database, ReturnType<typeof statements>>();
const stmts = (db: Database.Database) => {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = statements(db)));
  return s;
};

/** A document's largest projects, largest first (ties in table order). */
export function largestProjects(db: Database.Database, documentId: number): ProjectBrief[] {
  return (stmts(db).largest.all(documentId) as Array<{ name: string; unit: string | null; total_cents: number }>).map((r) => ({
    name: r.name,
    unit: r.unit,
    total: fromCents(r.total_cents),
  }));
}

/** Removes a chat's row of an event (inside the document's transaction: the chat was told directly). */
export function dropNotice(db: Database.Database, chatKey: string, eventKey: string): void {
  stmts(db).drop.run(chatKey, eventKey);
}

/** The chats to tell: subscribers whose keyword matches the department; admins' chats for a refusal. */
function chatsFor(db: Database.Database, event: IngestEvent): string[] {
  if (event.kind === "duplicate") return [];
  const subs = allSubscriptions(db);
  const chosen =
    event.kind === "refused" ? subs.filter((s) => s.byAdmin) : subs.filter(subscriptionMatcher(event.document.department));
  return [...new Set(chosen.map((s) => s.chatKey))];
}

/**
 * Writes one outbox row per chat to tell (a chat with several matching subscriptions hears once).
 * For an ingested document call it inside the document's transaction (see outboxHook). Returns the rows written.
 */
export function enqueueNoticesFor(db: Database.Database, event: IngestEvent, opts: EnqueueOptions = {}): number {
  const chats = chatsFor(db, event).filter((c) => c !== opts.exceptChat);
  if (chats.length === 0) return 0;
  const s = stmts(db);
  const now = opts.now ?? Date.now();
  let largest: ProjectBrief[] = [];
  let documentId: number | null = null;
  let eventKey = opts.eventKey ?? null;
  if (event.kind === "ingested") {
    documentId = event.document.id;
    eventKey ??= `doc:${documentId}`;
    largest = largestProjects(db, documentId);
  }
  const payload = JSON.stringify({ event, largest } satisfies NoticePayload);
  let written = 0;
  for (const chat of chats) written += s.insert.run(chat, payload, now, now, documentId, eventKey).changes;
  return written;
}

/** Registered by openCatalog: every ingest path (watcher, `budget-bot ingest`, files sent in chat) writes notices. */
export const outboxHook: IngestHook = (db, event) => {
  enqueueNoticesFor(db, event);
};

/**
 * An inbox target that also tells admins' chats of refused files (a refusal writes no document, so
 * there is no transaction to hook). Keyed by the file's sha256: a file refused again after a crash
 * does not notify twice.
 */
export function noticingRefusals<T extends { db: Database.Database; ingestBytes(name: string, bytes: Uint8Array, opts?: IngestOptions): IngestEvent; ingestFile(path: string, opts?: IngestOptions): IngestEvent }>(
  catalog: T,
): { ingestFile(path: string, opts?: IngestOptions): IngestEvent } {
  return {
    ingestFile(path, opts) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        const event = catalog.ingestFile(path, opts); // the catalog words the refusal
        if (event.kind === "refused") enqueueNoticesFor(catalog.db, event);
        return event;
      }
      const event = catalog.ingestBytes(basename(path), bytes, opts);
      if (event.kind === "refused") enqueueNoticesFor(catalog.db, event, { eventKey: refusalKey(bytes, event.sourceName) });
      return event;
    },
  };
}

/** The same bytes under the same name refused again (a retry after a crash) notify once. */
export const refusalKey = (bytes: Uint8Array, sourceName: string): string => `refused:${sha256Hex(bytes)}:${sourceName}`;

// ---- delivery bookkeeping ----

export interface BackoffOptions {
  /** Wait after the first failure (ms); doubled per further failure. */
  baseMs?: number;
  /** Longest wait (ms). A platform down for days is retried this often, never given up on. */
  maxMs?: number;
}

export function backoffMs(attempts: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 2000;
  const max = opts.maxMs ?? 10 * 60 * 1000;
  return Math.min(max, base * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

export interface ClaimOptions {
  now?: number;
  limit?: number;
  /** Only chats of these platforms ("telegram", "feishu"): others wait for their adapter. */
  platforms: string[];
  /** A claimed row is not due again for this long (another sender, or this one after a crash mid-send). */
  leaseMs?: number;
}

interface DbRow {
  id: number;
  chat_key: string;
  payload: string;
  attempts: number;
  created_at: number;
}

/** Due unsent rows, oldest first, leased so no other round sends them meanwhile. */
export function claimDue(db: Database.Database, opts: ClaimOptions): OutboxRow[] {
  if (opts.platforms.length === 0) return [];
  const now = opts.now ?? Date.now();
  const s = stmts(db);
  let select = s.due.get(opts.platforms.length);
  if (!select) {
    const platformFilter = opts.platforms.map(() => "substr(chat_key, 1, instr(chat_key, ':') - 1) = ?").join(" OR ");
    select = db.prepare(
      `SELECT id, chat_key, payload, attempts, created_at FROM outbox
       WHERE sent_at IS NULL AND next_attempt_at <= ? AND (${platformFilter})
       ORDER BY id LIMIT ?`,
    );
    s.due.set(opts.platforms.length, select);
  }
  const claim = db.transaction(() => {
    const rows = select.all(now, ...opts.platforms, opts.limit ?? 20) as DbRow[];
    for (const r of rows) s.lease.run(now + (opts.leaseMs ?? 60_000), r.id);
    return rows;
  });
  return claim.immediate().map((r) => ({
    id: r.id,
    chatKey: r.chat_key,
    payload: JSON.parse(r.payload) as NoticePayload,
    attempts: r.attempts,
    createdAt: r.created_at,
  }));
}

export function markSent(db: Database.Database, id: number, now = Date.now()): void {
  stmts(db).sent.run(now, id);
}

/** Records a failed delivery; returns when the row is due again. */
export function markFailed(db: Database.Database, id: number, error: string, now = Date.now(), backoff: BackoffOptions = {}): number {
  const s = stmts(db);
  const row = s.attempts.get(id) as { attempts: number } | undefined;
  const attempts = (row?.attempts ?? 0) + 1;
  const next = now + backoffMs(attempts, backoff);
  s.failed.run(attempts, next, error.slice(0, 500), id);
  return next;
}

export function pendingNotices(db: Database.Database): number {
  return (stmts(db).pending.get() as { n: number }).n;
}

/**
 * Makes every unsent row due now: a sender starting after a restart retries at once instead of waiting
 * out back-offs and the leases of a process that died mid-send. One sender per database (serve).
 */
export function retryAllNow(db: Database.Database, now = Date.now()): number {
  return stmts(db).retryNow.run(now, now).changes;
}

/** Gives a claimed row back without counting an attempt (a sender stopping, or holding a chat's later notices back). */
export function releaseClaim(db: Database.Database, id: number, dueAt = Date.now()): void {
  stmts(db).release.run(dueAt, id);
}
