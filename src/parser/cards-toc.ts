// The table of contents (目录) of a card document, and its check against the cards found.
import { cardText, isBlank, isPageNumber, type Row } from "./cards-text.ts";

/** "- 3.大学生思想引领及综合素质提升绩效目标表 …… 5" → 3 and the title. */
const NUMBERED = /^[-•·*]?\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[.、．)）]\s*(.+)$/;

export const isNumberedHeading = (text: string): boolean => NUMBERED.test(text.trim());

/**
 * The key a TOC entry, a card heading and a project name are compared by: no numbering, no
 * spaces, no dot leaders or page number, no "绩效目标表" suffix, full-width forms folded.
 */
export function titleKey(text: string): string {
  let s = text.normalize("NFKC").replace(/\s+/g, "");
  const m = NUMBERED.exec(s);
  if (m?.[2]) s = m[2];
  return s
    .replace(/(?:[.…·・]{2,}|…+)\d*$/, "")
    .replace(/(?:项目支出)?绩效目标(?:表|申报表)?$/, "")
    .replace(/[“”"'‘’]/g, "");
}

/** Entries listed after a 目录 line (or, without one, the numbered lines) of the document's head. */
export function readToc(head: Row[]): string[] {
  const tocAt = head.findIndex((r) => r.keys.join("") === "目录");
  const lines = tocAt >= 0 ? head.slice(tocAt + 1) : head;
  const entries: string[] = [];
  let adjacent = false;
  for (const row of lines) {
    if (isBlank(row)) {
      adjacent = false;
      continue;
    }
    const text = cardText(row.cells.filter((c) => c !== "").join(" "));
    if (isNumberedHeading(text)) entries.push(text);
    else if (tocAt >= 0 && adjacent && entries.length > 0 && !isPageNumber(row.keys.join(""))) {
      entries[entries.length - 1] += text; // an entry wrapped onto the next line
    }
    adjacent = true;
  }
  return entries.map((e) => cardText(e.replace(/^[-•·*]\s*/, "")));
}

export interface FoundCard {
  heading: string | null;
  name: string;
}

/** Chinese warnings for TOC entries without a card and cards the TOC does not list. */
export function checkToc(toc: string[], cards: FoundCard[]): string[] {
  if (toc.length === 0) return [];
  const unmatched = cards.map((c, i) => ({ i, keys: [c.heading, c.name].filter((k): k is string => !!k).map(titleKey) }));
  const warnings: string[] = [];
  for (const entry of toc) {
    const key = titleKey(entry);
    const at = unmatched.findIndex((c) => c.keys.includes(key));
    if (at >= 0) unmatched.splice(at, 1);
    else warnings.push(`目录列出的「${displayTitle(entry)}」在正文中未找到对应的项目卡片`);
  }
  for (const { i } of unmatched) {
    const card = cards[i];
    if (card) warnings.push(`正文中的项目「${card.name}」未列入目录`);
  }
  return warnings;
}

function displayTitle(entry: string): string {
  const m = NUMBERED.exec(entry);
  return (m?.[2] ?? entry).replace(/(?:[.…·・]{2,}|…+)\s*\d*$/, "").replace(/(?:项目支出)?绩效目标(?:表|申报表)?$/, "").trim();
}
