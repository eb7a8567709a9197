// SQLite reads and writes of documents, projects and indicators. No search logic here.
import type Database from "better-sqlite3";
import { pinyin } from "pinyin-pro";
import type {
  DocumentRecord,
  Indicator,
  ParsedDocument,
  ProjectRecord,
  ProjectSummary,
} from "../src/domain.ts";
import { fromCents, toCents } from "../src/money.ts";
import type { CatalogStats, ProjectQuery } from "./catalog.ts";
import { bigramText } from "./tokenize.ts";

/** Above this many matching projects, long-text matches are not ranked (see textMatch). */
const RANK_MAX_DOCS = 500;

const cents = (n: number | null): number | null => (n == null ? null : toCents(n));
const wan = (c: number | null): number | null => (c == null ? null : fromCents(c));

/** What the in-memory search index needs of one current project. */
export interface SearchRow {
  id: number;
  name: string;
  unit: string | null;
  department: string | null;
  namePinyin: string;
}

interface SummaryRow {
  id: number;
  document_id: number;
  name: string;
  unit: string | null;
  total_cents: number;
  fiscal_cents: number | null;
  special_account_cents: number | null;
  other_cents: number | null;
  department: string | null;
  year: number | null;
  source_name: string;
}

interface DocumentRow {
  id: number;
  source_name: string;
  sha256: string;
  department: string | null;
  title: string | null;
  year: number | null;
  layout: "wide-table" | "project-cards";
  declared_total_cents: number | null;
  warnings: string;
  ingested_at: string;
  superseded_by: number | null;
  project_count: number;
  total_cents: number;
}

const SUMMARY_COLUMNS = `p.id, p.document_id, p.name, p.unit, p.total_cents, p.fiscal_cents,
  p.special_account_cents, p.other_cents, d.department, d.year, d.source_name`;

const DOCUMENT_COLUMNS = `d.*,
  (SELECT count(*) FROM projects p WHERE p.document_id = d.id) AS project_count,
  (SELECT coalesce(sum(total_cents), 0) FROM projects p WHERE p.document_id = d.id) AS total_cents`;

function toSummary(r: SummaryRow): ProjectSummary {
  return {
    id: r.id,
    documentId: r.document_id,
    name: r.name,
    unit: r.unit,
    total: fromCents(r.total_cents),
    fiscal: wan(r.fiscal_cents),
    specialAccount: wan(r.special_account_cents),
    other: wan(r.other_cents),
    department: r.department,
    year: r.year,
    sourceName: r.source_name,
  };
}

function toDocument(r: DocumentRow): DocumentRecord {
  return {
    id: r.id,
    sourceName: r.source_name,
    sha256: r.sha256,
    department: r.department,
    title: r.title,
    year: r.year,
    layout: r.layout,
    declaredTotal: wan(r.declared_total_cents),
    warnings: JSON.parse(r.warnings) as string[],
    ingestedAt: r.ingested_at,
    supersededBy: r.superseded_by,
    projectCount: r.project_count,
    total: fromCents(r.total_cents),
  };
}

// Standard names (机构运行辅助经费 …) recur in every body's table: convert each once.
const pinyinCache = new Map<string, string>();

/** Pinyin syllables without tones, space-separated; non-Chinese characters dropped. */
export function namePinyin(name: string): string {
  let py = pinyinCache.get(name);
  if (py === undefined) {
    py = pinyin(name, { toneType: "none", type: "array", nonZh: "removed" })
      .map((s) => s.toLowerCase().replace(/[^a-z]/g, ""))
      .filter(Boolean)
      .join(" ");
    if (pinyinCache.size >= 50_000) pinyinCache.clear();
    pinyinCache.set(name, py);
  }
  return py;
}

/** Goal and indicator text (names, descriptions, values) of a project, as indexed in project_text. */
function longText(p: ParsedDocument["projects"][number]): string {
  // Card layouts repeat the name in the description and the description in the value: index once.
  const parts = new Set<string>();
  if (p.goal) parts.add(p.goal);
  for (const i of p.indicators) for (const v of [i.name, i.description, i.periodValue, i.annualValue]) if (v) parts.add(v);
  return [...parts].join("\n");
}

