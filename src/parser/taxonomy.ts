// The national indicator taxonomy: canonical level-1/level-2 names from codes, short forms and typos.
import type { Level1, Level2 } from "../domain.ts";

const LEVEL1_BY_CODE: Record<string, Level1> = { "1": "产出指标", "2": "效益指标", "3": "满意度指标" };

const LEVEL2_BY_CODE: Record<string, Level2> = {
  "11": "数量指标",
  "12": "质量指标",
  "13": "时效指标",
  "14": "成本指标",
  "21": "经济效益指标",
  "22": "社会效益指标",
  "23": "生态效益指标",
  "24": "可持续影响指标",
  "31": "服务对象满意度指标",
};

/** Level-1 parent of each level-2 name. */
export const PARENT_OF_LEVEL2: Record<Level2, Level1> = {
  数量指标: "产出指标",
  质量指标: "产出指标",
  时效指标: "产出指标",
  成本指标: "产出指标",
  经济效益指标: "效益指标",
  社会效益指标: "效益指标",
  生态效益指标: "效益指标",
  可持续影响指标: "效益指标",
  服务对象满意度指标: "满意度指标",
};

const stripCode = (s: string) => s.replace(/\s+/g, "").replace(/^(\d{1,2})\s*[-－—.、．]\s*/, "");
const codeOf = (s: string) => /^(\d{1,2})\s*[-－—.、．]/.exec(s.replace(/\s+/g, ""))?.[1];

/** "1-产出指标", "产出", "满意指标" → canonical level-1 name, or null when not a level-1 label. */
export function canonicalLevel1(raw: string): Level1 | null {
  const code = codeOf(raw);
  const name = stripCode(raw);
  if (/^产出(指标)?$/.test(name)) return "产出指标";
  if (/^效益(指标)?$/.test(name)) return "效益指标";
  if (/^满意度?(指标)?$/.test(name)) return "满意度指标";
  if (name === "" && code && LEVEL1_BY_CODE[code]) return LEVEL1_BY_CODE[code];
  return null;
}

/** "22-社会效益", "可持续影响", "服务对象满意度" → canonical level-2 name, or null. */
export function canonicalLevel2(raw: string): Level2 | null {
  const code = codeOf(raw);
  const name = stripCode(raw).replace(/指标$/, "");
  switch (name) {
    case "数量":
      return "数量指标";
    case "质量":
      return "质量指标";
    case "时效":
      return "时效指标";
    case "成本":
      return "成本指标";
    case "经济效益":
      return "经济效益指标";
    case "社会效益":
      return "社会效益指标";
    case "生态效益":
      return "生态效益指标";
    case "可持续影响":
    case "可持续":
      return "可持续影响指标";
    case "服务对象满意度":
    case "服务对象满意":
    case "满意度":
      return "服务对象满意度指标";
  }
  if (name === "" && code && LEVEL2_BY_CODE[code]) return LEVEL2_BY_CODE[code];
  return null;
}
