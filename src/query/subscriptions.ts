// Alert subscriptions in chat: /subscribe [部门关键词], /unsubscribe [关键词], /subscriptions and
// 订阅 / 取消订阅 / 我的订阅. As a wrapper around the query engine (free text, private chats, mentions)
// and as command specs for the adapters' command lists (/subscribe in Telegram groups, Feishu aliases).
import type { Answer } from "../domain.ts";
import { cleanKeyword, keywordMatchesDepartment, type Subscription, type SubscriptionStore } from "../../index/subscriptions.ts";
import type { AskContext, QueryEngine } from "./types.ts";

export interface SubscriptionOptions {
  /** Known department names, to say what a keyword matches now. */
  departments?: () => string[];
}

type Action = "subscribe" | "unsubscribe" | "list";

/** Structurally both the Telegram adapter's ExtraCommand and the Feishu adapter's FeishuCommand. */
export interface SubscriptionCommand {
  command: string;
  description: string;
  aliases: string[];
  handle(args: string, ctx: AskContext): Promise<Answer>;
}

const SLASH = /^\/(subscribe|unsubscribe|subscriptions)(?:@[A-Za-z0-9_]+)?(?=\s|$)\s*([\s\S]*)$/i;
// Longest first, so 取消订阅 is not read as 订阅 and 订阅列表 not as 订阅 列表.
const WORDS: Array<[string, Action]> = [
  ["取消订阅", "unsubscribe"],
  ["我的订阅", "list"],
  ["订阅列表", "list"],
  ["查看订阅", "list"],
  ["退订", "unsubscribe"],
  ["订阅", "subscribe"],
];
const SLASH_ACTION: Record<string, Action> = { subscribe: "subscribe", unsubscribe: "unsubscribe", subscriptions: "list" };
/** Arguments meaning "everything" rather than a department keyword. */
const EVERYTHING = new Set(["全部", "所有", "全部部门", "所有部门", "all", "*"]);

/** A subscription command in the text, or null. "@botname" right after the command word is dropped. */
export function parseSubscriptionCommand(text: string): { action: Action; args: string } | null {
  const t = text.trim();
  const slash = SLASH.exec(t);
  if (slash) return { action: SLASH_ACTION[slash[1]!.toLowerCase()]!, args: slash[2]!.trim() };
  for (const [word, action] of WORDS) {
    if (!t.startsWith(word)) continue;
    const args = t.slice(word.length).replace(/^@\S*/, "").replace(/^[\s:：,，]+/, "").trim();
    return { action, args };
  }
  return null;
}

/** Groups: an explicit flag, Feishu's chatType, or a Telegram chat id (negative for groups). */
export function isGroupContext(ctx: AskContext & { chatType?: string }): boolean {
  if (ctx.isGroup !== undefined) return ctx.isGroup;
  if (ctx.chatType !== undefined) return ctx.chatType !== "p2p";
  const tg = /^telegram:(-?\d+)$/.exec(ctx.chatKey);
  return tg ? Number(tg[1]) < 0 : false;
}

/** Notices can be delivered only to Telegram and Feishu chats (not the console, not inline results). */
const deliverable = (chatKey: string): boolean => /^telegram:-?\d+$/.test(chatKey) || /^feishu:\S+$/.test(chatKey);

const reply = (text: string): Answer => ({ intent: "help", title: "订阅提醒", text, projects: [], indicators: [] });

const describe = (s: Pick<Subscription, "keyword">): string => (s.keyword === null ? "全部新文件" : `「${s.keyword}」`);

