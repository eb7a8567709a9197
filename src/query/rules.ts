// The rule-based IntentParser: slash commands, Chinese command words, then free questions by
// their telltale phrasing. Input is already normalized (Simplified, NFKC; see text.ts).
import type { Level1, Level2 } from "../domain.ts";
import { IntentSchema, type Intent, type IntentParser } from "./intent.ts";
import { AMOUNT_SOURCE, CHINESE_NUMERAL, parseAmountWan, parseCount } from "./numbers.ts";
import { formatAmount } from "../money.ts";
import type { AskContext } from "./types.ts";

const LEADING_FILLERS =
  /^(?:请问一下|请问|请帮我|帮我|帮忙|麻烦|你好|您好|想问一下|我想问|我想知道|想知道|我想了解|了解一下|告诉我|请告诉我|问一下|查一下|查一查|查询一下|查询|查查|查|看一下|看看|看|给我|列出|列一下|显示|请)+[,，:：\s]*/;
const TRAILING_PARTICLES = /[\s?？!！。.,，~～…]+$|(?:吗|呢|啊|呀|吧|(?<![什怎多那这])么|哈|哦)+$/;

/** Removes polite openings and closing particles/punctuation. */
export function trimFillers(s: string): string {
  let t = s.trim();
  for (let prev = ""; prev !== t; ) {
    prev = t;
    t = t.replace(TRAILING_PARTICLES, "").replace(LEADING_FILLERS, "").trim();
  }
  return t;
}

// Words that ask "how much" about money; stripped from the end of a budget question.
const BUDGET_TAIL = [
  "是什么项目", "是哪个项目", "是什么", "是啥", "是多少钱", "是多少", "有多少钱", "多少钱", "花了多少", "花费多少",
  "花多少", "需要多少", "要多少", "有多少", "为多少", "共多少", "多少", "几何", "情况", "详情", "信息", "介绍",
  "预算资金", "财政资金", "资金", "预算数", "预算额", "预算金额", "总预算", "预算", "财政拨款", "拨款", "总额", "金额", "总共", "一共", "合计",
  "大概", "大约", "资金使用单位", "使用单位", "所属部门", "所属单位", "哪个部门", "哪个单位", "部门", "单位",
  "属于", "归属", "由", "了", "的", "有", "是", "为", "共", "花", "用",
];

/** "平安通项目预算多少" → "平安通项目"; keeps words that are part of names (项目, 经费). */
export function stripBudgetWords(s: string): string {
  let t = trimFillers(s);
  for (let prev = ""; prev !== t; ) {
    prev = t;
    for (const w of BUDGET_TAIL) if (t.endsWith(w) && t.length > w.length) t = t.slice(0, -w.length).trim();
    t = trimFillers(t);
  }
  return t;
}

const LEVEL2_WORDS: Array<[RegExp, Level2]> = [
  [/服务对象满意度/, "服务对象满意度指标"],
  [/经济效益/, "经济效益指标"],
  [/社会效益/, "社会效益指标"],
  [/生态效益/, "生态效益指标"],
  [/可持续影响/, "可持续影响指标"],
  [/数量/, "数量指标"],
  [/质量/, "质量指标"],
  [/时效/, "时效指标"],
  [/成本/, "成本指标"],
];
const LEVEL1_WORDS: Array<[RegExp, Level1]> = [
  [/产出/, "产出指标"],
  [/效益/, "效益指标"],
  [/满意度?/, "满意度指标"],
];

/** A level word alone ("满意度", "社会效益", "成本") → its level; null otherwise. */
export function levelOf(word: string): { level1?: Level1; level2?: Level2 } | null {
  const w = word.replace(/(?:类)?指标$/, "").replace(/^的/, "");
  if (!w) return null;
  for (const [re, l2] of LEVEL2_WORDS) if (new RegExp(`^${re.source}$`).test(w)) return { level2: l2 };
  for (const [re, l1] of LEVEL1_WORDS) if (new RegExp(`^${re.source}$`).test(w)) return { level1: l1 };
  return null;
}

