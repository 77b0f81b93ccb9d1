// Many session reports in one signed request, and the utility's answer per report. A hub sends a batch when
// several sessions' reports are due at once (after an outage, or a busy evening): one signature check, one
// HTTP round trip and one utility transaction instead of one each, while every report keeps its own outcome.
//
// Ordering: a batch never holds two reports of one session (the hub sends only stream heads together), so
// per-session order is the same as with single requests. The answer's `results[i]` is the outcome of
// `reports[i]`: a session receipt (delivered, whatever the outcome) or an error naming the report by index.
import { z } from "zod";
import { sessionReportSchema } from "./session-report.ts";
import { sessionReceiptSchema } from "./receipts.ts";
import { parseMessage } from "./version.ts";

/** The most reports the utility takes in one batch. Hubs send fewer (UtilityClient's default is 100). */
export const MAX_SESSION_REPORTS_PER_BATCH = 500;

export const sessionReportBatchSchema = z.object({
  v: z.literal(1),
  reports: z.array(sessionReportSchema).min(1).max(MAX_SESSION_REPORTS_PER_BATCH),
});
export type SessionReportBatch = z.infer<typeof sessionReportBatchSchema>;

/**
 * One report the utility did not store. `code` is the head-end's error code (`bad-request`, `not-found`,
 * `conflict`, `forbidden`, `unavailable`, `internal`, …); `status` is the HTTP status the same report would
 * have got alone, so the hub decides exactly as for a single request (409 delivered, 5xx/401/403 retried,
 * other 4xx refused for good). `path` names the field at fault, prefixed `reports[i].`.
 */
export const sessionReportBatchErrorSchema = z.object({
  index: z.number().int().min(0),
  error: z.string(),
  code: z.string(),
  status: z.number().int().min(400).max(599).optional(),
  path: z.string().optional(),
});
export type SessionReportBatchError = z.infer<typeof sessionReportBatchErrorSchema>;

export const sessionReportBatchResultSchema = z.object({
  v: z.literal(1),
  results: z.array(z.union([sessionReceiptSchema, sessionReportBatchErrorSchema])).max(MAX_SESSION_REPORTS_PER_BATCH),
});
export type SessionReportBatchResult = z.infer<typeof sessionReportBatchResultSchema>;
export type SessionReportBatchItemResult = SessionReportBatchResult["results"][number];

export const parseSessionReportBatch = (input: unknown): SessionReportBatch => parseMessage(sessionReportBatchSchema, input, "session report batch");
export const parseSessionReportBatchResult = (input: unknown): SessionReportBatchResult =>
  parseMessage(sessionReportBatchResultSchema, input, "session report batch answer");
