// Indicators of one project: by level, or the one a question names ("应答及时率", "几场活动").
import { PARENT_OF_LEVEL2 } from "../parser/taxonomy.ts";
import type { Indicator, Level1, Level2 } from "../domain.ts";
import { lcsLength, nameFit } from "./similarity.ts";
import { compactName } from "./text.ts";

export interface LevelSelection {
  items: Indicator[];
  /** Chinese note when the selection had to widen (the table has no level-2 labels). */
  note?: string;
}

export function selectByLevel(indicators: Indicator[], level1?: Level1, level2?: Level2): LevelSelection {
  if (level2) {
    const exact = indicators.filter((i) => i.level2 === level2);
    if (exact.length) return { items: exact };
    const parent = PARENT_OF_LEVEL2[level2];
    const unlabeled = indicators.filter((i) => i.level1 === parent && i.level2 == null);
    if (unlabeled.length) return { items: unlabeled, note: `该项目的指标未细分二级指标，以下为全部${parent}` };
    return { items: [] };
  }
  if (level1) return { items: indicators.filter((i) => i.level1 === level1) };
  return { items: indicators };
}

// Words of the question that say nothing about which indicator: 要/全年/目标/多少 …
const ASK_WORDS = /全年|年度|每年|今年|一年|计划|预计|需要|要|将|能|应|共|累计|达到|完成|实现|目标值?|指标值?|是|为|多少|几|的|了|有|吗|呢|个数/g;
const COUNTER = /(?:多少|几)\s*(个|场|次|人次|人|户|家|名|所|篇|期|项|条|天|小时|套|台|份|处|批|支|座|间|辆|本|册|张|部|门|节)/;

/** What is left of an indicator phrase once the asking words go ("是多少" → ""). */
export const indicatorWords = (phrase: string): string => compactName(phrase.replace(ASK_WORDS, ""));

export interface IndicatorMatch {
  indicator: Indicator;
  score: number;
}

/** Indicators ranked by how well they fit the asked phrase; the best first. */
export function matchIndicators(indicators: Indicator[], phrase: string): IndicatorMatch[] {
  const core = compactName(phrase.replace(ASK_WORDS, "")) || compactName(phrase);
  const counter = COUNTER.exec(phrase)?.[1];
  const ql = [...core].length;
  return indicators
    .map((indicator) => {
      const name = compactName(indicator.name);
      const all = compactName([indicator.name, indicator.description, indicator.annualValue, indicator.periodValue].filter(Boolean).join(""));
      const byName = nameFit(core, name).score;
      const byText = ql ? (0.6 * lcsLength(core, all)) / ql : 0;
      const value = `${indicator.annualValue ?? ""}${indicator.periodValue ?? ""}`;
      const bonus = counter && value.includes(counter) ? 0.1 : 0;
      return { indicator, score: Math.max(byName, byText) + bonus };
    })
    .sort((a, b) => b.score - a.score);
}

/** Below this the phrase names no indicator of the project. */
export const INDICATOR_MIN_SCORE = 0.45;
