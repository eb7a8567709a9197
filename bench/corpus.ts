// A deterministic synthetic corpus: seed projects recombined with other places, years,
// departments and name parts, from a fixed random seed.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ParsedDocument, Project } from "../src/domain.ts";
import { parseDocument } from "../src/parser/index.ts";

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ["广州", "深圳", "天津", "北京", "上海", "杭州", "成都", "武汉", "南京", "西安", "重庆", "苏州", "长沙", "郑州",
  "青岛", "厦门", "宁波", "济南", "合肥", "福州", "昆明", "南宁", "贵阳", "太原", "沈阳", "大连", "长春", "兰州", "佛山", "东莞",
  "珠海", "汕头", "湛江", "惠州", "无锡", "温州", "绍兴", "洛阳", "桂林", "海口"];
const DISTRICTS = ["海珠", "越秀", "天河", "白云", "黄埔", "番禺", "花都", "南沙", "和平", "河西", "南开", "河东", "朝阳", "海淀",
  "西城", "东城", "浦东", "徐汇", "鼓楼", "江北", "福田", "南山", "罗湖", "宝安", "龙岗", "雁塔", "武侯", "锦江"];
const BODIES = ["民政局", "财政局", "教育局", "司法局", "体育局", "卫生健康委员会", "文化广电旅游局", "人力资源和社会保障局",
  "住房和城乡建设局", "交通运输局", "农业农村局", "退役军人事务局", "应急管理局", "市场监督管理局", "统计局", "医疗保障局"];
const SUFFIXES = ["（一期）", "（二期）", "专项", "补助经费", "工作经费", "运行维护", "（续建）", "提升项目"];

export interface SeedSet {
  docs: ParsedDocument[];
  /** "parser" when every seed parsed, else the gold files stood in. */
  source: "parser" | "gold";
}

export function loadSeeds(seedDir = "seeds", goldDir = "../shared/eval/gold"): SeedSet {
  try {
    const docs = readdirSync(seedDir).sort().map((f) => parseDocument(readFileSync(join(seedDir, f))));
    if (docs.every((d) => d.projects.length > 0)) return { docs, source: "parser" };
  } catch {
    // the parser does not read every seed yet
  }
  const docs = readdirSync(goldDir).sort().map((f) => {
    const { file: _file, ...doc } = JSON.parse(readFileSync(join(goldDir, f), "utf8")) as ParsedDocument & { file: string };
    return { ...doc, warnings: doc.warnings ?? [] } as ParsedDocument;
  });
  return { docs, source: "gold" };
}

type Pick = <T>(xs: readonly T[]) => T;

function departmentFor(seedDept: string, city: string, district: string, pick: Pick, r: () => number): string {
  if (seedDept.startsWith("中国共产主义青年团")) {
    return r() < 0.5 ? `中国共产主义青年团${city}市委员会` : `中国共产主义青年团${city}市${district}区委员会`;
  }
  if (seedDept.startsWith("中国人民政治协商会议")) return `中国人民政治协商会议广东省${city}市委员会办公厅`;
  return r() < 0.7 ? `${city}市${pick(BODIES)}` : `${city}市${district}区${pick(BODIES)}`;
}

const PLACE_IN_TEXT = /广州市|天津市|广州|天津|海珠区|海珠/g;

function swapPlaces(s: string, city: string, district: string): string {
  return s.replace(PLACE_IN_TEXT, (m) => (m.startsWith("海珠") ? district + (m.endsWith("区") ? "区" : "") : city + (m.endsWith("市") ? "市" : "")));
}

/** `projectCount` projects in documents of 20–60 projects each. */
export function syntheticCorpus(seeds: ParsedDocument[], projectCount: number, seed = 20240601): ParsedDocument[] {
  const r = rng(seed);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  const pool: Array<{ doc: ParsedDocument; p: Project }> = seeds.flatMap((doc) => doc.projects.map((p) => ({ doc, p })));
  const docs: ParsedDocument[] = [];
  let made = 0;
  while (made < projectCount) {
    const base = pick(seeds);
    const city = pick(CITIES);
    const district = pick(DISTRICTS);
    const year = 2019 + Math.floor(r() * 7);
    const department = departmentFor(base.department ?? "", city, district, pick, r);
    const n = Math.min(projectCount - made, 20 + Math.floor(r() * 41));
    const projects: Project[] = [];
    for (let i = 0; i < n; i++) {
      const a = pick(pool).p;
      let name = swapPlaces(a.name, city, district);
      if (r() < 0.3) {
        const b = pick(pool).p.name;
        name = name.slice(0, Math.max(2, Math.floor(name.length / 2))) + swapPlaces(b.slice(Math.floor(b.length / 2)), city, district);
      }
      if (r() < 0.25) name = `${city}市${name}`;
      if (r() < 0.2) name = `${year}年${name}`;
      if (r() < 0.2) name += pick(SUFFIXES);
      const total = Math.round(r() * 50_000) / 100;
      projects.push({
        ...a,
        name,
        unit: a.unit ? swapPlaces(a.unit, city, district) : null,
        total,
        fiscal: total,
        specialAccount: null,
        other: null,
        goal: a.goal ? swapPlaces(a.goal, city, district) : null,
      });
    }
    made += n;
    docs.push({ ...base, department, year, declaredTotal: null, units: [], projects, warnings: [] });
  }
  return docs;
}

/** A wide-table text of about `bytes` bytes: a seed's header, then its project rows repeated. */
export function bigWideTable(seedPath: string, bytes: number): Buffer {
  const lines = readFileSync(seedPath, "utf8").split("\n");
  const total = lines.findIndex((l) => l.startsWith("合计"));
  const header = lines.slice(0, total + 1).join("\n") + "\n";
  const rows = lines.slice(total + 1).filter((l) => l.includes("\t")).join("\n") + "\n";
  const parts = [header];
  let size = Buffer.byteLength(header);
  const rowBytes = Buffer.byteLength(rows);
  while (size < bytes) {
    parts.push(rows);
    size += rowBytes;
  }
  return Buffer.from(parts.join(""));
}
