// What a message asks, as a zod-validated value. Names are left as typed ("subject"); the engine
// resolves them through the catalog. IntentParser is the one seam where another parser (say a
// language model) could be plugged in later.
import { z } from "zod";
import { Level1Schema, Level2Schema } from "../domain.ts";
import type { AskContext } from "./types.ts";

const Subject = z.string().trim();

export const IntentSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("help") }),
  z.object({ kind: z.literal("stats") }),
  z.object({ kind: z.literal("more") }),
  z.object({
    kind: z.literal("pick"),
    /** 1-based position in the chat's last numbered list. */
    index: z.number().int().positive().optional(),
    projectId: z.number().int().optional(),
    view: z.enum(["budget", "indicators"]).optional(),
  }),
  z.object({ kind: z.literal("search"), query: Subject.min(1) }),
  z.object({ kind: z.literal("project_budget"), subject: Subject.min(1) }),
  z.object({
    kind: z.literal("project_indicators"),
    subject: Subject.min(1),
    level1: Level1Schema.optional(),
    level2: Level2Schema.optional(),
  }),
  z.object({ kind: z.literal("indicator_value"), subject: Subject.min(1), indicator: Subject.min(1) }),
  z.object({ kind: z.literal("department"), subject: Subject.min(1), focus: z.enum(["total", "list", "count"]) }),
  z.object({
    kind: z.literal("ranking"),
    /** Department words, or "" for all. */
    subject: Subject,
    order: z.enum(["desc", "asc"]),
    limit: z.number().int().min(1).max(100),
  }),
  z.object({
    kind: z.literal("filter"),
    subject: Subject,
    /** Inclusive bounds in 万元 (strict words such as 超过 are turned into the next cent). */
    minTotal: z.number().optional(),
    maxTotal: z.number().optional(),
    /** How the user put it, for the reply ("超过 1000.00 万元"). */
    description: z.string(),
  }),
  /** Anything else: a name, a keyword; the engine decides between a project and a search. */
  z.object({ kind: z.literal("free"), text: Subject.min(1) }),
]);
export type Intent = z.infer<typeof IntentSchema>;

export interface IntentParser {
  /** Null when the parser cannot read the message at all. */
  parse(text: string, ctx: AskContext): Intent | null;
}