const COUNT = `(\\d+|${CHINESE_NUMERAL})`;
// An amount not followed by a non-money unit (秒, 个, 人, % …): 少于6秒 is not a budget bound.
const AMT = `(?:${AMOUNT_SOURCE})(?![\\d秒个人%年台场次天月日号位名条件项期届所户篇种类轮批份张本册部辆座间套只头周倍分])`;
const MIN_WORDS = "大于等于|大于或等于|高于或等于|不少于|不低于|不小于|超过|超出|高于|大于|多于|至少|起码|>=|≥|>|＞";
const MAX_WORDS = "小于等于|小于或等于|低于或等于|不超过|不高于|不大于|没有超过|未超过|没超过|不到|低于|小于|少于|不足|至多|<=|≤|<|＜";
const STRICT = /^(?:超过|超出|高于|大于|多于|>|＞|不到|低于|小于|少于|不足|<|＜)$/;

const CENT = 0.01;
const cents = (n: number) => Math.round(n * 100) / 100;

interface Bounds {
  min?: number;
  max?: number;
  description: string;
  /** The matched phrase, removed to leave the department words. */
  phrase: string;
}

function amountOf(num: string, unit: string | undefined, fallbackUnit?: string): number | null {
  return parseAmountWan(num + (unit ?? fallbackUnit ?? ""));
}

/** Amount bounds in a question: 超过1000万, 不到5万, 500万到600万之间, 1000万以上, 5万元以下. */
export function findBounds(t: string): Bounds | null {
  const range = new RegExp(`(?:在|介于|从)?\\s*${AMT}\\s*(?:到|至|~|～|-|—|－|和|与)\\s*${AMT}\\s*(?:之间|以内|范围内|区间)?`, "i").exec(t);
  if (range) {
    const hi = amountOf(range[3]!, range[4]);
    const lo = amountOf(range[1]!, range[2], range[4]); // "500到600万": 500 takes 万
    if (lo != null && hi != null) {
      const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
      return { min: a, max: b, description: `在 ${formatAmount(a)} 万元至 ${formatAmount(b)} 万元之间`, phrase: range[0] };
    }
  }
  let min: number | undefined;
  let max: number | undefined;
  const parts: string[] = [];
  let phrase = "";
  const pre = (words: string) => new RegExp(`(${words})\\s*${AMT}`, "i");
  const post = (words: string) => new RegExp(`${AMT}\\s*(?:${words})`, "i");
  const lower = pre(MIN_WORDS).exec(t);
  const lowerPost = post("以上|及以上|或以上|之上").exec(t);
  if (lower) {
    const v = amountOf(lower[2]!, lower[3]);
    if (v != null) {
      min = STRICT.test(lower[1]!) ? cents(v + CENT) : v;
      parts.push(`${STRICT.test(lower[1]!) ? "超过" : "不少于"} ${formatAmount(v)} 万元`);
      phrase += lower[0];
    }
  } else if (lowerPost) {
    const v = amountOf(lowerPost[1]!, lowerPost[2]);
    if (v != null) {
      min = v;
      parts.push(`${formatAmount(v)} 万元以上`);
      phrase += lowerPost[0];
    }
  }
  const upper = pre(MAX_WORDS).exec(t);
  const upperPost = post("以下|及以下|以内|之内|之下").exec(t);
  if (upper) {
    const v = amountOf(upper[2]!, upper[3]);
    if (v != null) {
      max = STRICT.test(upper[1]!) ? cents(v - CENT) : v;
      parts.push(`${STRICT.test(upper[1]!) ? "不到" : "不超过"} ${formatAmount(v)} 万元`);
      phrase += upper[0];
    }
  } else if (upperPost) {
    const v = amountOf(upperPost[1]!, upperPost[2]);
    if (v != null) {
      max = v;
      parts.push(`${formatAmount(v)} 万元以下`);
      phrase += upperPost[0];
    }
  }
  if (min == null && max == null) return null;
  return { min, max, description: parts.join("且"), phrase };
}

