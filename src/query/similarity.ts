// How well a typed phrase fits a name. Character LCS rather than bigrams, because officials drop,
// reorder little and mistype single characters ("平安同", "青年地带预防青少年违法犯罪服务项目").

/** Length of the longest common subsequence of two strings (by code point). */
export function lcsLength(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (!x.length || !y.length) return 0;
  let prev = new Array<number>(y.length + 1).fill(0);
  let cur = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length]!;
}

/** Longest run of characters the two strings share verbatim. */
export function longestCommonRun(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let best = 0;
  let prev = new Array<number>(y.length + 1).fill(0);
  let cur = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : 0;
      if (cur[j]! > best) best = cur[j]!;
    }
    [prev, cur] = [cur, prev];
  }
  return best;
}

export interface Fit {
  /** 0..1: share of the query found in the name (in order). */
  queryCoverage: number;
  /** 0..1: share of the name the query accounts for (prefers the shorter of two names). */
  nameCoverage: number;
  /** Longest verbatim run shared. */
  run: number;
  score: number;
}

/** Both arguments already compacted (see compactName). */
export function nameFit(query: string, name: string): Fit {
  const ql = [...query].length;
  const nl = [...name].length;
  if (!ql || !nl) return { queryCoverage: 0, nameCoverage: 0, run: 0, score: 0 };
  if (query === name) return { queryCoverage: 1, nameCoverage: 1, run: ql, score: 1.2 };
  const common = lcsLength(query, name);
  const run = longestCommonRun(query, name);
  const queryCoverage = common / ql;
  const nameCoverage = common / nl;
  // A verbatim run matters: "文史馆装修" in one piece beats the same characters scattered.
  const score = 0.6 * queryCoverage + 0.25 * nameCoverage + 0.15 * (run / ql);
  return { queryCoverage, nameCoverage, run, score };
}
