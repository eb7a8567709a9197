// `budget-bot parse <file> [--json]`: one file in, ParsedDocument JSON or a short summary out.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { ParseError, type ParsedDocument } from "../domain.ts";
import { parseDocument } from "../parser/index.ts";
import { formatAmount, sumAmounts } from "../money.ts";

export function runParse(file: string, opts: { json?: boolean }): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    process.stderr.write(`budget-bot: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return 2;
  }
  let doc: ParsedDocument;
  try {
    doc = parseDocument(bytes);
  } catch (err) {
    if (err instanceof ParseError) {
      process.stderr.write(`budget-bot: ${basename(file)} refused (${err.code}): ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(opts.json ? JSON.stringify(doc, null, 2) + "\n" : summary(basename(file), doc));
  return 0;
}

function summary(name: string, doc: ParsedDocument): string {
  const total = sumAmounts(doc.projects.map((p) => p.total));
  const lines = [
    `文件：${name}`,
    `部门：${doc.department ?? "（未注明）"}`,
    `年度：${doc.year ?? "（未注明）"}`,
    `版式：${doc.layout === "wide-table" ? "宽表" : "项目卡片"}`,
    `资金使用单位：${doc.units.length ? doc.units.map((u) => u.name).join("、") : "（无）"}`,
    `项目数：${doc.projects.length}`,
    `项目合计：${formatAmount(total)} 万元` + (doc.declaredTotal != null ? `（表中合计 ${formatAmount(doc.declaredTotal)} 万元）` : ""),
    ...(doc.warnings.length ? ["提示：", ...doc.warnings.map((w) => `  - ${w}`)] : ["提示：无"]),
  ];
  return lines.join("\n") + "\n";
}
