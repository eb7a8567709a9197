// The indicator table of one project card: 一级指标 / 二级指标 / 三级指标 / 绩效指标描述 / 指标值.
// Rows come from a PDF: page breaks split cells over two rows, merged level cells are blank,
// some rows lose their first column. Columns are recognised by content where position lies.
import type { Indicator, Level1, Level2 } from "../domain.ts";
import { indicatorField, isBlank, type Row } from "./cards-text.ts";
import { joinBroken } from "./normalize.ts";
import { canonicalLevel1, canonicalLevel2, PARENT_OF_LEVEL2 } from "./taxonomy.ts";

export interface IndicatorColumns {
  level1: number;
  level2: number;
  name: number;
  description: number | null;
  period: number | null;
  annual: number | null;
}

/** Column layout of the card table when it has no header row. */
export const DEFAULT_COLUMNS: IndicatorColumns = { level1: 0, level2: 1, name: 2, description: 3, period: null, annual: 4 };

/** The columns named by a header row, or null when the row is not the indicator header. */
export function indicatorColumns(keys: string[]): IndicatorColumns | null {
  const at = (re: RegExp): number => keys.findIndex((k) => re.test(k));
  const level1 = at(/^一级指标/);
  if (level1 < 0) return null;
  const level2 = at(/^二级指标/);
  const name = at(/^(三级指标|指标名称)/);
  if (name < 0 && at(/指标值/) < 0) return null;
  const description = at(/描述|指标内容|指标说明/);
  const period = at(/实施周期/);
  let annual = at(/年度指标值|^年度目标值/);
  if (annual < 0) annual = keys.findIndex((k, i) => i !== period && /指标值|目标值/.test(k));
  return {
    level1,
    level2: level2 >= 0 ? level2 : level1 + 1,
    name: name >= 0 ? name : (level2 >= 0 ? level2 : level1 + 1) + 1,
    description: description >= 0 ? description : null,
    period: period >= 0 ? period : null,
    annual: annual >= 0 ? annual : null,
  };
}

/** An indicator being assembled; text fields stay raw until the table ends. */
interface Draft {
  level1Raw: string;
  level2Raw: string;
  level1: Level1 | null;
  level2: Level2 | null;
  name: string;
  description: string;
  period: string;
  annual: string;
}

type TextField = "name" | "description" | "period" | "annual";
const TEXT_FIELDS: readonly TextField[] = ["name", "description", "period", "annual"];

/** The second line of a header whose labels wrapped ("绩效指标" / "描述"). */
const isHeaderTail = (keys: string[]): boolean =>
  keys.some((k) => k !== "") && keys.every((k) => k === "" || /^(指标|描述|指标值|名称|内容|说明|值|标)$/.test(k));

/** One row's cells by meaning. */
type Piece = Record<"level1" | "level2" | TextField, string>;

function cellAt(cells: string[], i: number | null): string {
  return i === null ? "" : (cells[i] ?? "");
}

/** A level-2 cell; "满意度指标" (or the typo 满意指标) there means its only child, 服务对象满意度指标. */
function level2Of(raw: string): Level2 | null {
  return canonicalLevel2(raw) ?? (canonicalLevel1(raw) === "满意度指标" ? "服务对象满意度指标" : null);
}

const isLevelName = (s: string): boolean => canonicalLevel1(s) !== null || canonicalLevel2(s) !== null;

/** Reads indicator rows one at a time (`add`), then `indicators()` gives the finished list. */
export class IndicatorTable {
  private readonly drafts: Draft[] = [];
  /** A blank row, a repeated header or a page footer came since the last data row. */
  private pageBreak = false;
  /** The previous row was a header row (its labels may wrap onto this one). */
  private afterHeader = false;
  /** Rows that started an indicator, and how many of them had their own level-2 cell. */
  private startedRows = 0;
  private rowsWithLevel2 = 0;

  constructor(private readonly cols: IndicatorColumns) {}

  add(row: Row): void {
    if (isBlank(row)) {
      this.pageBreak = true;
      return;
    }
    if (indicatorColumns(row.keys) || (this.afterHeader && isHeaderTail(row.keys))) {
      // a header repeated after a page break, or the second line of a wrapped header
      this.pageBreak = true;
      this.afterHeader = true;
      return;
    }
    this.afterHeader = false;
    if (!row.tabular) {
      // free text between table rows (a page number, a running title) marks a page boundary
      this.pageBreak = true;
      return;
    }
    const cells = this.realign(row.cells, this.drafts.at(-1));
    const piece: Piece = {
      level1: cellAt(cells, this.cols.level1),
      level2: cellAt(cells, this.cols.level2),
      name: cellAt(cells, this.cols.name),
      description: cellAt(cells, this.cols.description),
      period: cellAt(cells, this.cols.period),
      annual: cellAt(cells, this.cols.annual),
    };
    const prev = this.drafts.at(-1);
    if (prev && this.continues(prev, piece)) this.extend(prev, piece);
    else if (TEXT_FIELDS.some((f) => piece[f] !== "") || piece.level1 !== "" || piece.level2 !== "") this.start(piece, prev);
    this.pageBreak = false;
  }

