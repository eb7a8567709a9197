// `budget-bot ingest <file|dir>... [--db PATH]`: progress on a terminal, plain lines otherwise,
// a summary table at the end; exit 1 if anything was refused.
import { statSync } from "node:fs";
import { basename } from "node:path";
import cliProgress from "cli-progress";
import { loadSettings } from "../config.ts";
import { formatAmount } from "../money.ts";
import type { IngestEvent } from "../../index/events.ts";
import { filesIn } from "../../index/ingest.ts";
import { openCatalog } from "../../index/open.ts";

/** Files named on the command line, directories expanded to their regular files, sorted. */
export function expandPaths(paths: string[]): Array<{ path: string; error?: string }> {
  const out: Array<{ path: string; error?: string }> = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      out.push({ path: p, error: (err as NodeJS.ErrnoException).code ?? String(err) });
      continue;
    }
    if (!st.isDirectory()) {
      out.push({ path: p });
      continue;
    }
    for (const f of filesIn(p)) out.push({ path: f });
  }
  return out;
}

export async function runIngest(paths: string[], opts: { db?: string }): Promise<number> {
  const dbPath = opts.db ?? loadSettings().BUDGET_DB;
  const files = expandPaths(paths);
  const catalog = openCatalog(dbPath);
  const results: Array<{ file: string; event: IngestEvent }> = [];
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: "入库 [{bar}] {value}/{total} {file}", hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(files.length, 0, { file: "" });
  try {
    files.forEach((f, i) => {
      const event: IngestEvent = f.error
        ? { kind: "refused", sourceName: basename(f.path), reason: `无法读取文件（${f.error}）`, code: "unreadable" }
        : catalog.ingestFile(f.path);
      results.push({ file: f.path, event });
      if (bar) bar.update(i + 1, { file: basename(f.path) });
      else process.stderr.write(`[${i + 1}/${files.length}] ${f.path}: ${outcome(event)}\n`);
    });
  } finally {
    bar?.stop();
    catalog.close();
  }
  for (const { file, event } of results) {
    if (event.kind === "refused") process.stderr.write(`budget-bot: ${file} refused (${event.code}): ${event.reason}\n`);
  }
  process.stdout.write(summaryTable(results));
  return results.some((r) => r.event.kind === "refused") ? 1 : 0;
}

function outcome(e: IngestEvent): string {
  switch (e.kind) {
    case "ingested":
      return e.replaced ? "已更新（替换旧版本）" : "已入库";
    case "duplicate":
      return `重复，已跳过（与 ${e.existing.sourceName} 相同）`;
    case "refused":
      return `拒绝：${e.reason}`;
  }
}

/** Display width: CJK and full-width characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - width(s)));

export function summaryTable(results: Array<{ file: string; event: IngestEvent }>): string {
  const rows = results.map(({ file, event: e }) => {
    const name = basename(file);
    if (e.kind === "refused") return [name, "", "", "", "", `拒绝：${e.reason}`];
    const d = e.kind === "ingested" ? e.document : e.existing;
    return [name, d.department ?? "（未注明）", String(d.projectCount), formatAmount(d.total), String(d.warnings.length), outcome(e)];
  });
  const header = ["文件", "部门", "项目数", "合计（万元）", "提示", "结果"];
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i]!)).join("  ").trimEnd();
  const counts = { ingested: 0, duplicate: 0, refused: 0 };
  for (const r of results) counts[r.event.kind]++;
  return [
    line(header),
    ...rows.map(line),
    `共 ${results.length} 个文件：入库 ${counts.ingested}，重复 ${counts.duplicate}，拒绝 ${counts.refused}`,
  ].join("\n") + "\n";
}
