// Alert subscriptions of chats, in the subscriptions table: a chat follows every new document
// (kind "all") or those of departments matching a keyword (kind "department", target = keyword).
import type Database from "better-sqlite3";
import { departmentAliases } from "./aliases.ts";
import { normalizeForSearch } from "./tokenize.ts";

export interface Subscription {
  id: number;
  chatKey: string;
  /** null: every new document. */
  keyword: string | null;
  createdBy: string | null;
  /** Made by an admin: the chat also receives refusal notices. */
  byAdmin: boolean;
  createdAt: number;
}

export interface Subscriber {
  userKey?: string;
  isAdmin?: boolean;
}

export interface SubscriptionStore {
  /** Adds (or confirms) a subscription; `created` is false when the chat already had it. */
  subscribe(chatKey: string, keyword: string | null, by: Subscriber): { created: boolean; subscription: Subscription };
  /** Removes the keyword's subscription, or every subscription of the chat without a keyword; returns how many. */
  unsubscribe(chatKey: string, keyword?: string | null): number;
  list(chatKey: string): Subscription[];
}

interface Row {
  id: number;
  chat_key: string;
  kind: string;
  target: string;
  created_by: string | null;
  by_admin: number;
  created_at: number;
}

const ALL = "all";
const DEPARTMENT = "department";

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  chatKey: r.chat_key,
  keyword: r.kind === ALL ? null : r.target,
  createdBy: r.created_by,
  byAdmin: r.by_admin === 1,
  createdAt: r.created_at,
});

/** A keyword as stored: trimmed, inner spaces and surrounding quotes dropped; "" means none. */
export function cleanKeyword(keyword: string | null | undefined): string | null {
  const k = (keyword ?? "")
    .normalize("NFKC")
    .replace(/\s+/g, "")
    .replace(/^["'“”‘’「」《》]+|["'“”‘’「」《》]+$/g, "");
  return k === "" ? null : k;
}

export function subscriptionStore(db: Database.Database, now: () => number = Date.now): SubscriptionStore {
  const upsert = db.prepare(
    `INSERT INTO subscriptions (chat_key, kind, target, created_by, created_at, by_admin)
     VALUES (@chatKey, @kind, @target, @createdBy, @createdAt, @byAdmin)
     ON CONFLICT (chat_key, kind, target) DO UPDATE SET by_admin = max(by_admin, excluded.by_admin)`,
  );
  const find = db.prepare("SELECT * FROM subscriptions WHERE chat_key = ? AND kind = ? AND target = ?");
  const listOf = db.prepare("SELECT * FROM subscriptions WHERE chat_key = ? ORDER BY kind = 'all' DESC, id");
  const removeOne = db.prepare("DELETE FROM subscriptions WHERE chat_key = ? AND kind = ? AND target = ?");
  const removeAll = db.prepare("DELETE FROM subscriptions WHERE chat_key = ?");

  const subscribe = db.transaction((chatKey: string, keyword: string | null, by: Subscriber) => {
    const target = cleanKeyword(keyword);
    const kind = target === null ? ALL : DEPARTMENT;
    const existed = find.get(chatKey, kind, target ?? "") !== undefined;
    upsert.run({ chatKey, kind, target: target ?? "", createdBy: by.userKey ?? null, createdAt: now(), byAdmin: by.isAdmin ? 1 : 0 });
    const row = find.get(chatKey, kind, target ?? "") as Row;
    return { created: !existed, subscription: toSubscription(row) };
  });

  return {
    subscribe: (chatKey, keyword, by) => subscribe.immediate(chatKey, keyword, by),
    unsubscribe(chatKey, keyword) {
      const target = cleanKeyword(keyword);
      return target === null ? removeAll.run(chatKey).changes : removeOne.run(chatKey, DEPARTMENT, target).changes;
    },
    list: (chatKey) => (listOf.all(chatKey) as Row[]).map(toSubscription),
  };
}

/**
 * Whether a department keyword names this department: the keyword occurs in the full name or in one
 * of its generated short names (民政局 → 广州市民政局; 团市委 → 中国共产主义青年团天津市委员会).
 * Not the other way round: 海珠区民政局 contains 民政局 but does not name 广州市民政局.
 */
export function keywordMatchesDepartment(keyword: string, department: string | null): boolean {
  return departmentMatcher(department)(keyword);
}

/** keywordMatchesDepartment for one department and many keywords: its short names are generated once. */
function departmentMatcher(department: string | null): (keyword: string) => boolean {
  if (!department) return () => false;
  const names = [department, ...departmentAliases(department)].map(normalizeForSearch);
  return (keyword) => {
    const k = normalizeForSearch(keyword);
    return k !== "" && names.some((n) => n.includes(k));
  };
}

/** Whether a subscription wants news of this department's documents (a keyword-less one wants all). */
export function subscriptionMatcher(department: string | null): (sub: Pick<Subscription, "keyword">) => boolean {
  const matches = departmentMatcher(department);
  return (sub) => sub.keyword === null || matches(sub.keyword);
}

/** Every subscription, for choosing who hears of a new document (the table is small: one row per chat and keyword). */
export function allSubscriptions(db: Database.Database): Subscription[] {
  return (db.prepare("SELECT * FROM subscriptions ORDER BY id").all() as Row[]).map(toSubscription);
}