  indicators(): Indicator[] {
    const out: Indicator[] = [];
    for (const d of this.drafts) {
      const description = indicatorField(d.description);
      const name = indicatorField(d.name) ?? description;
      if (name === null) continue;
      out.push({
        level1: d.level1,
        level2: d.level2,
        name,
        description,
        periodValue: indicatorField(d.period),
        annualValue: indicatorField(d.annual),
      });
    }
    return out;
  }

  /**
   * A row that lost its leading column(s) is moved back: a level-2 name in the level-1 column
   * (or the tail of the previous level-2 name after a page break) means level 1 is missing; a level-1 row whose level-2 cell holds other text lost level 2.
   * Only rows whose value column came out empty are moved, so a full row is never disturbed.
   * E.g. `成本指标 | 干部周转房 | 干部周转房 | ≤6万元 |` → `| 成本指标 | 干部周转房 | 干部周转房 | ≤6万元`.
   */
  private realign(cells: string[], prev: Draft | undefined): string[] {
    const { level1, level2, annual } = this.cols;
    if (annual === null || (cells[annual] ?? "") !== "" || level2 !== level1 + 1) return cells;
    const first = cells[level1] ?? "";
    const second = cells[level2] ?? "";
    const level2Tail = this.pageBreak && prev !== undefined && canonicalLevel2(prev.level2Raw + first.replace(/\s+/g, "")) !== null;
    if (first !== "" && canonicalLevel1(first) === null && (canonicalLevel2(first) !== null || level2Tail)) {
      return [...cells.slice(0, level1), "", ...cells.slice(level1)];
    }
    const lastFilled = cells.reduce((last, c, i) => (c !== "" ? i : last), -1);
    if (canonicalLevel1(first) !== null && second !== "" && !isLevelName(second) && lastFilled === annual - 1) {
      return [...cells.slice(0, level2), "", ...cells.slice(level2)];
    }
    return cells;
  }

  /**
   * Whether a row carries the rest of the previous indicator's cells (split by a page break)
   * rather than a new indicator. A new indicator always has a name; after a page break, a row
   * with blank level cells continues the previous one when this table fills its level-2 column
   * on every row (so blank means "no new row"), or when one of the two rows lacks its value.
   */
  private continues(prev: Draft, piece: Piece): boolean {
    const l1Fragment = piece.level1 !== "" && !isLevelName(piece.level1) && canonicalLevel1(prev.level1Raw + piece.level1) !== null;
    if (piece.level1 !== "" && !(this.pageBreak && l1Fragment)) return false;
    if (piece.level2 !== "") {
      if (isLevelName(piece.level2)) return false;
      // the level-2 cell holds the tail of the previous level-2 name ("可持续影响" + "指标")
      return this.pageBreak || canonicalLevel2(prev.level2Raw + piece.level2) !== null;
    }
    if (piece.name === "") return true;
    if (!this.pageBreak) return false;
    const level2EveryRow = this.startedRows > 0 && this.rowsWithLevel2 === this.startedRows;
    return level2EveryRow || piece.annual === "" || prev.annual === "" || l1Fragment;
  }

  private extend(prev: Draft, piece: Piece): void {
    if (piece.level1 !== "") {
      prev.level1Raw += piece.level1.replace(/\s+/g, "");
      prev.level1 = canonicalLevel1(prev.level1Raw) ?? prev.level1;
    }
    if (piece.level2 !== "") {
      prev.level2Raw += piece.level2.replace(/\s+/g, "");
      const level2 = level2Of(prev.level2Raw);
      if (level2) {
        prev.level2 = level2;
        prev.level1 ??= PARENT_OF_LEVEL2[level2];
      }
    }
    for (const f of TEXT_FIELDS) prev[f] = joinBroken(prev[f], piece[f]);
  }

  private start(piece: Piece, prev: Draft | undefined): void {
    if (piece.name !== "") {
      this.startedRows++;
      if (piece.level2 !== "") this.rowsWithLevel2++;
    }
    const level1Raw = piece.level1.replace(/\s+/g, "");
    const level2Raw = piece.level2.replace(/\s+/g, "");
    let level1: Level1 | null;
    let level2: Level2 | null;
    if (level1Raw !== "") {
      // a new level-1 group: level 2 is inherited only when the merged cell belongs to this group
      level2 = level2Of(level2Raw);
      level1 = canonicalLevel1(level1Raw) ?? (level2 ? PARENT_OF_LEVEL2[level2] : null);
      if (level2Raw === "" && prev?.level2 && PARENT_OF_LEVEL2[prev.level2] === level1) level2 = prev.level2;
    } else {
      level2 = level2Raw !== "" ? level2Of(level2Raw) : (prev?.level2 ?? null);
      level1 = level2 ? PARENT_OF_LEVEL2[level2] : (prev?.level1 ?? null);
    }
    this.drafts.push({
      level1Raw: level1Raw || (prev?.level1Raw ?? ""),
      level2Raw: level2Raw || (prev?.level2Raw ?? ""),
      level1,
      level2,
      name: piece.name,
      description: piece.description,
      period: piece.period,
      annual: piece.annual,
    });
  }
}
