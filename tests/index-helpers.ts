// Shared by the indexing tests: temp folders, seed files, gold documents, database snapshots.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { ParsedDocument } from "../src/domain.ts";

export const SEED_DIR = join(import.meta.dirname, "..", "seeds");
export const GOLD_DIR = join(import.meta.dirname, "..", "..", "shared", "eval", "gold");
export const SAMPLE_QUERIES = join(import.meta.dirname, "..", "..", "shared", "eval", "sample-queries.jsonl");

export const seedFiles = (): string[] => readdirSync(SEED_DIR).sort().map((f) => join(SEED_DIR, f));

/** Gold parse of a seed, as the source document says (key `file` dropped). */
export function gold(seedName: string): ParsedDocument {
  const { file: _f, ...doc } = JSON.parse(readFileSync(join(GOLD_DIR, `${seedName}.gold.json`), "utf8")) as ParsedDocument & {
    file: string;
  };
  return { ...doc, warnings: doc.warnings ?? [] };
}

const made: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "budget-index-test-"));
  made.push(d);
  return d;
}
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

const TABLES = ["documents", "units", "projects", "indicators", "outbox", "chats", "subscriptions", "processed_events"];

/** Row counts and full content of every table, to compare before/after. */
export function snapshot(db: Database.Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY ${t === "indicators" ? "project_id, ord" : "rowid"}`).all();
  out.project_text = db.prepare(`SELECT count(*) AS n FROM project_text`).get();
  return out;
}
