// openCatalog: the SQLite file plus an in-memory search index that follows it.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { DepartmentRecord, DocumentRecord, ParsedDocument, ProjectRecord } from "../src/domain.ts";
import { departmentAliases } from "./aliases.ts";
import type { Catalog, CatalogStats, ProjectHit, ProjectQuery, SearchOptions } from "./catalog.ts";
import type { IngestEvent } from "./events.ts";
import { ingestBytes, ingestDirectory, ingestFile, ingestParsed, type IngestHook, type IngestOptions, type IngestTarget } from "./ingest.ts";
import { outboxHook } from "./outbox.ts";
import { configure, migrate } from "./schema.ts";
import { ProjectSearch } from "./search.ts";
import { Store } from "./store.ts";
import { normalizeForSearch, termsOfNormalized as queryTermsInOrder } from "./tokenize.ts";

export interface CatalogHandle extends Catalog, IngestTarget {
  ingestBytes(sourceName: string, bytes: Uint8Array, opts?: IngestOptions): IngestEvent;
  ingestFile(path: string, opts?: IngestOptions): IngestEvent;
  ingestParsed(sourceName: string, sha256: string, doc: ParsedDocument, opts?: IngestOptions): IngestEvent;
  /** Every regular non-hidden file of a folder, in name order. */
  ingestDirectory(dir: string, opts?: IngestOptions): IngestEvent[];
  /** Registers a hook run inside every document's transaction (e.g. to write outbox rows). */
  addIngestHook(hook: IngestHook): void;
  /** Builds the search index now instead of at the first search; returns the time taken in ms. */
  warmUp(): number;
  close(): void;
}

export function openCatalog(dbPath: string): CatalogHandle {
  if (dbPath !== ":memory:") mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  configure(db);
  migrate(db);
  const catalog = new SqliteCatalog(db);
  // Alerts: every ingest path (watcher, `budget-bot ingest`, files sent in chat) writes its notices
  // into the outbox inside the document's transaction.
  catalog.addIngestHook(outboxHook);
  return catalog;
}

class SqliteCatalog implements CatalogHandle {
  readonly store: Store;
  readonly ingestHooks: IngestHook[] = [];
  private search: ProjectSearch | null = null;
  /** Documents in the search index → their project ids. */
  private indexedDocs = new Map<number, number[]>();
  private dataVersion = -1;
  private departmentCache: { version: number; list: Array<DepartmentRecord & { normAliases: string[] }> } | null = null;
  private writes = 0;

  constructor(readonly db: Database.Database) {
    this.store = new Store(db);
  }

  // ---- ingest ----

  ingestBytes(sourceName: string, bytes: Uint8Array, opts?: IngestOptions): IngestEvent {
    return ingestBytes(this, sourceName, bytes, opts);
  }
  ingestFile(path: string, opts?: IngestOptions): IngestEvent {
    return ingestFile(this, path, opts);
  }
  ingestParsed(sourceName: string, sha256: string, doc: ParsedDocument, opts?: IngestOptions): IngestEvent {
    return ingestParsed(this, sourceName, sha256, doc, opts);
  }
  ingestDirectory(dir: string, opts?: IngestOptions): IngestEvent[] {
    return ingestDirectory(this, dir, opts);
  }
  addIngestHook(hook: IngestHook): void {
    this.ingestHooks.push(hook);
  }

  afterCommit(newDocumentId: number, supersededDocumentId: number | null): void {
    this.writes++;
    if (!this.search) return; // built lazily from the database at the first search
    if (supersededDocumentId !== null) this.unindexDocument(supersededDocumentId);
    this.indexDocument(newDocumentId);
    this.dataVersion = this.currentDataVersion();
  }

  // ---- search index upkeep ----

  private currentDataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  private indexDocument(id: number): void {
    const rows = this.store.searchRowsOfDocument(id);
    this.search!.add(rows);
    this.indexedDocs.set(id, rows.map((r) => r.id));
  }

  private unindexDocument(id: number): void {
    const ids = this.indexedDocs.get(id);
    if (!ids) return;
    this.search!.remove(ids);
    this.indexedDocs.delete(id);
  }

  /** The search index, built on first use and brought up to date when another connection wrote. */
  private index(): ProjectSearch {
    if (!this.search) {
      this.warmUp();
      return this.search!;
    }
    const version = this.currentDataVersion();
    if (version !== this.dataVersion) {
      const current = new Set(this.store.currentDocumentIds());
      for (const id of [...this.indexedDocs.keys()]) if (!current.has(id)) this.unindexDocument(id);
      for (const id of current) if (!this.indexedDocs.has(id)) this.indexDocument(id);
      this.dataVersion = version;
    }
    return this.search;
  }

  warmUp(): number {
    const t0 = performance.now();
    const search = new ProjectSearch((nq, limit) => this.textSearch(nq, limit));
    this.dataVersion = this.currentDataVersion();
    search.add(this.store.searchRows());
    search.prepare();
    this.indexedDocs = new Map();
    for (const r of this.store.searchRowsDocuments()) this.indexedDocs.set(r.documentId, r.ids);
    this.search = search;
    return performance.now() - t0;
  }

  private textSearch(nq: string, limit: number): number[] {
    if (Array.from(nq).length === 1) return this.store.textContains(nq, limit);
    return this.store.textMatch(queryTermsInOrder(nq), limit);
  }

  // ---- Catalog ----

  searchProjects(text: string, opts: SearchOptions = {}): ProjectHit[] {
    const limit = opts.limit ?? 10;
    const raw = this.index().search(text, limit, opts.departments?.length ? new Set(opts.departments) : undefined);
    const summaries = new Map(this.store.summaries(raw.map((h) => h.id)).map((p) => [p.id, p]));
    return raw.flatMap((h) => {
      const project = summaries.get(h.id);
      return project ? [{ project, score: h.score, exactName: h.exactName, textOnly: h.textOnly }] : [];
    });
  }

  getProject(id: number): ProjectRecord | null {
    return this.store.getProject(id);
  }

  listProjects(q: ProjectQuery) {
    return this.store.listProjects(q);
  }

  private departmentList(): Array<DepartmentRecord & { normAliases: string[] }> {
    const version = this.currentDataVersion() * 1_000_000 + this.writes;
    if (this.departmentCache?.version !== version) {
      const list = this.store.departmentRows().map((d) => {
        const aliases = departmentAliases(d.name);
        return { ...d, aliases, normAliases: [d.name, ...aliases].map(normalizeForSearch) };
      });
      this.departmentCache = { version, list };
    }
    return this.departmentCache.list;
  }

  departments(): DepartmentRecord[] {
    return this.departmentList().map(({ normAliases: _n, ...d }) => d);
  }

  findDepartments(text: string): DepartmentRecord[] {
    const t = normalizeForSearch(text);
    let best = 0;
    let found: DepartmentRecord[] = [];
    for (const { normAliases, ...d } of this.departmentList()) {
      let longest = 0;
      for (const a of normAliases) if (a.length > longest && t.includes(a)) longest = a.length;
      if (longest === 0 || longest < best) continue;
      if (longest > best) {
        best = longest;
        found = [];
      }
      found.push(d);
    }
    return found; // departmentRows is ordered by project count, so the biggest body comes first
  }

  documents(): DocumentRecord[] {
    return this.store.documents();
  }

  stats(): CatalogStats {
    return this.store.stats();
  }

  close(): void {
    this.db.close();
  }
}
