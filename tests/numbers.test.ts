import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { findAmounts, parseAmountWan, parseChineseNumeral, parseCount } from "../src/query/numbers.ts";
import { findBounds } from "../src/query/rules.ts";
import { formatAmount, sumAmounts } from "../src/money.ts";

describe("Chinese numerals", () => {
  it.each([
    ["三", 3],
    ["十", 10],
    ["十五", 15],
    ["二十五", 25],
    ["两", 2],
    ["一百零五", 105],
    ["三千", 3000],
    ["两万", 20000],
    ["一万五千", 15000],
    ["一亿", 100000000],
  ])("%s → %d", (s, n) => expect(parseChineseNumeral(s)).toBe(n));

  it("refuses what is not a numeral", () => {
    expect(parseChineseNumeral("三个")).toBeNull();
    expect(parseChineseNumeral("")).toBeNull();
  });

  it("reads counts written either way", () => {
    expect(parseCount("3")).toBe(3);
    expect(parseCount("３")).toBe(3);
    expect(parseCount("十")).toBe(10);
  });

  it("agrees with Arabic numbers for every value below 10000 (property)", () => {
    const digit = "零一二三四五六七八九";
    const toChinese = (n: number): string => {
      // Standard reading: 千/百/十 places, 零 for a gap, "一十" written as 十 at the start.
      const parts: string[] = [];
      const places: Array<[number, string]> = [[1000, "千"], [100, "百"], [10, "十"], [1, ""]];
      let zero = false;
      for (const [p, u] of places) {
        const d = Math.floor(n / p) % 10;
        if (d === 0) {
          if (parts.length) zero = true;
          continue;
        }
        if (zero) parts.push("零");
        zero = false;
        parts.push((d === 1 && u === "十" && !parts.length ? "" : digit[d]) + u);
      }
      return parts.join("") || "零";
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), (n) => parseChineseNumeral(toChinese(n)) === n));
  });
});

describe("amounts → 万元", () => {
  it.each([
    ["1000万", 1000],
    ["5万元", 5],
    ["5万", 5],
    ["1.5亿", 15000],
    ["两亿", 20000],
    ["50000元", 5],
    ["500000元", 50],
    ["一千万", 1000],
    ["5百万", 500],
    ["1,000万", 1000],
    ["300", 300],
    ["０.５万", 0.5],
  ])("%s → %d 万元", (s, v) => expect(parseAmountWan(s)).toBe(v));

  it("finds amounts in a sentence, with and without units", () => {
    const found = findAmounts("预算在500到600万之间");
    expect(found.map((a) => [a.wan, a.hasUnit])).toEqual([
      [500, false],
      [600, true],
    ]);
  });
});

describe("amount bounds in questions", () => {
  it("超过 is strict: the next cent", () => expect(findBounds("超过1000万的项目")).toMatchObject({ min: 1000.01 }));
  it("不到 is strict", () => expect(findBounds("预算不到5万的项目")).toMatchObject({ max: 4.99 }));
  it("以上 / 以下 include the figure", () => {
    expect(findBounds("1000万以上的项目")).toMatchObject({ min: 1000 });
    expect(findBounds("5万元以下的项目")).toMatchObject({ max: 5 });
  });
  it("a range; the first number takes the second's unit", () => {
    expect(findBounds("预算在500万到600万之间的项目")).toMatchObject({ min: 500, max: 600 });
    expect(findBounds("预算在500到600万之间的项目")).toMatchObject({ min: 500, max: 600 });
    expect(findBounds("预算在一百万至两百万之间")).toMatchObject({ min: 100, max: 200 });
  });
  it("yuan and 亿", () => {
    expect(findBounds("超过500000元的项目")).toMatchObject({ min: 50.01 });
    expect(findBounds("不少于1亿的项目")).toMatchObject({ min: 10000 });
  });
  it("both bounds", () => expect(findBounds("预算大于100万小于200万的项目")).toMatchObject({ min: 100.01, max: 199.99 }));
  it("counts of other things are not budget bounds", () => {
    expect(findBounds("应答时间少于6秒的指标")).toBeNull();
    expect(findBounds("超过100人次的项目")).toBeNull();
  });
});

describe("exact money", () => {
  it("0.1 + 0.2 prints 0.30", () => expect(formatAmount(sumAmounts([0.1, 0.2]))).toBe("0.30"));
  it("sums of table figures have no float drift", () => {
    // 预算不到5万的项目 in the seeds: 3.25 + 3.20 + 1.80 + 0.50.
    expect(formatAmount(sumAmounts([3.25, 3.2, 1.8, 0.5]))).toBe("8.75");
  });
});