const RANK_DESC = /(?:最高|最多|最大|最贵|最高的|排名靠前|前列)/;
const RANK_ASC = /(?:最少|最低|最小|最便宜|倒数)/;
/** Department words left after the ranking/filter phrase is removed: "民政局预算最高的三个项目" → "民政局". */
function leftoverSubject(t: string, phrase: string): string {
  let s = phrase ? t.replace(phrase, " ") : t;
  s = s.replace(/项目|排行榜|排行|排名|排序|前\s*(?:\d+|[零〇一二两三四五六七八九十百]+)\s*(?:个|项|名|大)?|top\s*\d+/gi, " ");
  s = s.replace(/(?:\d+|[零〇一二两三四五六七八九十百]+)\s*(?:个|项|名|大)/g, " ");
  s = s.replace(/最高|最多|最大|最贵|最少|最低|最小|最便宜|倒数|靠前|靠后/g, " ");
  s = s.replace(/预算|金额|资金|总额|经费|拨款|花钱|花费|花的钱|用钱|钱/g, " ");
  s = s.replace(/所有|全部|哪些|哪个|哪几个|哪项|什么|是|的|在|之间|有|中|里面|里|当中|分别|按|从高到低|从低到高|由高到低|由低到高|列出/g, " ");
  return trimFillers(s.replace(/\s+/g, ""));
}

function rankingOf(t: string): Intent | null {
  const desc = RANK_DESC.test(t);
  const asc = RANK_ASC.test(t);
  const top = /(?:前|top)\s*(\d+|[零〇一二两三四五六七八九十百]+)/i.exec(t);
  const ranked = /(?:排名|排行|排序)/.test(t);
  if (!desc && !asc && !top && !ranked) return null;
  if (!/项目|预算|金额|资金|经费|排名|排行|排序|top/i.test(t)) return null;
  const counted = new RegExp(`${COUNT}\\s*(?:个|项|名|大)`).exec(t);
  const n = top ? parseCount(top[1]!) : counted ? parseCount(counted[1]!) : null;
  // "最高的项目" / "是哪个" asks for one; "排名" without a number shows a page.
  const limit = n ?? (ranked || /哪些/.test(t) ? 10 : 1);
  const subject = leftoverSubject(t, "");
  return { kind: "ranking", subject, order: asc && !desc ? "asc" : "desc", limit: Math.min(Math.max(limit, 1), 100) };
}

const DEPT_COUNT = /(?:一共|总共|共|总计)?(?:有|包括|包含)?(?:几|多少)个?项目|项目(?:总数|数|数量|个数|总量)(?:是|有)?(?:多少)?/;
const DEPT_LIST = /(?:有|包括|包含|负责)(?:哪些|什么|啥)项目|哪些项目|(?:的)?(?:所有|全部)?项目(?:有哪些|都有哪些|是哪些|有什么|列表|清单|一览)|的(?:所有|全部)?项目$/;
const DEPT_TOTAL =
  /(?:一共|总共|合计|总计|共计|总|全部|所有项目)(?:有|的)?(?:多少)?(?:预算|钱|资金|经费)(?:是|有)?(?:多少)?|(?:预算|资金|经费)(?:总额|合计|总计|总数|一共|总共|共)(?:是|有)?(?:多少)?|(?:一共|总共|合计|总计)(?:是|有)?多少(?:钱|万元)?/;

function departmentOf(t: string): Intent | null {
  for (const [re, focus] of [
    [DEPT_COUNT, "count"],
    [DEPT_LIST, "list"],
    [DEPT_TOTAL, "total"],
  ] as const) {
    const m = re.exec(t);
    if (!m) continue;
    // "X的资助项目数量是多少" counts something inside project X, not a department's projects.
    const before = t.slice(0, m.index);
    if (/的[^的]+$/.test(before)) continue;
    const subject = trimFillers(t.slice(0, m.index).replace(/(?:的|有|共有|一共|总共)$/g, "").replace(/(?:的|有|共有|一共|总共)$/g, ""));
    if (subject) return { kind: "department", subject, focus };
  }
  return null;
}

const INDICATOR_ASK_TAIL = /(?:都|分别|具体)?(?:有哪些|有什么|是什么|是啥|都有哪些|是哪些|包括哪些|包括什么|情况|列表|清单|如何|怎样|怎么样|是怎样的|设置|设定)?$/;

