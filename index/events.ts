// What one ingest did, for the CLI, the watcher and the alert outbox.
import { z } from "zod";
import { DocumentRecordSchema, ParseErrorCodeSchema } from "../src/domain.ts";

/** A stored document as events carry it: the record without its bookkeeping fields. */
export const DocumentSummarySchema = DocumentRecordSchema.omit({ ingestedAt: true, supersededBy: true });
export type DocumentSummary = z.infer<typeof DocumentSummarySchema>;

export const ProjectChangeSchema = z.object({
  name: z.string(),
  unit: z.string().nullable(),
  before: z.number(),
  after: z.number(),
});

/** A new version of a source name, compared with the version it replaces (projects by name + unit). */
export const ReplacementSchema = z.object({
  previousDocumentId: z.number().int(),
  added: z.array(z.object({ name: z.string(), unit: z.string().nullable(), total: z.number() })),
  removed: z.array(z.object({ name: z.string(), unit: z.string().nullable(), total: z.number() })),
  changed: z.array(ProjectChangeSchema),
});
export type Replacement = z.infer<typeof ReplacementSchema>;

/** Refusal codes: the parser's, plus a file that cannot be read and a parse that is not a valid document. */
export const RefusalCodeSchema = z.union([ParseErrorCodeSchema, z.enum(["unreadable", "invalid"])]);
export type RefusalCode = z.infer<typeof RefusalCodeSchema>;

export const IngestEventSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("ingested"),
    document: DocumentSummarySchema,
    replaced: ReplacementSchema.optional(),
  }),
  z.object({
    kind: z.literal("duplicate"),
    sourceName: z.string(),
    sha256: z.string(),
    /** The document already holding these bytes (possibly under another name). */
    existing: DocumentSummarySchema,
  }),
  z.object({
    kind: z.literal("refused"),
    sourceName: z.string(),
    /** Chinese, shown to users. */
    reason: z.string(),
    code: RefusalCodeSchema,
  }),
]);
export type IngestEvent = z.infer<typeof IngestEventSchema>;
export type IngestedEvent = Extract<IngestEvent, { kind: "ingested" }>;
