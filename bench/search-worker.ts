// Runs in a fresh process so cold start and RSS are those of a real start:
// open the database, build the search index, answer the benchmark queries.
// argv: <db> <queries.json> <out.json>
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { openCatalog } from "../index/open.ts";

const [dbPath, queriesPath, outPath] = process.argv.slice(2) as [string, string, string];
const queries = JSON.parse(readFileSync(queriesPath, "utf8")) as string[];
const LIMIT = 10;

const t0 = performance.now();
const catalog = openCatalog(dbPath);
const indexBuildMs = catalog.warmUp();
catalog.searchProjects("经费", { limit: LIMIT });
const coldStartMs = performance.now() - t0;

const latencies: number[] = [];
const hits: number[][] = [];
for (const q of queries) {
  const s = performance.now();
  const found = catalog.searchProjects(q, { limit: LIMIT });
  latencies.push(performance.now() - s);
  hits.push(found.map((h) => h.project.id));
}
if (process.env.BENCH_SLOW) {
  const slow = queries.map((q, i) => [latencies[i]!, q] as const).sort((a, b) => b[0] - a[0]).slice(0, 15);
  for (const [ms, q] of slow) process.stderr.write(`slow ${ms.toFixed(1)} ms  ${q}\n`);
}
const rssMB = process.memoryUsage().rss / 2 ** 20;

// The query engineer's hook: bench/answer.ts exporting
//   measureAnswers(catalog: CatalogHandle): Promise<{ answerP50Ms: number; answerP99Ms: number }>
let answers: Record<string, number> = {};
const answerModule = new URL("./answer.ts", import.meta.url);
if (existsSync(answerModule)) {
  const mod = (await import(answerModule.href)) as {
    measureAnswers?: (c: typeof catalog) => Promise<Record<string, number>>;
  };
  if (mod.measureAnswers) answers = await mod.measureAnswers(catalog);
}
catalog.close();
writeFileSync(outPath, JSON.stringify({ indexBuildMs, coldStartMs, latencies, hits, rssMB, answers }));
