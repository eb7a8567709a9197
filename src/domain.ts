// The one domain model every layer shares: zod schemas, with types inferred from them.
// Shapes follow ../shared/CONTRACT.md; fields beyond the contract are additive.
import { z } from "zod";

export const LEVEL1 = ["产出指标", "效益指标", "满意度指标"] as const;
export const LEVEL2 = [
  "数量指标",
  "质量指标",
  "时效指标",
  "成本指标",
  "经济效益指标",
  "社会效益指标",
  "生态效益指标",
  "可持续影响指标",
  "服务对象满意度指标",
] as const;

export const Level1Schema = z.enum(LEVEL1);
export const Level2Schema = z.enum(LEVEL2);
export type Level1 = z.infer<typeof Level1Schema>;
export type Level2 = z.infer<typeof Level2Schema>;

export const IndicatorSchema = z.object({
  level1: Level1Schema.nullable(),
  level2: Level2Schema.nullable(),
  name: z.string(),
  description: z.string().nullable(),
  periodValue: z.string().nullable(),
  annualValue: z.string().nullable(),
});
export type Indicator = z.infer<typeof IndicatorSchema>;

/** Amounts are in 万元, as numbers rounded to the table's precision. */
export const AmountSchema = z.number().finite();

export const ProjectSchema = z.object({
  name: z.string().min(1),
  unit: z.string().nullable(),
  total: AmountSchema,
  fiscal: AmountSchema.nullable(),
  specialAccount: AmountSchema.nullable(),
  other: AmountSchema.nullable(),
  goal: z.string().nullable(),
  indicators: z.array(IndicatorSchema),
});
export type Project = z.infer<typeof ProjectSchema>;

export const UnitSchema = z.object({
  name: z.string().min(1),
  declaredTotal: AmountSchema.nullable(),
});
export type Unit = z.infer<typeof UnitSchema>;

export const LayoutSchema = z.enum(["wide-table", "project-cards"]);
export type Layout = z.infer<typeof LayoutSchema>;

export const ParsedDocumentSchema = z.object({
  department: z.string().nullable(),
  title: z.string().nullable(),
  year: z.number().int().nullable(),
  currencyUnit: z.literal("万元"),
  layout: LayoutSchema,
  declaredTotal: AmountSchema.nullable(),
  units: z.array(UnitSchema),
  projects: z.array(ProjectSchema),
  warnings: z.array(z.string()),
});
export type ParsedDocument = z.infer<typeof ParsedDocumentSchema>;

/** Why a file was refused; `message` is Chinese (shown to chat users), `code` is stable. */
export const ParseErrorCodeSchema = z.enum(["empty", "binary", "not-budget", "no-projects", "too-large"]);
export type ParseErrorCode = z.infer<typeof ParseErrorCodeSchema>;

export class ParseError extends Error {
  override readonly name = "ParseError";
  constructor(
    readonly code: ParseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---- Stored records: what the index layer hands to the query layer ----

export const DocumentRecordSchema = z.object({
  id: z.number().int(),
  sourceName: z.string(),
  sha256: z.string(),
  department: z.string().nullable(),
  title: z.string().nullable(),
  year: z.number().int().nullable(),
  layout: LayoutSchema,
  declaredTotal: AmountSchema.nullable(),
  warnings: z.array(z.string()),
  ingestedAt: z.string(),
  supersededBy: z.number().int().nullable(),
  projectCount: z.number().int(),
  /** Sum of project totals, exact to 0.01 万元. */
  total: AmountSchema,
});
export type DocumentRecord = z.infer<typeof DocumentRecordSchema>;

export const ProjectRecordSchema = ProjectSchema.extend({
  id: z.number().int(),
  documentId: z.number().int(),
  /** The document's department (the body the document is about). */
  department: z.string().nullable(),
  year: z.number().int().nullable(),
  sourceName: z.string(),
});
export type ProjectRecord = z.infer<typeof ProjectRecordSchema>;

/** A project in a list: everything but goal and indicators. */
export const ProjectSummarySchema = ProjectRecordSchema.omit({ goal: true, indicators: true });
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const DepartmentRecordSchema = z.object({
  name: z.string(),
  /** Short names generated from the full name (民政局, 市民政局, 天津团市委 …). */
  aliases: z.array(z.string()),
  projectCount: z.number().int(),
  total: AmountSchema,
  years: z.array(z.number().int()),
});
export type DepartmentRecord = z.infer<typeof DepartmentRecordSchema>;

// ---- Answers: one model, rendered as plain text, Telegram HTML and Feishu cards ----

export const IntentNameSchema = z.enum([
  "project_budget",
  "project_indicators",
  "indicator_value",
  "department",
  "search",
  "ranking",
  "filter",
  "clarify",
  "help",
  "stats",
  "not_found",
]);
export type IntentName = z.infer<typeof IntentNameSchema>;

export const AnswerProjectSchema = z.object({
  name: z.string(),
  department: z.string().nullable(),
  unit: z.string().nullable(),
  total: AmountSchema,
  id: z.number().int().optional(),
  fiscal: AmountSchema.nullable().optional(),
  specialAccount: AmountSchema.nullable().optional(),
  other: AmountSchema.nullable().optional(),
  year: z.number().int().nullable().optional(),
  sourceName: z.string().optional(),
});
export type AnswerProject = z.infer<typeof AnswerProjectSchema>;

/** A button: `command` is fed back to the engine as if the user typed it (≤ 64 bytes). */
export const AnswerActionSchema = z.object({
  label: z.string(),
  command: z.string().max(64),
});
export type AnswerAction = z.infer<typeof AnswerActionSchema>;

export const AnswerSourceSchema = z.object({
  department: z.string().nullable(),
  unit: z.string().nullable(),
  year: z.number().int().nullable(),
  sourceName: z.string(),
});
export type AnswerSource = z.infer<typeof AnswerSourceSchema>;

export const AnswerSchema = z.object({
  intent: IntentNameSchema,
  /** The reply a chat user sees, in Chinese, plain text. */
  text: z.string(),
  /** Ranked, best first. */
  projects: z.array(AnswerProjectSchema),
  indicators: z.array(IndicatorSchema),
  /** A short heading for cards (project or department name). */
  title: z.string().optional(),
  sources: z.array(AnswerSourceSchema).optional(),
  actions: z.array(AnswerActionSchema).optional(),
});
export type Answer = z.infer<typeof AnswerSchema>;
