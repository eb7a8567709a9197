// File → bytes → sha256 → duplicate? → parse → one transaction (document, rows, long-text index,
// hooks such as the alert outbox) → search index. A refused file writes nothing.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type Database from "better-sqlite3";
import { ParseError, ParsedDocumentSchema, type DocumentRecord, type ParsedDocument } from "../src/domain.ts";
import { toCents, fromCents } from "../src/money.ts";
import { parseDocument } from "../src/parser/index.ts";
import type { DocumentSummary, IngestEvent, IngestedEvent, Replacement } from "./events.ts";
import type { Store } from "./store.ts";

/** Runs inside the document's transaction: a throw rolls the whole document back. */
export type IngestHook = (db: Database.Database, event: IngestedEvent) => void;

export interface IngestOptions {
  onIngested?: IngestHook;
  /** Injected clock for ingested_at. */
  now?: () => Date;
}

/** The part of a catalog handle ingest needs. */
export interface IngestTarget {
  readonly db: Database.Database;
  readonly store: Store;
  readonly ingestHooks: readonly IngestHook[];
  /** Called after commit so the in-memory search index follows the database. */
  afterCommit(newDocumentId: number, supersededDocumentId: number | null): void;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function summarize(d: DocumentRecord): DocumentSummary {
  return {
    id: d.id,
    sourceName: d.sourceName,
    sha256: d.sha256,
    department: d.department,
    title: d.title,
    year: d.year,
    layout: d.layout,
    projectCount: d.projectCount,
    total: d.total,
    declaredTotal: d.declaredTotal,
    warnings: d.warnings,
  };
}

export function ingestFile(target: IngestTarget, path: string, opts: IngestOptions = {}): IngestEvent {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unknown";
    return { kind: "refused", sourceName: basename(path), reason: `无法读取文件（${code}）`, code: "unreadable" };
  }
  return ingestBytes(target, basename(path), bytes, opts);
}

export function ingestBytes(target: IngestTarget, sourceName: string, bytes: Uint8Array, opts: IngestOptions = {}): IngestEvent {
  const sha = sha256Hex(bytes);
  const existing = target.store.documentBySha(sha);
  if (existing) return { kind: "duplicate", sourceName, sha256: sha, existing: summarize(existing) };
  let doc: ParsedDocument;
  try {
    doc = parseDocument(bytes);
  } catch (err) {
    if (err instanceof ParseError) return { kind: "refused", sourceName, reason: err.message, code: err.code };
    throw err;
  }
  return ingestParsed(target, sourceName, sha, doc, opts);
}

/** Stores an already parsed document (also used by the benchmark). */
export function ingestParsed(
  target: IngestTarget,
  sourceName: string,
  sha: string,
  parsed: ParsedDocument,
  opts: IngestOptions = {},
): IngestEvent {
  const checked = ParsedDocumentSchema.safeParse(parsed);
  if (!checked.success) {
    return { kind: "refused", sourceName, reason: "解析结果不完整，无法入库", code: "invalid" };
  }
  const doc = checked.data;
  const { db, store } = target;
  const hooks = [...target.ingestHooks, ...(opts.onIngested ? [opts.onIngested] : [])];
  const write = db.transaction((): { event: IngestEvent; previousId: number | null } => {
    // Checked again inside the write lock: another process may have stored the same bytes.
    const dup = store.documentBySha(sha);
    if (dup) return { event: { kind: "duplicate", sourceName, sha256: sha, existing: summarize(dup) }, previousId: null };
    const previous = store.currentDocumentBySource(sourceName);
    const oldProjects = previous ? store.projectsOfDocument(previous.id) : [];
    const id = store.insertDocument(sourceName, sha, doc, (opts.now?.() ?? new Date()).toISOString());
    if (previous) store.supersede(previous.id, id);
    const event: IngestedEvent = { kind: "ingested", document: summarize(store.document(id)!) };
    if (previous) event.replaced = diff(previous.id, oldProjects, store.projectsOfDocument(id));
    for (const hook of hooks) hook(db, event);
    return { event, previousId: previous?.id ?? null };
  });
  const { event, previousId } = write.immediate();
  if (event.kind === "ingested") target.afterCommit(event.document.id, previousId);
  return event;
}

type Row = { name: string; unit: string | null; total: number };

/** Projects paired by name + unit, in order (a name may repeat within a document). */
function diff(previousDocumentId: number, before: Row[], after: Row[]): Replacement {
  const key = (r: Row) => `${r.name}\u0000${r.unit ?? ""}`;
  const pool = new Map<string, Row[]>();
  for (const r of before) pool.set(key(r), [...(pool.get(key(r)) ?? []), r]);
  const out: Replacement = { previousDocumentId, added: [], removed: [], changed: [] };
  for (const r of after) {
    const old = pool.get(key(r))?.shift();
    if (!old) out.added.push({ name: r.name, unit: r.unit, total: r.total });
    else if (toCents(old.total) !== toCents(r.total)) out.changed.push({ name: r.name, unit: r.unit, before: old.total, after: r.total });
  }
  for (const rest of pool.values()) for (const r of rest) out.removed.push({ name: r.name, unit: r.unit, total: fromCents(toCents(r.total)) });
  return out;
}

/** Regular, non-hidden files directly inside a folder, sorted by name. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith("."))
    .map((d) => join(dir, d.name))
    .sort();
}

/** Ingests every file of a folder in name order (what `serve` does with seeds/ on an empty database). */
export function ingestDirectory(target: IngestTarget, dir: string, opts: IngestOptions = {}): IngestEvent[] {
  return filesIn(dir).map((f) => ingestFile(target, f, opts));
}
