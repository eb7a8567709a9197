// Project search: MiniSearch over names (bigram terms), a scan over the few distinct
// unit/department strings, FTS5 over long text (via the injected text search), pinyin by scan.
// Result order: query verbatim in the name → verbatim in unit/department → verbatim in goal or
// indicator text (textOnly) → all bigrams present but scattered → near names (typos).
import MiniSearch from "minisearch";
import type { SearchRow } from "./store.ts";
import { departmentAliases } from "./aliases.ts";
import { normalizeForSearch, queryTerms, termsOfNormalized } from "./tokenize.ts";

export interface RawHit {
  id: number;
  score: number;
  exactName: boolean;
  textOnly: boolean;
}

export interface TextSearch {
  /** Project ids whose long text contains the normalized query, best first. */
  (normalizedQuery: string, limit: number): number[];
}

interface Entry {
  id: number;
  name: Name;
  /** Key into orgs: normalized "unit\ndepartment". */
  orgKey: string;
  department: string | null;
}

/** A distinct normalized name: standard names (机构运行辅助经费 …) repeat across bodies and years. */
interface Name {
  key: number;
  /** The name as stored (key into names). */
  raw: string;
  text: string;
  projects: Set<number>;
  /** Pinyin syllables concatenated, and where each syllable starts. */
  py: string;
  pyStarts: Uint16Array;
  initials: string;
}

interface Org {
  /** Normalized "unit\ndepartment" and the department's generated aliases (上海财政局 …), one a line. */
  text: string;
  ids: Set<number>;
}

/** Above this many names per rarest bigram, a scan of names in length order is cheaper than scoring. */
const BROAD_DF = 1500;

const TIER = { name: 4, org: 3, text: 2, scattered: 1, near: 0 } as const;

function pinyinKeys(spaced: string): Pick<Name, "py" | "pyStarts" | "initials"> {
  const syl = spaced ? spaced.split(" ") : [];
  const starts = new Uint16Array(syl.length);
  let pos = 0;
  syl.forEach((s, i) => {
    starts[i] = pos;
    pos += s.length;
  });
  return { py: syl.join(""), pyStarts: starts, initials: syl.map((s) => s[0]).join("") };
}

function orgText(unit: string | null, department: string | null): string {
  const parts = [unit ?? "", department ?? "", ...(department ? departmentAliases(department) : [])];
  return normalizeForSearch(parts.join("\n"));
}

type Allowed = (e: Entry | undefined) => e is Entry;

export class ProjectSearch {
  /** MiniSearch documents are distinct names (id = Name.key), not projects. */
  private readonly ms = new MiniSearch<{ id: number; text: string }>({
    fields: ["text"],
    storeFields: [],
    tokenize: termsOfNormalized,
    processTerm: (t) => t,
    searchOptions: { tokenize: termsOfNormalized, processTerm: (t) => t },
  });
  private readonly entries = new Map<number, Entry>();
  private readonly names = new Map<string, Name>();
  private readonly nameByKey = new Map<number, Name>();
  private readonly orgs = new Map<string, Org>();
  private byLength: Name[] | null = null;
  private nextKey = 1;

  constructor(private readonly textSearch: TextSearch) {}

  /** Sorts names once so the first broad query does not pay for it. */
  prepare(): void {
    this.sortedByLength();
  }

  get size(): number {
    return this.entries.size;
  }

