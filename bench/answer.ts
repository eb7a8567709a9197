// Answer latency for `npm run bench`: whole question → Answer → rendered (text, Telegram HTML,
// Feishu card), over the sample questions (and a few more of each kind). bench/search-worker.ts
// calls measureAnswers(catalog) on the 100k corpus; it also measures the five seeds itself.
// Standalone: `node --import tsx bench/answer.ts` prints the seeds figures.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Catalog } from "../index/catalog.ts";
import { openCatalog } from "../index/open.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import { renderFeishuCard } from "../src/render/feishu.ts";
import { renderTelegram } from "../src/render/telegram.ts";
import { renderText } from "../src/render/text.ts";

const ROOT = join(import.meta.dirname, "..");
const SAMPLE = join(ROOT, "..", "shared", "eval", "sample-questions.jsonl");
const ROUNDS = 10;

/** Questions of every kind the engine answers, beyond the checker's sample. */
const EXTRA = [
  "平安通项目预算多少？",
  "青年地带有多少钱",
  "平安通的应答及时率目标是多少",
  "志愿服务系统升级改造项目的绩效指标",
  "天津团市委有哪些项目",
  "民政局预算最高的三个项目",
  "超过1000万的项目",
  "预算不到5万的项目",
  "平安同",
  "pingantong",
  "养老",
];

export function benchQuestions(): string[] {
  const sample = existsSync(SAMPLE)
    ? readFileSync(SAMPLE, "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { q: string }).q)
    : [];
  return [...sample, ...EXTRA];
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (n: number) => Math.round(n * 100) / 100;

/** p50/p99 in ms of question → rendered answer, each question in a fresh chat, after one warm-up round. */
export async function answerLatency(catalog: Catalog, questions = benchQuestions()): Promise<{ p50: number; p99: number }> {
  const engine = createQueryEngine(catalog);
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, q] of questions.entries()) {
      const t0 = performance.now();
      const a = await engine.ask(q, { chatKey: `bench-${round}-${i}` });
      renderText(a);
      renderTelegram(a);
      renderFeishuCard(a);
      if (round > 0) times.push(performance.now() - t0);
    }
  }
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
}

export async function seedsAnswerLatency(): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), "budget-bench-answer-"));
  const catalog = openCatalog(join(dir, "seeds.db"));
  try {
    const seeds = join(ROOT, "seeds");
    for (const f of readdirSync(seeds).sort()) catalog.ingestFile(join(seeds, f));
    catalog.warmUp();
    return await answerLatency(catalog);
  } finally {
    catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The hook bench/search-worker.ts calls with the 100k-project catalog. */
export async function measureAnswers(catalog: Catalog): Promise<Record<string, number>> {
  const big = await answerLatency(catalog);
  const seeds = await seedsAnswerLatency();
  return { answerP50Ms: big.p50, answerP99Ms: big.p99, answerSeedsP50Ms: seeds.p50, answerSeedsP99Ms: seeds.p99 };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const s = await seedsAnswerLatency();
  process.stdout.write(JSON.stringify({ answerSeedsP50Ms: s.p50, answerSeedsP99Ms: s.p99 }) + "\n");
}
