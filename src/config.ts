// Settings from the environment (and `.env`), validated once at start.
import { existsSync } from "node:fs";
import { z } from "zod";

const optional = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();

const idList = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );

export const SettingsSchema = z.object({
  BUDGET_DB: z.string().trim().min(1).default("./data/budget.db"),
  INBOX_DIR: z.string().trim().min(1).default("./inbox"),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  TELEGRAM_BOT_TOKEN: optional,
  TELEGRAM_API_ROOT: z.string().trim().url().default("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_URL: z.string().trim().url().optional().or(z.literal("").transform(() => undefined)),
  TELEGRAM_WEBHOOK_SECRET: optional,
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_DOMAIN: z
    .string()
    .trim()
    .url()
    .default("https://open.feishu.cn")
    .transform((s) => s.replace(/\/+$/, "")),
  FEISHU_MODE: z.enum(["ws", "webhook"]).default("ws"),
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_ENCRYPT_KEY: optional,
  ADMIN_IDS: idList,
  ALLOWED_CHATS: idList,
});
export type Settings = z.infer<typeof SettingsSchema>;

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

/** Validates settings; a bad value throws a SettingsError naming the setting. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in SettingsSchema.shape && v !== undefined && v.trim() !== ""),
  );
  const result = SettingsSchema.safeParse(blankToUndefined);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SettingsError(`invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  return result.data;
}

/** Reads `.env` from the working directory into process.env (existing variables win). */
export function readDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
