// The query layer's outside: who asks, and the engine every adapter talks to.
import type { Answer } from "../domain.ts";

export interface AskContext {
  /** Conversation key, e.g. "telegram:-100123", "feishu:oc_x", "console". State is kept per chat. */
  chatKey: string;
  /** Who asks, e.g. "telegram:42"; compared with ADMIN_IDS. */
  userKey?: string;
  isAdmin?: boolean;
  /** A group chat (several people): only admins may change its alert subscriptions. */
  isGroup?: boolean;
  /** Injected clock (ms) so expiry is testable. */
  now?: number;
}

export interface QueryEngine {
  ask(text: string, ctx: AskContext): Promise<Answer>;
}
