// `npm run bench [-- --json]`: parse speed, ingest speed, index build, cold start, RSS, and
// search latency/recall at 100,000 projects, beside an FTS5-trigram and a plain-scan baseline.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { departmentAliases } from "../index/aliases.ts";
import { openCatalog } from "../index/open.ts";
import { sha256Hex } from "../index/ingest.ts";
import { normalizeForSearch } from "../index/tokenize.ts";
import type { ParsedDocument, Project } from "../src/domain.ts";
import { parseDocument } from "../src/parser/index.ts";
import { bigWideTable, loadSeeds, rng, syntheticCorpus } from "./corpus.ts";

const JSON_OUT = process.argv.includes("--json");
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 100_000);
const QUERIES = 1000;
const LIMIT = 10;
const say = (s: string) => {
  if (!JSON_OUT) process.stdout.write(s + "\n");
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

// ---- parse ----
function measureParse(): number {
  const seedFiles = readdirSync("seeds").sort().map((f) => readFileSync(join("seeds", f)));
  const big = bigWideTable("seeds/003_ace059b0f710521b.txt", 50 * 2 ** 20);
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    for (const b of seedFiles) {
      try {
        parseDocument(b);
      } catch {
        // a refusal still costs parse time; counted the same
      }
      bytes += b.length;
    }
  }
  try {
    parseDocument(big);
  } catch {
    // ditto
  }
  bytes += big.length;
  return bytes / 2 ** 20 / ((performance.now() - t0) / 1000);
}

// ---- queries: 2–6 character fragments, whole names, department words ----
function cjkFragment(s: string, r: () => number): string | null {
  const runs = s.normalize("NFKC").match(/[\u4e00-\u9fff]{2,}/g);
  if (!runs) return null;
  const run = runs[Math.floor(r() * runs.length)]!;
  const len = Math.min(run.length, 2 + Math.floor(r() * 5));
  const at = Math.floor(r() * (run.length - len + 1));
  return run.slice(at, at + len);
}

function makeQueries(projects: Array<Project & { department: string | null }>, departments: string[]): string[] {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: string[] = [];
  while (out.length < QUERIES) {
    const p = pick(projects);
    const kind = r();
    let q: string | null;
    if (kind < 0.45) q = cjkFragment(p.name, r);
    else if (kind < 0.55) q = cjkFragment(p.goal ?? "", r);
    else if (kind < 0.8) q = p.name;
    else {
      const d = pick(departments);
      q = pick([d, ...departmentAliases(d)]);
    }
    if (q) out.push(q);
  }
  return out;
}

function haystack(p: Project, department: string | null): string {
  const parts = [p.name, p.unit ?? "", department ?? "", p.goal ?? ""];
  for (const i of p.indicators) parts.push(i.name, i.description ?? "", i.periodValue ?? "", i.annualValue ?? "");
  return normalizeForSearch(parts.join("\n"));
}