/** "X的绩效指标", "X的满意度指标有哪些", "X的成本指标", "X的绩效目标". */
function indicatorsOf(t: string): Intent | null {
  const body = t.replace(INDICATOR_ASK_TAIL, "");
  const m =
    /^(.+?)(?:的|之)(?:全部|所有|各项|主要|各类)?(?:绩效目标|考核目标|(?:绩效|考核)?指标)$/.exec(body) ??
    /^(.+?)(?:全部|所有|各项|主要|各类)?(?:绩效目标|考核目标|绩效指标|考核指标)$/.exec(body);
  if (m) return { kind: "project_indicators", subject: m[1]! };
  const end = /指标$/.exec(body);
  if (!end) return null;
  const head = body
    .slice(0, end.index)
    .replace(/(?:都|有|包括|包含|设置了?|设定了?|设了)?(?:哪些|什么|哪几个|几个|多少个?|几项|多少项)$/, "")
    .replace(/(?:都|有|包括|包含)$/, "");
  // The word before 指标: a level (满意度, 成本, 社会效益 …) or one indicator's name.
  const de = head.lastIndexOf("的");
  for (const [subject, word] of candidateSplits(head, de)) {
    const lvl = levelOf(word.replace(/^(?:绩效|考核)/, ""));
    if (lvl && subject) return { kind: "project_indicators", subject, ...lvl };
  }
  if (de > 0 && de < head.length - 1) return { kind: "indicator_value", subject: head.slice(0, de), indicator: head.slice(de + 1) };
  return head ? { kind: "project_indicators", subject: head } : null;
}

/** [subject, level word] pairs: after the last 的, or a known level word at the end. */
function candidateSplits(head: string, de: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (de > 0) out.push([head.slice(0, de), head.slice(de + 1)]);
  const lvl = /(服务对象满意度|经济效益|社会效益|生态效益|可持续影响|数量|质量|时效|成本|产出|效益|满意度|满意)(?:类)?$/.exec(head);
  if (lvl) out.push([head.slice(0, lvl.index).replace(/的$/, ""), lvl[1]!]);
  return out;
}

const TARGET_TAIL = /(?:的)?(?:年度|全年)?(?:目标值?|指标值|要求|标准|完成值|预期|计划)?(?:是|为|有|达到|要达到|定为|定的)?(?:多少|几|什么|啥|怎样|如何|多高)?$/;
const QUANTITY_ASK = /(?:多少|几)\s*(?:个|场|次|人次|人|户|家|名|所|篇|期|项|条|天|小时|套|台|份|处|批|支|场次|批次|万人|平方米|公里|米|所|座|间|辆|本|册|张|部|门|节|课时|学时|期)/;
const SPLIT_MARKERS = /(全年|年度|每年|今年|一年|计划|预计|需要|要|将|共|累计|能|应)/;

/** Where the project's name ends in "志愿在康园项目全年要开展几场活动" or "幸福社区建设指导督导经费要创建多少个幸福社区". */
export function splitSubject(t: string): { subject: string; indicator: string } | null {
  const de = t.indexOf("的");
  if (de > 0 && de < t.length - 1) return { subject: t.slice(0, de), indicator: t.slice(de + 1) };
  const marker = SPLIT_MARKERS.exec(t);
  if (marker && marker.index > 1) return { subject: t.slice(0, marker.index), indicator: t.slice(marker.index) };
  const name = /^(.+?(?:项目|经费|工程|资金|活动费|费))(.+)$/.exec(t);
  if (name) return { subject: name[1]!, indicator: name[2]! };
  return null;
}

const MONEY_WORDS = /预算|钱|万元|资金|经费多少|拨款|金额|花了|花费|成本多少/;
const MONEY_ONLY =
  /^(?:项目)?(?:的)?(?:总|全部|年度)?(?:预算|资金|经费|金额|拨款|财政拨款|财政资金|其他资金|钱|预算金额|预算资金|预算总额|总额|投入)(?:总额|数|额|总计|合计)?(?:是|为|有|共|一共|总共)?(?:多少|几)?(?:钱|万元|万)?$/;

