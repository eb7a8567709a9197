// Per-chat conversation state (a pending clarification, the last list for "more"), expiring
// after a quiet spell. Time comes from the caller so expiry is testable.
import type { ProjectQuery } from "../../index/catalog.ts";
import type { IntentName, Level1, Level2, ProjectSummary } from "../domain.ts";

/** What the user wanted when we asked back; applied to the project they pick. */
export type FollowUp =
  | { view: "budget" }
  | { view: "indicators"; level1?: Level1; level2?: Level2 }
  | { view: "indicator_value"; indicator: string };

export interface Clarification {
  candidates: number[];
  followUp: FollowUp;
}

/** A list the user can page through with "more". */
export interface Pager {
  intent: IntentName;
  heading: string;
  source: { type: "items"; items: ProjectSummary[] } | { type: "query"; query: ProjectQuery; total: number };
  /** Items already shown. */
  offset: number;
  /** Ids of the items shown so far, in list order, so "3" picks the third. */
  shownIds?: number[];
}

export interface ChatState {
  clarification?: Clarification;
  pager?: Pager;
}

export const DEFAULT_TTL_MS = 10 * 60 * 1000;

export class ConversationStore {
  private readonly chats = new Map<string, { state: ChatState; expiresAt: number }>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly maxChats = 10_000,
  ) {}

  get(chatKey: string, now: number): ChatState {
    const entry = this.chats.get(chatKey);
    if (!entry) return {};
    if (entry.expiresAt <= now) {
      this.chats.delete(chatKey);
      return {};
    }
    return entry.state;
  }

  /** Replaces the chat's state (an empty state forgets it). */
  set(chatKey: string, state: ChatState, now: number): void {
    this.chats.delete(chatKey); // re-insert: Map order is then least-recently-used first
    if (!state.clarification && !state.pager) return;
    this.chats.set(chatKey, { state, expiresAt: now + this.ttlMs });
    if (this.chats.size > this.maxChats) {
      const oldest = this.chats.keys().next().value;
      if (oldest !== undefined) this.chats.delete(oldest);
    }
  }
}
