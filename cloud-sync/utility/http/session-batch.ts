// The batch route's schemas live in the protocol (cloud-sync/protocol/session-report-batch.ts), where the hub
// reads them too; these names are kept for the head-end's code, tests and benchmark.
import { ROUTES } from "../../protocol/index.ts";
export {
  MAX_SESSION_REPORTS_PER_BATCH as MAX_SESSIONS_PER_BATCH,
  sessionReportBatchSchema as sessionBatchSchema,
  sessionReportBatchResultSchema as sessionBatchResultSchema,
  type SessionReportBatch as SessionBatch,
  type SessionReportBatchResult as SessionBatchResult,
} from "../../protocol/index.ts";

export const SESSION_BATCH_PATH = ROUTES.sessionsBatch.path;
