// Project search: MiniSearch over names (bigram terms), a scan over the few distinct
// unit/department strings, FTS5 over long text (via the injected text search), pinyin by scan.
// Result order: query verbatim in the name → verbatim in unit/department → verbatim in goal or
// indicator text (textOnly) → all bigrams present but scattered → near names (typos).
import MiniSearch, { type SearchResult } from "minisearch";
import type { SearchRow } from "./store.ts";
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
  /** Normalized name. */
  name: string;
  /** Key into orgs: normalized "unit\ndepartment". */
  orgKey: string;
  department: string | null;
  /** Pinyin syllables concatenated, and where each syllable starts. */
  py: string;
  pyStarts: Uint16Array;
  initials: string;
}

interface Org {
  /** Normalized "unit\ndepartment". */
  text: string;
  ids: Set<number>;
}

/** Above this many projects per rarest bigram, a scan of names in length order is cheaper than scoring. */
const BROAD_DF = 1500;

const TIER = { name: 4, org: 3, text: 2, scattered: 1, near: 0 } as const;

function pinyinKeys(spaced: string): Pick<Entry, "py" | "pyStarts" | "initials"> {
  const syl = spaced ? spaced.split(" ") : [];
  const starts = new Uint16Array(syl.length);
  let pos = 0;
  syl.forEach((s, i) => {
    starts[i] = pos;
    pos += s.length;
  });
  return { py: syl.join(""), pyStarts: starts, initials: syl.map((s) => s[0]).join("") };
}

export class ProjectSearch {
  private readonly ms = new MiniSearch<{ id: number; name: string }>({
    fields: ["name"],
    storeFields: [],
    tokenize: termsOfNormalized,
    processTerm: (t) => t,
    searchOptions: { tokenize: termsOfNormalized, processTerm: (t) => t },
  });
  private readonly entries = new Map<number, Entry>();
  private readonly orgs = new Map<string, Org>();
  private byLength: Entry[] | null = null;

  constructor(private readonly textSearch: TextSearch) {}

  get size(): number {
    return this.entries.size;
  }

