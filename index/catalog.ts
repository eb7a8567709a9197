// What the query layer may ask of the indexing layer. Implemented over SQLite + MiniSearch.
import type { DepartmentRecord, DocumentRecord, ProjectRecord, ProjectSummary } from "../src/domain.ts";

export interface ProjectHit {
  project: ProjectSummary;
  /** Higher is better; only comparable within one result list. */
  score: number;
  /** The (normalised) query occurs verbatim in the project name. */
  exactName: boolean;
  /** Matched only in long text (goal, indicators), not in the name. */
  textOnly: boolean;
}

export interface SearchOptions {
  limit?: number;
  /** Restrict to these departments (full names, as in DepartmentRecord.name). */
  departments?: string[];
}

export interface ProjectQuery {
  departments?: string[];
  /** Inclusive bounds in 万元. */
  minTotal?: number;
  maxTotal?: number;
  order?: "total-desc" | "total-asc" | "name";
  limit?: number;
  offset?: number;
}

export interface CatalogStats {
  documents: number;
  projects: number;
  departments: number;
  /** Sum of all current project totals in 万元, exact to 0.01. */
  total: number;
}

export interface Catalog {
  /**
   * Projects matching a short query or a name, best first. Handles unspaced Chinese (bigrams),
   * exact-substring boost, near names / typos, pinyin (full or initials); names and units
   * first, then goal and indicator text.
   */
  searchProjects(text: string, opts?: SearchOptions): ProjectHit[];
  getProject(id: number): ProjectRecord | null;
  listProjects(q: ProjectQuery): { total: number; items: ProjectSummary[] };
  /** Departments whose name or a generated alias matches the text (民政局, 天津团市委 …), best first. */
  findDepartments(text: string): DepartmentRecord[];
  departments(): DepartmentRecord[];
  documents(): DocumentRecord[];
  stats(): CatalogStats;
}
