// Decoding: UTF-8 with/without BOM, UTF-16 with BOM, GBK/GB18030; refusals for empty, binary and
// non-budget input.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ParseError } from "../src/domain.ts";
import { decodeBytes, detectLayout, parseDocument } from "../src/parser/index.ts";

const SEEDS = join(import.meta.dirname, "..", "seeds");
const seedBytes = (prefix: string) => readFileSync(join(SEEDS, readdirSync(SEEDS).find((f) => f.startsWith(prefix))!));

/**
 * A GBK encoder built honestly from Node's own GB18030 decoder: decode every two-byte code once
 * and invert the table (Node has no GBK encoder).
 */
function gbkEncoder(): (text: string) => Uint8Array {
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++)
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) pairs.push(lead, trail);
  const decoded = new TextDecoder("gb18030").decode(new Uint8Array(pairs));
  expect(decoded.length).toBe(pairs.length / 2); // one BMP character per two-byte code
  const table = new Map<string, [number, number]>();
  for (let i = 0; i < decoded.length; i++) if (!table.has(decoded[i]!)) table.set(decoded[i]!, [pairs[2 * i]!, pairs[2 * i + 1]!]);
  return (text) => {
    const out: number[] = [];
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      if (code < 0x80) out.push(code);
      else {
        const bytes = table.get(ch);
        if (!bytes) throw new Error(`no GBK code for ${ch}`);
        out.push(...bytes);
      }
    }
    return new Uint8Array(out);
  };
}

const refusal = (bytes: Uint8Array) => {
  try {
    parseDocument(bytes);
  } catch (err) {
    if (err instanceof ParseError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("not refused");
};

describe("encodings", () => {
  const toGbk = gbkEncoder();

  for (const prefix of ["000", "001", "003", "004"])
    it(`a GBK copy of seed ${prefix} parses to the same JSON as the UTF-8 original`, () => {
      const utf8 = seedBytes(prefix);
      const gbk = toGbk(utf8.toString("utf8"));
      expect(Buffer.from(gbk).equals(utf8)).toBe(false); // really a different byte sequence
      expect(decodeBytes(gbk).encoding).toBe("gb18030");
      expect(JSON.stringify(parseDocument(gbk))).toBe(JSON.stringify(parseDocument(utf8)));
    });

  it("reads UTF-8 with a BOM", () => {
    const utf8 = seedBytes("001");
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    expect(parseDocument(withBom)).toEqual(parseDocument(utf8));
  });

  it("reads UTF-16LE with a BOM", () => {
    const text = seedBytes("004").toString("utf8");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    expect(parseDocument(utf16)).toEqual(parseDocument(seedBytes("004")));
  });

  it("detects the layout of every seed", () => {
    const layouts = ["000", "001", "002", "003", "004"].map((p) => detectLayout(seedBytes(p).toString("utf8")));
    expect(layouts).toEqual(["wide-table", "wide-table", "project-cards", "wide-table", "wide-table"]);
  });
});

describe("refusals", () => {
  it("refuses an empty file", () => {
    expect(refusal(new Uint8Array())).toEqual({ code: "empty", message: "文件为空，没有可解析的内容" });
    expect(refusal(new TextEncoder().encode(" \n\r\n\t "))).toMatchObject({ code: "empty" });
  });

  it("refuses a binary file", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(refusal(png)).toMatchObject({ code: "binary" });
    expect(refusal(png).message).toMatch(/二进制/);
  });

  it("refuses a text that is not a budget table", () => {
    const r = refusal(new TextEncoder().encode("会议纪要\n\n今天讨论了预算编制的时间安排。\n项目名称：暂无\n"));
    expect(r.code).toBe("not-budget");
    expect(r.message).toMatch(/^未找到项目支出绩效目标表/);
  });

  it("refuses a table header with no project rows", () => {
    const r = refusal(new TextEncoder().encode("项目名称\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标\n合计\t0.00\t0.00\n"));
    expect(r.code).toBe("no-projects");
  });
});