// Goal and indicator texts recur (standard projects in every body's table, the same programme
// year after year): bigram each distinct text once. Bigramming is ~10% of ingest time otherwise.
const termsCache = new Map<string, string>();

function longTextTerms(text: string): string {
  let terms = termsCache.get(text);
  if (terms === undefined) {
    terms = bigramText(text);
    if (termsCache.size >= 20_000) termsCache.clear();
    termsCache.set(text, terms);
  }
  return terms;
}

export class Store {
  private readonly s;

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      docBySha: p(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE sha256 = ?`),
      currentBySource: p(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE source_name = ? AND superseded_by IS NULL`),
      docById: p(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE id = ?`),
      insertDoc: p(`INSERT INTO documents (source_name, sha256, department, title, year, layout,
        declared_total_cents, warnings, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertUnit: p(`INSERT INTO units (document_id, ord, name, declared_total_cents) VALUES (?, ?, ?, ?)`),
      insertProject: p(`INSERT INTO projects (document_id, ord, name, unit, total_cents, fiscal_cents,
        special_account_cents, other_cents, goal, name_pinyin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertIndicator: p(`INSERT INTO indicators (project_id, ord, level1, level2, name, description,
        period_value, annual_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertText: p(`INSERT INTO project_text (rowid, body) VALUES (?, ?)`),
      supersede: p(`UPDATE documents SET superseded_by = ? WHERE id = ?`),
      deleteText: p(`DELETE FROM project_text WHERE rowid IN (SELECT id FROM projects WHERE document_id = ?)`),
      projectsOfDoc: p(`SELECT id, name, unit, total_cents FROM projects WHERE document_id = ? ORDER BY ord`),
      project: p(`SELECT ${SUMMARY_COLUMNS}, p.goal FROM projects p JOIN documents d ON d.id = p.document_id WHERE p.id = ?`),
      indicators: p(`SELECT level1, level2, name, description, period_value, annual_value
        FROM indicators WHERE project_id = ? ORDER BY ord`),
      summaries: p(`SELECT ${SUMMARY_COLUMNS} FROM projects p JOIN documents d ON d.id = p.document_id
        WHERE p.id IN (SELECT value FROM json_each(?))`),
      searchRows: p(`SELECT p.id, p.name, p.unit, d.department, p.name_pinyin AS namePinyin FROM projects p JOIN documents d ON d.id = p.document_id
        WHERE d.superseded_by IS NULL ORDER BY p.id`),
      searchRowsOfDoc: p(`SELECT p.id, p.name, p.unit, d.department, p.name_pinyin AS namePinyin FROM projects p JOIN documents d ON d.id = p.document_id
        WHERE d.id = ? ORDER BY p.id`),
      documents: p(`SELECT ${DOCUMENT_COLUMNS} FROM documents d ORDER BY d.id`),
      departments: p(`SELECT d.department AS name, count(p.id) AS project_count,
        coalesce(sum(p.total_cents), 0) AS total_cents, json_group_array(DISTINCT d.year) AS years
        FROM documents d LEFT JOIN projects p ON p.document_id = d.id
        WHERE d.superseded_by IS NULL AND d.department IS NOT NULL
        GROUP BY d.department ORDER BY project_count DESC, d.department`),
      stats: p(`SELECT (SELECT count(*) FROM documents WHERE superseded_by IS NULL) AS documents,
        count(p.id) AS projects, count(DISTINCT d.department) AS departments,
        coalesce(sum(p.total_cents), 0) AS total_cents
        FROM projects p JOIN documents d ON d.id = p.document_id WHERE d.superseded_by IS NULL`),
      textMatchRanked: p(`SELECT rowid AS id FROM project_text WHERE project_text MATCH ? ORDER BY rank LIMIT ?`),
      textMatchFirst: p(`SELECT rowid AS id FROM project_text WHERE project_text MATCH ? LIMIT ?`),
      textLike: p(`SELECT p.id FROM projects p JOIN documents d ON d.id = p.document_id
        WHERE d.superseded_by IS NULL AND (instr(p.goal, @n) > 0
          OR EXISTS (SELECT 1 FROM indicators i WHERE i.project_id = p.id
            AND (instr(i.name, @n) > 0 OR instr(i.description, @n) > 0 OR instr(i.annual_value, @n) > 0 OR instr(i.period_value, @n) > 0)))
        LIMIT @limit`),
      currentProjectIds: p(`SELECT d.id AS document_id, (SELECT json_group_array(p.id) FROM projects p
        WHERE p.document_id = d.id) AS ids FROM documents d WHERE d.superseded_by IS NULL`),
      currentDocIds: p(`SELECT id FROM documents WHERE superseded_by IS NULL ORDER BY id`),
    };
  }

  documentBySha(sha: string): DocumentRecord | null {
    const r = this.s.docBySha.get(sha) as DocumentRow | undefined;
    return r ? toDocument(r) : null;
  }

  currentDocumentBySource(sourceName: string): DocumentRecord | null {
    const r = this.s.currentBySource.get(sourceName) as DocumentRow | undefined;
    return r ? toDocument(r) : null;
  }

  document(id: number): DocumentRecord | null {
    const r = this.s.docById.get(id) as DocumentRow | undefined;
    return r ? toDocument(r) : null;
  }

  /** Writes one parsed document; the caller holds the transaction. Returns the new document id. */
  insertDocument(sourceName: string, sha256: string, doc: ParsedDocument, ingestedAt: string): number {
    const s = this.s;
    const docId = Number(
      s.insertDoc.run(sourceName, sha256, doc.department, doc.title, doc.year, doc.layout,
        cents(doc.declaredTotal), JSON.stringify(doc.warnings), ingestedAt).lastInsertRowid,
    );
    doc.units.forEach((u, i) => s.insertUnit.run(docId, i, u.name, cents(u.declaredTotal)));
    doc.projects.forEach((p, i) => {
      const projectId = Number(
        s.insertProject.run(docId, i, p.name, p.unit, toCents(p.total), cents(p.fiscal), cents(p.specialAccount),
          cents(p.other), p.goal, namePinyin(p.name)).lastInsertRowid,
      );
      p.indicators.forEach((x, j) =>
        s.insertIndicator.run(projectId, j, x.level1, x.level2, x.name, x.description, x.periodValue, x.annualValue),
      );
      const text = longTextTerms(longText(p));
      if (text) s.insertText.run(projectId, text);
    });
    return docId;
  }

  /** Marks a document superseded and takes its projects out of the long-text index. */
  supersede(oldId: number, newId: number): void {
    this.s.deleteText.run(oldId);
    this.s.supersede.run(newId, oldId);
  }

  projectsOfDocument(documentId: number): Array<{ id: number; name: string; unit: string | null; total: number }> {
    return (this.s.projectsOfDoc.all(documentId) as Array<{ id: number; name: string; unit: string | null; total_cents: number }>).map(
      (r) => ({ id: r.id, name: r.name, unit: r.unit, total: fromCents(r.total_cents) }),
    );
  }

  getProject(id: number): ProjectRecord | null {
    const r = this.s.project.get(id) as (SummaryRow & { goal: string | null }) | undefined;
    if (!r) return null;
    const indicators = (this.s.indicators.all(id) as Array<Record<string, string | null>>).map(
      (x): Indicator => ({
        level1: x.level1 as Indicator["level1"],
        level2: x.level2 as Indicator["level2"],
        name: x.name ?? "",
        description: x.description ?? null,
        periodValue: x.period_value ?? null,
        annualValue: x.annual_value ?? null,
      }),
    );
    return { ...toSummary(r), goal: r.goal, indicators };
  }

  /** Summaries for ids, in the order given (unknown ids skipped). */
  summaries(ids: number[]): ProjectSummary[] {
    if (ids.length === 0) return [];
    const byId = new Map<number, ProjectSummary>();
    for (const r of this.s.summaries.all(JSON.stringify(ids)) as SummaryRow[]) byId.set(r.id, toSummary(r));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  listProjects(q: ProjectQuery): { total: number; items: ProjectSummary[] } {
    const where = ["d.superseded_by IS NULL"];
    const params: unknown[] = [];
    if (q.departments?.length) {
      where.push(`d.department IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(q.departments));
    }
    if (q.minTotal != null) {
      where.push("p.total_cents >= ?");
      params.push(toCents(q.minTotal));
    }
    if (q.maxTotal != null) {
      where.push("p.total_cents <= ?");
      params.push(toCents(q.maxTotal));
    }
    const order =
      q.order === "total-asc" ? "p.total_cents ASC, p.id" : q.order === "name" ? "p.name, p.id" : q.order === "total-desc" ? "p.total_cents DESC, p.id" : "p.id";
    const from = `FROM projects p JOIN documents d ON d.id = p.document_id WHERE ${where.join(" AND ")}`;
    const total = (this.db.prepare(`SELECT count(*) AS n ${from}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} ${from} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, q.limit ?? 20, q.offset ?? 0) as SummaryRow[];
    return { total, items: rows.map(toSummary) };
  }

  searchRows(): SearchRow[] {
    return this.s.searchRows.all() as SearchRow[];
  }

  searchRowsOfDocument(documentId: number): SearchRow[] {
    return this.s.searchRowsOfDoc.all(documentId) as SearchRow[];
  }

  /** Current documents and their project ids (to know what the search index holds). */
  searchRowsDocuments(): Array<{ documentId: number; ids: number[] }> {
    return (this.s.currentProjectIds.all() as Array<{ document_id: number; ids: string }>).map((r) => ({
      documentId: r.document_id,
      ids: JSON.parse(r.ids) as number[],
    }));
  }

  currentDocumentIds(): number[] {
    return (this.s.currentDocIds.all() as Array<{ id: number }>).map((r) => r.id);
  }

  documents(): DocumentRecord[] {
    return (this.s.documents.all() as DocumentRow[]).map(toDocument);
  }

  departmentRows(): Array<{ name: string; projectCount: number; total: number; years: number[] }> {
    return (
      this.s.departments.all() as Array<{ name: string; project_count: number; total_cents: number; years: string }>
    ).map((r) => ({
      name: r.name,
      projectCount: r.project_count,
      total: fromCents(r.total_cents),
      years: (JSON.parse(r.years) as Array<number | null>).filter((y): y is number => y != null).sort(),
    }));
  }

  stats(): CatalogStats {
    const r = this.s.stats.get() as { documents: number; projects: number; departments: number; total_cents: number };
    return { documents: r.documents, projects: r.projects, departments: r.departments, total: fromCents(r.total_cents) };
  }

  /**
   * Project ids whose goal/indicator text contains the phrase (FTS5 over bigrams). Ranked by bm25
   * when the phrase is selective; when it matches thousands (确保, 项目), bm25 scores every match
   * (30–60 ms at 100k projects), so the first matches in id order are taken instead.
   */
  textMatch(terms: string[], limit: number): number[] {
    if (terms.length === 0) return [];
    const phrase = `"${terms.join(" ").replace(/"/g, '""')}"`;
    const first = this.s.textMatchFirst.all(phrase, RANK_MAX_DOCS + 1) as Array<{ id: number }>;
    const rows = first.length > RANK_MAX_DOCS ? first.slice(0, limit) : (this.s.textMatchRanked.all(phrase, limit) as Array<{ id: number }>);
    return rows.map((r) => r.id);
  }

  /** Same for a one-character query, which has no bigram: a plain scan. */
  textContains(needle: string, limit: number): number[] {
    return (this.s.textLike.all({ n: needle, limit }) as Array<{ id: number }>).map((r) => r.id);
  }
}
