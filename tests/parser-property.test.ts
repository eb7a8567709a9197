// Robustness: whatever bytes come in, the parser returns a schema-valid document or throws a
// ParseError — nothing else — and stays fast on pathological input.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError, ParsedDocumentSchema } from "../src/domain.ts";
import { parseDocument } from "../src/parser/index.ts";

const SEEDS = join(import.meta.dirname, "..", "seeds");
const seeds = readdirSync(SEEDS)
  .sort()
  .map((f) => readFileSync(join(SEEDS, f)));
const enc = new TextEncoder();

/** "doc" for a schema-valid document, "refused" for a ParseError; anything else fails the test. */
function outcome(bytes: Uint8Array): "doc" | "refused" {
  try {
    const doc = parseDocument(bytes);
    expect(ParsedDocumentSchema.safeParse(doc).success).toBe(true);
    return "doc";
  } catch (err) {
    if (err instanceof ParseError) return "refused";
    throw err;
  }
}

describe("parseDocument never fails other than with ParseError", () => {
  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => void outcome(bytes)), { numRuns: 300 });
  });

  it("random text made of table material (tabs, amounts, markers, tags)", () => {
    const token = fc.constantFrom("项目名称", "总计", "合计", "财政拨款", "绩效目标", "绩效指标", "\t", "\n", "12.50", "1,000.00", "0", "-",
      "1、", "2-", "产出指标", "效益指标", "满意指标", "；", "：", "，", "。", "年度指标值：", "实施周期指标值:", "<p>", "</p>", "单位：元", "部门名称：", "中心", " ");
    fc.assert(fc.property(fc.array(token, { maxLength: 400 }), (tokens) => void outcome(enc.encode(tokens.join("")))), { numRuns: 300 });
  });

  it("truncated seeds", () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (i, cut) => {
        const seed = seeds[i]!;
        void outcome(seed.subarray(0, Math.floor(seed.length * cut))); // may cut inside a UTF-8 character
      }),
      { numRuns: 150 },
    );
  });

  it("seeds with shuffled lines", () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.integer(), (i, seed) => {
        const lines = seeds[i]!.toString("utf8").split("\n");
        let s = seed >>> 0;
        for (let k = lines.length - 1; k > 0; k--) {
          s = (s * 1103515245 + 12345) % 2147483648;
          const j = s % (k + 1);
          [lines[k], lines[j]] = [lines[j]!, lines[k]!];
        }
        void outcome(enc.encode(lines.join("\n")));
      }),
      { numRuns: 100 },
    );
  });

  it("seeds with lines dropped or duplicated still give a document or a refusal", () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 20 }), (i, edits) => {
        const lines = seeds[i]!.toString("utf8").split("\n");
        for (const [at, dup] of edits) {
          const k = at % lines.length;
          if (dup) lines.splice(k, 0, lines[k]!);
          else lines.splice(k, 1);
        }
        void outcome(enc.encode(lines.join("\n")));
      }),
      { numRuns: 100 },
    );
  });
});

describe("speed on pathological input", () => {
  const header = "项目支出绩效目标表\n单位：万元\n项目名称\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标\n";
  const FIVE_MB = 5 * 1024 * 1024;
  const timed = (text: string) => {
    const bytes = enc.encode(text);
    const t0 = performance.now();
    const result = outcome(bytes);
    return { ms: performance.now() - t0, result, size: bytes.length };
  };

  it("a project row whose indicator cell is one 5 MB line finishes well under a second", () => {
    const item = "1、1-产出指标；11-数量指标；活动场次；实施周期指标值：不少于4场；年度指标值：不少于4场。";
    const { ms, result, size } = timed(`${header}测试项目\t1.00\t1.00\t\t\t目标\t${item.repeat(Math.ceil(FIVE_MB / enc.encode(item).length))}`);
    expect(size).toBeGreaterThanOrEqual(FIVE_MB);
    expect(result).toBe("doc");
    expect(ms).toBeLessThan(1000);
  });

  for (const [name, unit] of [
    ["unclosed tags", "<a"],
    ["digits and 、", "1、"],
    ["stops", "。"],
    ["letters", "x"],
  ] as const)
    it(`a 5 MB line of ${name} finishes well under a second`, () => {
      const { ms } = timed(header + "测试项目\t1.00\t1.00\t\t\t目标\t1、产出指标：" + unit.repeat(Math.ceil(FIVE_MB / enc.encode(unit).length)));
      expect(ms).toBeLessThan(1000);
    });

  it("a file of 5 MB whose only line has no table finishes quickly", () => {
    const { ms, result } = timed("中文字符".repeat(FIVE_MB / 12));
    expect(result).toBe("refused");
    expect(ms).toBeLessThan(1000);
  });
});