/** Mean over queries with any truth of |top-k ∩ truth| / min(k, |truth|). */
function recall(results: number[][], truth: Array<Set<number>>): number {
  let sum = 0;
  let n = 0;
  results.forEach((ids, i) => {
    const t = truth[i]!;
    if (t.size === 0) return;
    sum += ids.filter((id) => t.has(id)).length / Math.min(LIMIT, t.size);
    n++;
  });
  return n ? sum / n : 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "budget-bench-"));
  try {
    const parseMBps = measureParse();
    say(`parse: ${round(parseMBps)} MB/s (seeds ×20 + a 50 MB wide table)`);

    const seeds = loadSeeds();
    const corpus = syntheticCorpus(seeds.docs, PROJECTS);
    say(`corpus: ${corpus.length} documents, ${PROJECTS} projects (seeds via ${seeds.source})`);

    // ---- ingest (store + long-text index; the CLI does not build the in-memory index) ----
    const dbPath = join(dir, "bench.db");
    const catalog = openCatalog(dbPath);
    const shas = corpus.map((d, i) => sha256Hex(Buffer.from(`${i}:${d.department}:${d.projects.length}`)));
    let t0 = performance.now();
    corpus.forEach((d, i) => catalog.ingestParsed(`synthetic-${i}.txt`, shas[i]!, d));
    const ingestProjectsPerSec = PROJECTS / ((performance.now() - t0) / 1000);
    catalog.db.pragma("wal_checkpoint(TRUNCATE)");
    catalog.close();
    say(`ingest: ${Math.round(ingestProjectsPerSec)} projects/s`);

    // ---- truth: ids as stored (documents and projects are numbered in ingest order) ----
    const flat: Array<Project & { department: string | null; id: number }> = [];
    let id = 1;
    for (const d of corpus) for (const p of d.projects) flat.push({ ...p, department: d.department, id: id++ });
    const departments = [...new Set(corpus.map((d) => d.department!))];
    const queries = makeQueries(flat, departments);
    const hay = flat.map((p) => haystack(p, p.department));
    const truth = queries.map((q) => {
      const nq = normalizeForSearch(q);
      const s = new Set<number>();
      hay.forEach((h, i) => {
        if (h.includes(nq)) s.add(flat[i]!.id);
      });
      return s;
    });

    // ---- the real thing, in a fresh process ----
    const queriesPath = join(dir, "queries.json");
    const outPath = join(dir, "out.json");
    writeFileSync(queriesPath, JSON.stringify(queries));
    execFileSync(process.execPath, ["--import", "tsx", new URL("./search-worker.ts", import.meta.url).pathname, dbPath, queriesPath, outPath], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const w = JSON.parse(readFileSync(outPath, "utf8")) as {
      indexBuildMs: number;
      coldStartMs: number;
      latencies: number[];
      hits: number[][];
      rssMB: number;
      answers: Record<string, number>;
    };
    const searchRecall = recall(w.hits, truth);
    say(`index build: ${round(w.indexBuildMs, 0)} ms; cold start: ${round(w.coldStartMs, 0)} ms; RSS: ${round(w.rssMB, 0)} MB`);

    // ---- baseline 1: FTS5 trigram over the same text, LIKE for queries under 3 characters ----
    const fts = new Database(join(dir, "fts.db"));
    fts.pragma("journal_mode = WAL");
    fts.exec(`CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')`);
    const ins = fts.prepare(`INSERT INTO t (rowid, body) VALUES (?, ?)`);
    fts.transaction(() => hay.forEach((h, i) => ins.run(flat[i]!.id, h)))();
    const match = fts.prepare(`SELECT rowid AS id FROM t WHERE t MATCH ? ORDER BY rank LIMIT ${LIMIT}`);
    const like = fts.prepare(`SELECT rowid AS id FROM t WHERE body LIKE ? LIMIT ${LIMIT}`);
    const ftsLat: number[] = [];
    const ftsHits = queries.map((q) => {
      const nq = normalizeForSearch(q);
      const s = performance.now();
      const rows = (Array.from(nq).length >= 3 ? match.all(`"${nq.replace(/"/g, '""')}"`) : like.all(`%${nq}%`)) as Array<{ id: number }>;
      ftsLat.push(performance.now() - s);
      return rows.map((r) => r.id);
    });
    fts.close();

    // ---- baseline 2: String.includes over every project's text ----
    const scanLat: number[] = [];
    const scanHits = queries.map((q) => {
      const s = performance.now();
      const nq = normalizeForSearch(q);
      const found: number[] = [];
      for (let i = 0; i < hay.length; i++) if (hay[i]!.includes(nq)) found.push(flat[i]!.id);
      scanLat.push(performance.now() - s);
      return found.slice(0, LIMIT);
    });

    const result: Record<string, number> = {
      parseMBps: round(parseMBps),
      ingestProjectsPerSec: Math.round(ingestProjectsPerSec),
      indexBuildMs: round(w.indexBuildMs, 0),
      coldStartMs: round(w.coldStartMs, 0),
      searchP50Ms: round(percentile(w.latencies, 50)),
      searchP99Ms: round(percentile(w.latencies, 99)),
      searchRecall: round(searchRecall, 4),
      fts5P50Ms: round(percentile(ftsLat, 50)),
      fts5P99Ms: round(percentile(ftsLat, 99)),
      fts5Recall: round(recall(ftsHits, truth), 4),
      scanP50Ms: round(percentile(scanLat, 50)),
      scanP99Ms: round(percentile(scanLat, 99)),
      scanRecall: round(recall(scanHits, truth), 4),
      rssMB: round(w.rssMB, 0),
      ...w.answers,
    };
    if (JSON_OUT) {
      process.stdout.write(JSON.stringify(result) + "\n");
    } else {
      say("");
      say(`search (bigram index + FTS5 long text)  p50 ${result.searchP50Ms} ms  p99 ${result.searchP99Ms} ms  recall ${result.searchRecall}`);
      say(`baseline FTS5 trigram (+LIKE <3 chars)  p50 ${result.fts5P50Ms} ms  p99 ${result.fts5P99Ms} ms  recall ${result.fts5Recall}`);
      say(`baseline String.includes scan           p50 ${result.scanP50Ms} ms  p99 ${result.scanP99Ms} ms  recall ${result.scanRecall}`);
      for (const [k, v] of Object.entries(w.answers)) say(`${k}: ${v}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
