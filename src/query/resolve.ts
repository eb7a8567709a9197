// Names → records: which department a question mentions, which project it means.
import { pinyin } from "pinyin-pro";
import type { Catalog, ProjectHit } from "../../index/catalog.ts";
import type { DepartmentRecord, ProjectSummary } from "../domain.ts";
import { placeAtEnd, placesIn } from "./places.ts";
import { longestCommonRun, nameFit } from "./similarity.ts";
import { compactName, isLatin } from "./text.ts";

export interface DepartmentMention {
  departments: DepartmentRecord[];
  /** The words that named them, as typed. */
  matched: string;
  index: number;
  /** Set when the words name a body we do not have, e.g. "上海市民政局" against 广州市民政局. */
  unknown?: string;
}

/** The longest department name or alias the text contains. */
export function findDepartmentMention(text: string, departments: DepartmentRecord[]): DepartmentMention | null {
  let best: DepartmentMention | null = null;
  for (const d of departments) {
    for (const term of [d.name, ...d.aliases]) {
      if (term.length < 2) continue;
      const index = text.indexOf(term);
      if (index < 0) continue;
      if (!best || term.length > best.matched.length) best = { departments: [d], matched: term, index };
      else if (term.length === best.matched.length && index === best.index && !best.departments.includes(d)) best.departments.push(d);
    }
  }
  if (!best) return null;
  // A place in front of the body that is not the body's own place: "上海市民政局", "北京团市委".
  const place = placeAtEnd(text.slice(0, best.index));
  if (place && !best.departments.some((d) => d.name.includes(place))) {
    return { ...best, departments: [], unknown: text.slice(text.lastIndexOf(place, best.index), best.index + best.matched.length) };
  }
  return best;
}

/** Words that name a body of government: "…局", "…委员会", "团市委" … */
const BODY_WORD = /[\u4e00-\u9fff]{1,12}?(?:局|厅|委员会|团委|团市委|团区委|政协|人大|政府|办公室|法院|检察院|委|部|署)$/u;
export const looksLikeBody = (s: string): boolean => BODY_WORD.test(s);

export interface Candidate {
  project: ProjectSummary;
  score: number;
  exact: boolean;
}

export interface ProjectResolution {
  /** Ranked, best first; empty when nothing fits. */
  candidates: Candidate[];
  /** Candidates that fit equally well (same name in several bodies): the user must choose. */
  tied: Candidate[];
}

const SEARCH_LIMIT = 40;
const LATIN_CANDIDATES = 8;
const GOOD_FIT = 0.7;

function latinForms(name: string): string[] {
  const syllables = pinyin(name, { toneType: "none", type: "array", nonZh: "removed" }).map((s) => s.toLowerCase());
  return [syllables.join(""), syllables.map((s) => s[0] ?? "").join("")];
}

function fitOf(queries: string[], hit: ProjectHit, latin: boolean): { score: number; exact: boolean; ok: boolean } {
  const name = compactName(hit.project.name);
  let best = { score: 0, exact: false, ok: false };
  // The unit in front of the name: "志愿者行动指导中心工作经费".
  const withUnit = hit.project.unit && !name.includes(compactName(hit.project.unit)) ? compactName(hit.project.unit) + name : null;
  const forms = latin ? [name, ...latinForms(hit.project.name)] : withUnit ? [name, withUnit] : [name];
  for (const q of queries) {
    for (const form of forms) {
      const f = nameFit(q, form);
      const ql = [...q].length;
      const exact = q === form;
      // Enough of what was typed must be there, in a run of two or more characters.
      const ok = exact || (f.queryCoverage >= (ql <= 3 ? 0.66 : 0.6) && f.run >= Math.min(2, ql));
      const score = f.score * (hit.textOnly ? 0.5 : 1);
      if (ok && (!best.ok || score > best.score)) best = { score, exact: exact && form === name, ok };
    }
  }
  return best;
}

/** Places typed in the question must belong to the project's department, unit or name. */
function placesAgree(places: string[], p: ProjectSummary): boolean {
  const where = `${p.department ?? ""}${p.unit ?? ""}${p.name}`;
  return places.every((pl) => where.includes(pl));
}