  add(rows: Iterable<SearchRow>): void {
    const docs: Array<{ id: number; text: string }> = [];
    for (const r of rows) {
      if (this.entries.has(r.id)) continue;
      const orgKey = `${r.unit ?? ""}\n${r.department ?? ""}`;
      let org = this.orgs.get(orgKey);
      if (!org) this.orgs.set(orgKey, (org = { text: orgText(r.unit, r.department), ids: new Set() }));
      org.ids.add(r.id);
      let name = this.names.get(r.name);
      if (!name) {
        name = { key: this.nextKey++, raw: r.name, text: normalizeForSearch(r.name), projects: new Set(), ...pinyinKeys(r.namePinyin) };
        this.names.set(r.name, name);
        this.nameByKey.set(name.key, name);
        docs.push({ id: name.key, text: name.text });
      }
      name.projects.add(r.id);
      this.entries.set(r.id, { id: r.id, name, orgKey, department: r.department });
    }
    this.ms.addAll(docs);
    if (docs.length) this.byLength = null;
  }

  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.orgs.get(e.orgKey)?.ids.delete(id);
      e.name.projects.delete(id);
      if (e.name.projects.size === 0) {
        this.ms.discard(e.name.key);
        this.nameByKey.delete(e.name.key);
        this.names.delete(e.name.raw);
        this.byLength = null;
      }
    }
  }

  private sortedByLength(): Name[] {
    this.byLength ??= [...this.nameByKey.values()].sort((a, b) => a.text.length - b.text.length || a.key - b.key);
    return this.byLength;
  }

  /** How many names hold the term (MiniSearch keeps it; its field map is not public API). */
  private documentFrequency(term: string): number {
    const index = (this.ms as unknown as { _index?: { get(t: string): Map<number, Map<number, number>> | undefined } })._index;
    const fields = index?.get(term);
    if (!fields) return 0;
    let n = 0;
    for (const docs of fields.values()) n += docs.size;
    return n;
  }

  /** Pushes the allowed projects of a name, shortest-id first; false once full. */
  private pushName(hits: Hits, name: Name, allowed: Allowed, tier: number, exactName: boolean): boolean {
    for (const id of name.projects) {
      if (hits.full) return false;
      if (allowed(this.entries.get(id))) hits.push(id, tier, exactName, false);
    }
    return !hits.full;
  }

  search(text: string, limit: number, departments?: ReadonlySet<string>): RawHit[] {
    const nq = normalizeForSearch(text).trim();
    if (!nq || limit <= 0) return [];
    const allowed: Allowed = (e): e is Entry =>
      e !== undefined && (!departments || (e.department !== null && departments.has(e.department)));
    const hits = new Hits(limit);

    if (/^[a-z]+$/.test(nq)) {
      this.searchLatin(nq, hits, allowed);
      if (!hits.full) this.addText(nq, hits, allowed);
      return hits.list;
    }
    const terms = queryTerms(nq);
    if (terms.length === 0) return [];
    const single = Array.from(nq).length === 1;
    // Candidates come from the rarest bigram only: MiniSearch scores every posting of every term,
    // so "项目" or "经费" in a whole-name query would cost more than all the rest. Exactness (and,
    // for scattered matches, the presence of every bigram) is then checked on the name itself.
    const byRarity = terms.map((t) => ({ t, df: this.documentFrequency(t) })).sort((a, b) => a.df - b.df);
    const rarest = byRarity[0]!.t;
    const broad = single || byRarity[0]!.df > BROAD_DF;
    let candidates: Array<{ name: Name; score: number }> | null = null;
    const scattered = () =>
      (candidates ??= this.ms.search(rarest).map((r) => ({ name: this.nameByKey.get(r.id as number)!, score: r.score })));

    if (broad) {
      // Many names share even the rarest bigram: shortest verbatim matches first, stop at the limit.
      for (const n of this.sortedByLength()) {
        if (n.text.includes(nq) && !this.pushName(hits, n, allowed, TIER.name, true)) break;
      }
    } else {
      const exact = scattered().filter((c) => c.name.text.includes(nq));
      exact.sort((a, b) => a.name.text.length - b.name.text.length || b.score - a.score);
      for (const c of exact) if (!this.pushName(hits, c.name, allowed, TIER.name, true)) break;
    }
    if (!hits.full) this.addOrgMatches(nq, hits, allowed);
    if (!hits.full) this.addText(nq, hits, allowed);
    if (!hits.full && !single) {
      for (const c of scattered()) {
        if (terms.every((t) => c.name.text.includes(t)) && !this.pushName(hits, c.name, allowed, TIER.scattered, false)) break;
      }
    }
    if (hits.list.length === 0) this.addNear(nq, terms, hits, allowed);
    return hits.list;
  }

  /** Projects whose unit or department contains the query: few distinct strings, so a scan. */
  private addOrgMatches(nq: string, hits: Hits, allowed: Allowed): void {
    for (const org of this.orgs.values()) {
      if (!org.text.includes(nq)) continue;
      for (const id of org.ids) {
        if (hits.full) return;
        if (allowed(this.entries.get(id))) hits.push(id, TIER.org, false, false);
      }
    }
  }

  private addText(nq: string, hits: Hits, allowed: Allowed): void {
    const want = overfetch(hits);
    for (const id of this.textSearch(nq, want)) {
      if (hits.full) break;
      if (allowed(this.entries.get(id))) hits.push(id, TIER.text, false, true);
    }
  }

  /** Latin letters: an ASCII word in a name, else pinyin (full syllables, then initials). */
  private searchLatin(nq: string, hits: Hits, allowed: Allowed): void {
    const byLength = this.sortedByLength();
    for (const n of byLength) if (n.text.includes(nq) && !this.pushName(hits, n, allowed, TIER.name, true)) return;
    for (const n of byLength) if (pinyinAt(n, nq) && !this.pushName(hits, n, allowed, TIER.org, false)) return;
    if (nq.length < 2) return;
    for (const n of byLength) if (n.initials.includes(nq) && !this.pushName(hits, n, allowed, TIER.text, false)) return;
  }

  /** Near names: bigrams combined with OR, ranked by how many of them a name shares (平安同 → 平安通). */
  private addNear(nq: string, terms: string[], hits: Hits, allowed: Allowed): void {
    if (terms.length < 2) return;
    const need = Math.ceil(terms.length / 2);
    // Common bigrams (办公, 项目) say little about which name was meant and cost the most to score.
    const useful = terms.filter((t) => this.documentFrequency(t) <= BROAD_DF);
    if (useful.length < need) return;
    const results = this.ms
      .search({ queries: useful, combineWith: "OR" })
      .filter((r) => r.queryTerms.length >= need)
      .sort((a, b) => b.queryTerms.length - a.queryTerms.length || b.score - a.score);
    for (const r of results) if (!this.pushName(hits, this.nameByKey.get(r.id as number)!, allowed, TIER.near, false)) break;
  }
}

function overfetch(hits: Hits): number {
  // Ids already listed may come back from the text index too, and a department filter drops some.
  return (hits.limit - hits.list.length) * 4 + hits.list.length;
}

/** Query matches the pinyin starting at a syllable boundary (pingantong, pingan, anto…). */
function pinyinAt(e: Name, q: string): boolean {
  for (let i = e.py.indexOf(q); i >= 0; i = e.py.indexOf(q, i + 1)) {
    if (e.pyStarts.includes(i)) return true;
  }
  return false;
}

/** Ranked hit list with a cap; score = tier + a fraction that falls with position in the tier. */
class Hits {
  readonly list: RawHit[] = [];
  private readonly seen = new Set<number>();
  private tierCount = 0;
  private lastTier = -1;

  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.list.length >= this.limit;
  }

  /** Adds unless already present; false once full. */
  push(id: number, tier: number, exactName: boolean, textOnly: boolean): boolean {
    if (this.full) return false;
    if (this.seen.has(id)) return true;
    if (tier !== this.lastTier) {
      this.lastTier = tier;
      this.tierCount = 0;
    }
    this.seen.add(id);
    this.list.push({ id, score: tier + 1 / (2 + this.tierCount++), exactName, textOnly });
    return !this.full;
  }
}