  add(rows: Iterable<SearchRow>): void {
    const docs: Array<{ id: number; name: string }> = [];
    for (const r of rows) {
      if (this.entries.has(r.id)) continue;
      const orgText = normalizeForSearch(`${r.unit ?? ""}\n${r.department ?? ""}`);
      let org = this.orgs.get(orgText);
      if (!org) this.orgs.set(orgText, (org = { text: orgText, ids: new Set() }));
      org.ids.add(r.id);
      const name = normalizeForSearch(r.name);
      this.entries.set(r.id, { id: r.id, name, orgKey: orgText, department: r.department, ...pinyinKeys(r.namePinyin) });
      docs.push({ id: r.id, name });
    }
    this.ms.addAll(docs);
    this.byLength = null;
  }

  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.ms.discard(id);
      this.orgs.get(e.orgKey)?.ids.delete(id);
    }
    this.byLength = null;
  }

  /** The index as JSON, to persist (see openCatalog for when it is used). */
  toJSON(): unknown {
    return this.ms.toJSON();
  }

  private sortedByLength(): Entry[] {
    if (!this.byLength) {
      this.byLength = [...this.entries.values()].sort((a, b) => a.name.length - b.name.length || a.id - b.id);
    }
    return this.byLength;
  }

  /** How many projects' names hold the term (MiniSearch keeps it; its field map is not public API). */
  private documentFrequency(term: string): number {
    const index = (this.ms as unknown as { _index?: { get(t: string): Map<number, Map<number, number>> | undefined } })._index;
    const fields = index?.get(term);
    if (!fields) return 0;
    let n = 0;
    for (const docs of fields.values()) n += docs.size;
    return n;
  }

  search(text: string, limit: number, departments?: ReadonlySet<string>): RawHit[] {
    const nq = normalizeForSearch(text).trim();
    if (!nq || limit <= 0) return [];
    const allowed = (e: Entry | undefined): e is Entry =>
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
    // Candidates come from the rarest bigrams only: MiniSearch scores every posting of every term,
    // so "项目" or "经费" in a whole-name query would cost more than all the rest. Exactness is then
    // checked on the name itself.
    const byRarity = terms.map((t) => ({ t, df: this.documentFrequency(t) })).sort((a, b) => a.df - b.df);
    const rarest = byRarity.slice(0, 2).map((x) => x.t);
    const broad = single || byRarity[0]!.df > BROAD_DF;
    let candidates: SearchResult[] | null = null;
    const scattered = () => (candidates ??= this.ms.search(rarest.join(" "), { combineWith: "AND" }));

    if (broad) {
      // Many names share even the rarest bigram: shortest verbatim matches first, stop at the limit.
      for (const e of this.sortedByLength()) {
        if (hits.full) break;
        if (e.name.includes(nq) && allowed(e)) hits.push(e.id, TIER.name, true, false);
      }
    } else {
      const exact: Array<{ e: Entry; score: number }> = [];
      for (const r of scattered()) {
        const e = this.entries.get(r.id as number);
        if (e && e.name.includes(nq)) exact.push({ e, score: r.score });
      }
      exact.sort((a, b) => a.e.name.length - b.e.name.length || b.score - a.score);
      for (const { e } of exact) if (allowed(e)) hits.push(e.id, TIER.name, true, false);
    }
    if (!hits.full) this.addOrgMatches(nq, hits, allowed);
    if (!hits.full) this.addText(nq, hits, allowed);
    if (!hits.full && !single) {
      for (const r of scattered()) {
        const e = this.entries.get(r.id as number);
        if (allowed(e) && terms.every((t) => e.name.includes(t))) hits.push(e.id, TIER.scattered, false, false);
      }
    }
    if (hits.list.length === 0) this.addNear(nq, terms, hits, allowed);
    return hits.list;
  }

  /** Projects whose unit or department contains the query: few distinct strings, so a scan. */
  private addOrgMatches(nq: string, hits: Hits, allowed: (e: Entry | undefined) => e is Entry): void {
    for (const org of this.orgs.values()) {
      if (!org.text.includes(nq)) continue;
      for (const id of org.ids) {
        if (hits.full) return;
        if (allowed(this.entries.get(id))) hits.push(id, TIER.org, false, false);
      }
    }
  }

  private addText(nq: string, hits: Hits, allowed: (e: Entry | undefined) => e is Entry): void {
    const want = overfetch(hits);
    for (const id of this.textSearch(nq, want)) {
      if (hits.full) break;
      if (allowed(this.entries.get(id))) hits.push(id, TIER.text, false, true);
    }
  }

  /** Latin letters: an ASCII word in a name, else pinyin (full syllables, then initials). */
  private searchLatin(nq: string, hits: Hits, allowed: (e: Entry | undefined) => e is Entry): void {
    const byLength = this.sortedByLength();
    for (const e of byLength) {
      if (hits.full) return;
      if (e.name.includes(nq) && allowed(e)) hits.push(e.id, TIER.name, true, false);
    }
    for (const e of byLength) {
      if (hits.full) return;
      if (pinyinAt(e, nq) && allowed(e)) hits.push(e.id, TIER.org, false, false);
    }
    if (nq.length < 2) return;
    for (const e of byLength) {
      if (hits.full) return;
      if (e.initials.includes(nq) && allowed(e)) hits.push(e.id, TIER.text, false, false);
    }
  }

  /** Near names: bigrams combined with OR, ranked by how many of them a name shares (平安同 → 平安通). */
  private addNear(nq: string, terms: string[], hits: Hits, allowed: (e: Entry | undefined) => e is Entry): void {
    if (terms.length < 2) return;
    const need = Math.ceil(terms.length / 2);
    const results = this.ms
      .search(nq, { combineWith: "OR" })
      .filter((r) => r.queryTerms.length >= need)
      .sort((a, b) => b.queryTerms.length - a.queryTerms.length || b.score - a.score);
    for (const r of results) if (allowed(this.entries.get(r.id))) if (!hits.push(r.id, TIER.near, false, false)) break;
  }
}

function overfetch(hits: Hits): number {
  // Ids already listed may come back from the text index too, and a department filter drops some.
  return (hits.limit - hits.list.length) * 4 + hits.list.length;
}

/** Query matches the pinyin starting at a syllable boundary (pingantong, pingan, anto…). */
function pinyinAt(e: Entry, q: string): boolean {
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