export function createSubscriptionHandler(subs: SubscriptionStore, opts: SubscriptionOptions = {}) {
  const matchesNow = (keyword: string): string[] => (opts.departments?.() ?? []).filter((d) => keywordMatchesDepartment(keyword, d));

  function subscribe(args: string, ctx: AskContext): Answer {
    const keyword = EVERYTHING.has(args.toLowerCase()) ? null : cleanKeyword(args);
    if (keyword !== null && [...keyword].length > 30) return reply("部门关键词太长了，请写部门名称或简称，例如：/subscribe 民政局");
    const { created } = subs.subscribe(ctx.chatKey, keyword, { userKey: ctx.userKey, isAdmin: ctx.isAdmin === true });
    if (keyword === null) {
      return reply(created ? "已订阅：每有新的预算文件入库，都会在本聊天通知。" : "本聊天已订阅全部新文件通知。");
    }
    const lines = [
      created
        ? `已订阅「${keyword}」：匹配的部门有新的预算文件入库时，会在本聊天通知。`
        : `本聊天已订阅「${keyword}」。`,
    ];
    const now = matchesNow(keyword);
    if (opts.departments) lines.push(now.length ? `目前匹配：${now.join("、")}` : "目前还没有匹配的部门，之后有匹配的文件入库时会通知。");
    return reply(lines.join("\n"));
  }

  function unsubscribe(args: string, ctx: AskContext): Answer {
    if (args === "" || EVERYTHING.has(args.toLowerCase())) {
      const n = subs.unsubscribe(ctx.chatKey);
      return reply(n > 0 ? `已取消本聊天的全部订阅（${n} 项）。` : "本聊天没有订阅。");
    }
    const keyword = cleanKeyword(args)!;
    if (subs.unsubscribe(ctx.chatKey, keyword) > 0) return reply(`已取消订阅「${keyword}」。`);
    const rest = subs.list(ctx.chatKey);
    return reply(
      rest.length
        ? `本聊天没有订阅「${keyword}」。当前订阅：${rest.map(describe).join("、")}`
        : "本聊天没有订阅。",
    );
  }

  function list(ctx: AskContext): Answer {
    const mine = subs.list(ctx.chatKey);
    if (mine.length === 0) {
      return reply("本聊天还没有订阅。\n发送 /subscribe 订阅全部新文件，或 /subscribe 民政局 只订阅某个部门。");
    }
    const lines = ["本聊天的订阅："];
    for (const s of mine) {
      const now = s.keyword !== null && opts.departments ? matchesNow(s.keyword) : [];
      lines.push(`· ${describe(s)}${now.length ? `（目前匹配：${now.join("、")}）` : ""}`);
    }
    lines.push("取消：/unsubscribe 关键词；全部取消：/unsubscribe");
    return reply(lines.join("\n"));
  }

  /** Runs a parsed command for the chat in ctx. */
  return function handle(action: Action, args: string, ctx: AskContext): Answer {
    if (!deliverable(ctx.chatKey)) return reply("订阅提醒只能在 Telegram 或飞书聊天中使用。");
    if (action === "list") return list(ctx);
    if (isGroupContext(ctx) && ctx.isAdmin !== true) return reply("只有管理员可以更改群聊的订阅。发送 /subscriptions 可查看本群的订阅。");
    return action === "subscribe" ? subscribe(args, ctx) : unsubscribe(args, ctx);
  };
}

/** The engine, with subscription commands answered before anything else reaches it. */
export function withSubscriptions(engine: QueryEngine, subs: SubscriptionStore, opts: SubscriptionOptions = {}): QueryEngine {
  const handle = createSubscriptionHandler(subs, opts);
  return {
    async ask(text, ctx) {
      const command = parseSubscriptionCommand(text);
      return command ? handle(command.action, command.args, ctx) : engine.ask(text, ctx);
    },
  };
}

/** For the adapters' `commands` option: menu entries, Feishu aliases, and the same handling. */
export function subscriptionCommands(subs: SubscriptionStore, opts: SubscriptionOptions = {}): SubscriptionCommand[] {
  const handle = createSubscriptionHandler(subs, opts);
  const spec = (command: string, action: Action, description: string, aliases: string[]): SubscriptionCommand => ({
    command,
    description,
    aliases,
    handle: async (args, ctx) => handle(action, args.replace(/^@\S*/, "").trim(), ctx),
  });
  return [
    spec("subscribe", "subscribe", "订阅新文件提醒，例如 /subscribe 民政局", ["订阅"]),
    spec("unsubscribe", "unsubscribe", "取消订阅，例如 /unsubscribe 民政局", ["取消订阅", "退订"]),
    spec("subscriptions", "list", "查看本聊天的订阅", ["我的订阅", "订阅列表", "查看订阅"]),
  ];
}