/** "平安通的应答及时率目标是多少", "…要创建多少个幸福社区", "…全年要开展几场活动", "…的满意度目标". */
function indicatorValueOf(t: string): Intent | null {
  const asksTarget =
    /(?:目标值?|指标值|要求|标准)(?:是|为|有|达到)?(?:多少|几|什么|啥|多高)?$|(?:率|度|数|量|次数|人数|人次)(?:是|为|有|达到|要达到)?(?:多少|几|多高)$/.test(t) ||
    // "X的Y是多少" where Y is not money: Y is an indicator (the engine falls back to the budget when Y is empty).
    (/.的./.test(t) && /(?:是|为|有|达到|要达到)?(?:多少|几|什么|啥|多高|怎样|如何|怎么样)$/.test(t) && !/的(?:资金使用单位|单位|部门|绩效目标|目标|情况|详情)(?:是|为)?(?:什么|啥|多少|哪个)?$/.test(t));
  const asksQuantity = QUANTITY_ASK.test(t) && !MONEY_WORDS.test(t) && !/项目/.test(t.slice(t.search(/多少|几/)));
  if (!asksTarget && !asksQuantity) return null;
  const split = splitSubject(t);
  // "平安通的预算是多少", "平安通项目资金多少": money, not an indicator.
  if (split ? MONEY_ONLY.test(split.indicator) : MONEY_WORDS.test(t)) return null;
  if (!split) {
    // No visible seam ("平安通服务对象满意度是多少"): the engine finds where the name ends.
    const whole = t.replace(TARGET_TAIL, "") || t;
    return { kind: "indicator_value", subject: whole, indicator: whole };
  }
  const indicator = split.indicator.replace(TARGET_TAIL, "") || split.indicator;
  const subject = split.subject.trim();
  if (!subject) return null;
  if (asksTarget) {
    const lvl = levelOf(indicator);
    // "…的满意度目标": the satisfaction indicator(s) of the project, named by level.
    if (lvl && !/^满意度?$/.test(indicator)) return { kind: "project_indicators", subject, ...lvl };
  }
  return { kind: "indicator_value", subject, indicator };
}

function slashCommand(t: string): Intent | null {
  const m = /^\/([a-z_]+)(?:@[\w_]+)?(?:\s+([\s\S]*))?$/i.exec(t);
  if (!m) return null;
  const cmd = m[1]!.toLowerCase();
  const arg = (m[2] ?? "").trim();
  switch (cmd) {
    case "start":
    case "help":
      return { kind: "help" };
    case "stats":
      return { kind: "stats" };
    case "more":
    case "next":
      return { kind: "more" };
    case "search":
      return arg ? { kind: "search", query: arg } : { kind: "help" };
    case "budget":
      return arg ? { kind: "project_budget", subject: arg } : { kind: "help" };
    case "indicators": {
      if (!arg) return { kind: "help" };
      const parts = arg.split(/\s+/);
      const lvl = parts.length > 1 ? levelOf(parts[parts.length - 1]!) : null;
      return lvl ? { kind: "project_indicators", subject: parts.slice(0, -1).join(" "), ...lvl } : { kind: "project_indicators", subject: arg };
    }
    case "dept":
      return arg ? { kind: "department", subject: arg, focus: "list" } : { kind: "stats" };
    case "top": {
      const n = /^(\d+|[零〇一二两三四五六七八九十百]+)\s*(.*)$/.exec(arg);
      const limit = n ? parseCount(n[1]!) ?? 10 : 10;
      return { kind: "ranking", subject: (n ? n[2]! : arg).trim(), order: "desc", limit: Math.min(Math.max(limit, 1), 100) };
    }
    case "pick": {
      const p = /^(\d+)(?:\s+(budget|indicators))?$/.exec(arg);
      return p ? { kind: "pick", projectId: Number(p[1]), ...(p[2] ? { view: p[2] as "budget" | "indicators" } : {}) } : { kind: "help" };
    }
    default:
      return { kind: "help" };
  }
}

