// What the outbox does with one report of a batch, from the utility's per-report answer. The rule is the one
// a single request gets from its HTTP status (UtilityClient.deliver), so batching never changes a message's fate:
// a receipt (accepted / duplicate / superseded / held-for-review) or 409 is delivered; 5xx, 408, 429, 401 and
// 403 are retried (time or an operator fixes them, never dropping data); any other 4xx is refused for good.
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import type { SessionReportBatchError, SessionReportBatchItemResult } from "../../cloud-sync/protocol/index.ts";
import type { DeliveryOutcome } from "./outbox.ts";

/** The HTTP status a head-end error code stands for, when an answer carries a code but no status. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  "bad-request": 400, "invalid-message": 400, "unsupported-version": 400, "not-found": 404, conflict: 409,
  unauthorized: 401, forbidden: 403, "cross-premises": 403, unavailable: 503, internal: 500,
};

/** The fate of a message answered with `status` (the same table as a single request's). */
export function outcomeOfStatus(status: number, error: string): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered" };
  // 409 Conflict: the utility already holds this message (or a newer revision); it is delivered.
  if (status === 409) return { kind: "delivered" };
  if (status >= 500 || status === 408 || status === 429 || status === 401 || status === 403) return { kind: "retry", error };
  if (status >= 400) return { kind: "rejected", error };
  return { kind: "retry", error };
}

/** Maps `results[i]` of a batch answer to what the outbox should do with `report` (`reports[i]`). */
export function outcomeOfBatchResult(result: SessionReportBatchItemResult, report: SessionReport, route: string): DeliveryOutcome {
  if ("outcome" in result) return { kind: "delivered" };
  const status = statusOf(result);
  const where = result.path ? ` (at ${result.path})` : "";
  const error = `${route}: utility answered ${status} for session ${report.sessionId} revision ${report.revision}: ${result.error}${where}`;
  return outcomeOfStatus(status, error);
}

/** An unknown code without a status is retried (500): an answer we do not understand must not drop data. */
function statusOf(e: SessionReportBatchError): number {
  return e.status ?? STATUS_OF_CODE[e.code] ?? 500;
}
