// A batch of session reports in one signed request: what a hub's outbox sends after a long time offline, and
// what lets the head-end take thousands of sessions a second (one signature check, one transaction per batch).
// Each report keeps its own outcome: a bad one is refused alone (its error names it by index), the rest are stored.
import { z } from "zod";
import { sessionReportSchema } from "../../protocol/session-report.ts";
import { sessionReceiptSchema } from "../../protocol/receipts.ts";

export const SESSION_BATCH_PATH = "/v1/hub/sessions/batch";
export const MAX_SESSIONS_PER_BATCH = 500;

export const sessionBatchSchema = z.object({
  v: z.literal(1),
  reports: z.array(sessionReportSchema).min(1).max(MAX_SESSIONS_PER_BATCH),
});
export type SessionBatch = z.infer<typeof sessionBatchSchema>;

export const sessionBatchResultSchema = z.object({
  v: z.literal(1),
  results: z.array(z.union([
    sessionReceiptSchema,
    z.object({ index: z.number().int(), error: z.string(), path: z.string().optional(), code: z.string() }),
  ])),
});
export type SessionBatchResult = z.infer<typeof sessionBatchResultSchema>;