function commandWord(t: string): Intent | null {
  if (/^(?:帮助|help|\?|菜单|使用说明|说明|用法|怎么用|如何使用|你能做什么|能做什么|你会什么|能回答什么|可以问什么|功能|你好|您好|hi|hello)$/i.test(t)) return { kind: "help" };
  if (/^(?:统计|概况|总览|汇总|数据概况|总体情况|数据统计|有哪些部门|有哪些单位|部门列表|所有部门|(?:一共|总共|共)有?(?:多少|几)个?(?:项目|部门|文件)|所有项目(?:的)?(?:总)?预算(?:是)?(?:多少)?|总预算(?:是)?(?:多少)?)$/.test(t)) return { kind: "stats" };
  if (/^(?:更多|下一页|下页|还有吗?|继续|再来|再看看|more|next)$/i.test(t)) return { kind: "more" };
  const pick = new RegExp(`^(?:第|选|选择|要)?\\s*${COUNT}\\s*(?:个|项|号)?$`).exec(t);
  if (pick) {
    const n = parseCount(pick[1]!);
    if (n != null && n > 0) return { kind: "pick", index: n };
  }
  const m = /^(搜索|搜一下|搜|查找|检索|关键词|预算|指标|部门|排行|排名|统计|帮助)(?:[\s:：]+|$)([\s\S]*)$/.exec(t) ?? /^(搜索|搜一下|查找|检索)([\s\S]+)$/.exec(t);
  if (!m) return null;
  const arg = m[2]!.trim();
  switch (m[1]) {
    case "搜索":
    case "搜一下":
    case "搜":
    case "查找":
    case "检索":
    case "关键词":
      return arg ? { kind: "search", query: arg } : { kind: "help" };
    case "预算":
      return arg ? { kind: "project_budget", subject: arg } : { kind: "stats" };
    case "指标":
      return arg ? { kind: "project_indicators", subject: arg } : { kind: "help" };
    case "部门":
      return arg ? { kind: "department", subject: arg, focus: "list" } : { kind: "stats" };
    case "排行":
    case "排名": {
      const n = /^(\d+|[零〇一二两三四五六七八九十百]+)?\s*(.*)$/.exec(arg)!;
      const limit = n[1] ? parseCount(n[1]) ?? 10 : 10;
      return { kind: "ranking", subject: n[2]!.trim(), order: "desc", limit: Math.min(Math.max(limit, 1), 100) };
    }
    case "统计":
      return { kind: "stats" };
    default:
      return { kind: "help" };
  }
}

function freeQuestion(t: string): Intent {
  const bounds = findBounds(t);
  if (bounds) {
    return {
      kind: "filter",
      subject: leftoverSubject(t, bounds.phrase),
      ...(bounds.min != null ? { minTotal: bounds.min } : {}),
      ...(bounds.max != null ? { maxTotal: bounds.max } : {}),
      description: bounds.description,
    };
  }
  const ranking = rankingOf(t);
  if (ranking) return ranking;
  const indicators = indicatorsOf(t);
  if (indicators) return indicators;
  const dept = /是(?:什么|哪个|啥)项目$/.test(t) ? null : departmentOf(t);
  if (dept) return dept;
  const value = indicatorValueOf(t);
  if (value) return value;
  const named = /^(.+?)的(.*(?:率|度|人次|次数|人数|时长|面积|个数|场次|天数|数量))$/.exec(t);
  if (named && !MONEY_ONLY.test(named[2]!)) return { kind: "indicator_value", subject: named[1]!, indicator: named[2]! };
  if (/预算|多少钱|花了|花费|资金|金额|拨款|多少|是什么项目|是哪个项目|什么项目|详情|情况|介绍|是啥|是什么|哪个部门|哪个单位/.test(t)) {
    const subject = stripBudgetWords(t);
    if (subject) return { kind: "project_budget", subject };
  }
  return { kind: "free", text: t };
}

export class RuleIntentParser implements IntentParser {
  parse(text: string, _ctx?: AskContext): Intent | null {
    const raw = text.trim();
    if (!raw) return null;
    const slash = slashCommand(raw);
    if (slash) return IntentSchema.parse(slash);
    const t = trimFillers(raw);
    if (!t) return IntentSchema.parse({ kind: "help" });
    return IntentSchema.parse(commandWord(t) ?? freeQuestion(t));
  }
}
