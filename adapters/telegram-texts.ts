// Everything the Telegram adapter itself says to users (Chinese), and its command menu.
import type { InlineKeyboardButton } from "telegraf/types";
import { escapeHtml } from "../src/render/telegram.ts";

export interface CommandSpec {
  command: string;
  description: string;
}

/** Commands the query engine understands, forwarded as "/name args". */
export const ENGINE_COMMANDS: CommandSpec[] = [
  { command: "budget", description: "项目预算，例如 /budget 平安通" },
  { command: "indicators", description: "项目绩效指标，例如 /indicators 平安通" },
  { command: "search", description: "搜索项目，例如 /search 志愿" },
  { command: "dept", description: "部门预算与项目，例如 /dept 民政局" },
  { command: "top", description: "预算排行，例如 /top 3 民政局" },
  { command: "stats", description: "数据概况" },
];

/** The menu shown by Telegram (setMyCommands), in display order. */
export const MENU_COMMANDS: CommandSpec[] = [
  { command: "ask", description: "提问，例如 /ask 平安通项目预算多少" },
  ...ENGINE_COMMANDS,
  { command: "help", description: "使用说明" },
];

/** Tappable examples: callback_data is "ex:" + question (an answer is sent as a new message). */
export const EXAMPLE_PREFIX = "ex:";
export const EXAMPLES = ["平安通项目预算多少", "民政局预算最高的三个项目", "平安通的满意度指标", "超过1000万的项目"];

export function helpHtml(botUsername: string, isGroup: boolean): string {
  const at = `@${escapeHtml(botUsername)}`;
  const lines = [
    "<b>预算查询助手</b>",
    "我可以查询已收录的项目支出绩效目标表：项目预算、绩效指标、部门预算、排行和筛选。",
    "",
    "<b>怎么问</b>",
    isGroup
      ? `• 在群里：<code>/ask@${escapeHtml(botUsername)} 平安通项目预算多少</code>，或 ${at} 后直接提问，或回复我的消息`
      : "• 直接发送问题，例如：平安通项目预算多少",
    "• 命令：/budget 项目、/indicators 项目、/search 关键词、/dept 部门、/top 3 民政局、/stats",
    `• 在任何聊天中输入 <code>${at} 平安通</code> 可搜索项目并发送预算卡片`,
    "• 有多个同名项目时，点按钮或回复序号即可选择",
    "",
    "点下面的例子试一试：",
  ];
  return lines.join("\n");
}

export function helpKeyboard(): InlineKeyboardButton[][] {
  return [
    ...EXAMPLES.map((q) => [{ text: q, callback_data: EXAMPLE_PREFIX + q }]),
    [{ text: "在其他聊天中搜索项目", switch_inline_query: "平安通" }],
  ];
}

export function groupGreetingHtml(botUsername: string): string {
  const name = escapeHtml(botUsername);
  return [
    "大家好！我是预算查询助手。",
    `• 提问：<code>/ask@${name} 平安通项目预算多少</code>`,
    `• 或者 @${name} 后直接提问，也可以回复我的消息`,
    "• 发送 /help 查看全部用法",
  ].join("\n");
}

export const TEXT = {
  apology: "抱歉，处理您的消息时出错了，请稍后再试。",
  notAllowed: "抱歉，本机器人只在授权的聊天中使用。",
  notAllowedGroup: "此群未获授权使用本机器人，请联系管理员将本群加入允许列表。",
  askNeedsQuestion: "请在 /ask 后面写上问题，例如：/ask 平安通项目预算多少",
  buttonExpired: "按钮已过期，请重新提问。",
  inlineHint: "输入项目名称或关键词搜索",
  inlineNone: "没有找到匹配的项目",
  onlyText: "目前只支持文字提问。",
  callbackWorking: "正在查询…",
} as const;
