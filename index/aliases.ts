// Short names for a department, generated from its full name by the national naming scheme
// (place prefixes 省/市/区/县, and the usual abbreviations of party, league, CPPCC, congress
// and government bodies), so 民政局, 市政协, 天津团市委 or 海珠区团委 find their bodies.

interface Place {
  /** 广州市 */
  full: string;
  /** 广州 */
  short: string;
  /** 市 */
  level: string;
}

const PLACE = /^([\u4e00-\u9fff]{2,3}?)(省|市|自治区|区|县|旗|州)/u;

/** Leading administrative places: 广东省广州市海珠区委员会 → [广东省, 广州市, 海珠区], rest 委员会. */
function splitPlaces(name: string): { places: Place[]; rest: string } {
  const places: Place[] = [];
  let rest = name;
  for (;;) {
    const m = PLACE.exec(rest);
    if (!m) break;
    const after = rest.slice(m[0].length);
    // A place needs a body after it; "市委员会" in 天津市委员会 is place 天津市 + 委员会 (rest non-empty).
    if (after.length === 0) break;
    places.push({ full: m[0], short: m[1]!, level: m[2]! });
    rest = after;
  }
  return { places, rest };
}

/** The long official prefixes and what people call the body instead. */
const ORGS: Array<{ prefix: RegExp; kind: "league" | "cppcc" | "party" | "congress" | "government" }> = [
  { prefix: /^(?:中国共产主义青年团|共青团)/u, kind: "league" },
  { prefix: /^(?:中国人民政治协商会议|政协)/u, kind: "cppcc" },
  { prefix: /^(?:中国共产党|中共)/u, kind: "party" },
];

export function departmentAliases(fullName: string): string[] {
  const name = fullName.replace(/[（(]本级[)）]$/u, "").trim();
  const out = new Set<string>();
  const org = ORGS.find((o) => o.prefix.test(name));
  if (org) orgAliases(name.replace(org.prefix, ""), org.kind, out);
  else plainAliases(name, out);
  out.delete(fullName);
  out.delete("");
  return [...out].filter((a) => a.length >= 2);
}

/** 广州市民政局 → 民政局, 市民政局, 广州民政局, 广州市民政局. */
function plainAliases(name: string, out: Set<string>): void {
  const { places, rest } = splitPlaces(name);
  if (places.length === 0 || rest.length < 2) return;
  const last = places[places.length - 1]!;
  let body = rest;
  // 广州市人民代表大会常务委员会办公厅 → 人大常委会办公厅; 广州市人民政府办公厅 → 政府办公厅.
  body = body.replace(/^人民代表大会常务委员会/u, "人大常委会").replace(/^人民政府/u, "政府");
  for (const b of new Set([rest, body])) {
    out.add(b);
    out.add(last.level + b);
    out.add(last.short + b);
    out.add(last.full + b);
  }
}

/**
 * 中国共产主义青年团天津市委员会 → 团市委, 天津团市委, 天津市团委 …;
 * 中国人民政治协商会议广东省广州市委员会办公厅 → 政协, 市政协, 广州市政协, 广州政协, 市政协办公厅 ….
 */
function orgAliases(afterPrefix: string, kind: "league" | "cppcc" | "party" | "congress" | "government", out: Set<string>): void {
  const { places, rest } = splitPlaces(afterPrefix);
  const last = places[places.length - 1];
  const m = /^委(?:员会)?(.*)$/u.exec(rest);
  if (!last || !m) {
    if (kind === "league") out.add("共青团" + afterPrefix);
    if (kind === "cppcc") out.add("政协" + afterPrefix);
    if (kind === "party") out.add("中共" + afterPrefix);
    return;
  }
  const suffix = m[1] ?? ""; // 办公厅, 宣传部 …
  const L = last.level;
  if (kind === "party" && !suffix) out.add(`${L}委`);
  const forms: string[] = [];
  if (kind === "league") {
    forms.push(`团${L}委`, `${last.short}团${L}委`, `${last.full}团委`, `${last.short}团委`, `共青团${last.full}委`);
  } else if (kind === "cppcc") {
    forms.push("政协", `${L}政协`, `${last.full}政协`, `${last.short}政协`, `${last.short}${L}政协`);
  } else {
    forms.push(`${L}委`, `${last.full}委`, `中共${last.full}委`, `${last.short}${L}委`);
  }
  for (const f of forms) {
    if (suffix) {
      out.add(f + suffix);
      // 市委宣传部 is said; 市委 alone would name the party committee, not the department.
      if (kind !== "party") out.add(f);
    } else {
      out.add(f);
    }
  }
}