/**
 * The project a phrase names. `phrases` are variants of the same words (with and without the
 * department words); the first one is searched.
 */
export function resolveProject(catalog: Catalog, phrases: string[], departments?: string[], mode: { fuzzy?: boolean } = {}): ProjectResolution {
  const texts = [...new Set(phrases.map((p) => p.trim()).filter(Boolean))];
  if (!texts.length) return { candidates: [], tied: [] };
  const queries = [...new Set(texts.map(compactName).filter(Boolean))];
  const latin = queries.every(isLatin);
  const opts = { limit: SEARCH_LIMIT, ...(departments?.length ? { departments } : {}) };
  const hits = new Map<number, { hit: ProjectHit; rank: number }>();
  const add = (list: ProjectHit[]) => list.forEach((h, rank) => hits.has(h.project.id) || hits.set(h.project.id, { hit: h, rank: hits.size + rank }));
  const places = placesIn(texts.join(" "));
  const score = () =>
    [...hits.values()]
      // Pinyin of every hit is costly (~1 ms a name): for Latin queries only the search's best few.
      .filter(({ rank }) => !latin || rank < LATIN_CANDIDATES)
      .map(({ hit, rank }) => ({ hit, rank, fit: fitOf(queries, hit, latin) }))
      .filter((c) => c.fit.ok && placesAgree(places, c.hit.project));
  // Search the phrases in turn; stop once one gives a good fit (long searches cost at 100k).
  for (const t of texts) {
    add(catalog.searchProjects(t, opts));
    if (score().some((c) => c.fit.score >= GOOD_FIT)) break;
  }
  // A unit named in front of the name ("志愿者行动指导中心工作经费"): search the rest within it.
  for (const [unit, department] of unitsNamed(queries[0]!, [...hits.values()].map((h) => h.hit.project))) {
    const rest = queries[0]!.replace(unit, "");
    if ([...rest].length >= 2) add(catalog.searchProjects(rest, { limit: SEARCH_LIMIT, ...(department ? { departments: [department] } : {}) }).filter((h) => compactName(h.project.unit ?? "").includes(unit)));
  }
  let scored = score();
  if (!scored.length && !latin && mode.fuzzy !== false) {
    // Typos and reordered words defeat an AND search: search pieces and let the fit decide.
    for (const piece of pieces(queries[queries.length - 1]!)) add(catalog.searchProjects(piece, opts));
    scored = score();
  }
  scored.sort((a, b) => b.fit.score - a.fit.score || a.rank - b.rank);
  const candidates = scored.map((c) => ({ project: c.hit.project, score: c.fit.score, exact: c.fit.exact }));
  const top = candidates[0];
  const tied = top ? candidates.filter((c) => top.score - c.score < 0.005 && compactName(c.project.name) === compactName(top.project.name)) : [];
  return { candidates, tied: tied.length > 1 ? tied.sort((a, b) => b.project.total - a.project.total) : [] };
}

/** Overlapping three-character pieces of a phrase (at most eight). */
function pieces(q: string): string[] {
  const chars = [...q];
  if (chars.length <= 3) return chars.length >= 2 ? [chars.slice(0, 2).join(""), chars.slice(-2).join("")] : [];
  const out: string[] = [];
  const step = Math.max(1, Math.ceil((chars.length - 3) / 7));
  for (let i = 0; i + 3 <= chars.length; i += step) out.push(chars.slice(i, i + 3).join(""));
  return out;
}

/** Units of the hits whose name (most of it) the query spells out: the common run, and the department. */
function unitsNamed(query: string, projects: ProjectSummary[]): Array<[string, string | null]> {
  const out = new Map<string, string | null>();
  for (const p of projects) {
    if (!p.unit) continue;
    const unit = compactName(p.unit);
    const run = longestCommonRun(unit, query);
    if (run < 4 || run < 0.6 * [...unit].length) continue;
    const shared = commonRun(unit, query, run);
    if (shared && !out.has(shared)) out.set(shared, p.department);
  }
  return [...out];
}

function commonRun(a: string, b: string, len: number): string | null {
  const chars = [...a];
  for (let i = 0; i + len <= chars.length; i++) {
    const piece = chars.slice(i, i + len).join("");
    if (b.includes(piece)) return piece;
  }
  return null;
}
