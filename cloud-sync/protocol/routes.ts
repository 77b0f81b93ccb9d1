// The HTTP routes between the hub and the utility head-end: the one place both sides read them from.
// Every /v1/hub/* request is signed by the hub (signing.ts); the utility answers 2xx with the response
// schema, 400 with ErrorBody naming the field at fault, 401 for a signature/time/nonce/unknown-hub refusal,
// 403 for a premises the hub is not paired to, 5xx when it could not store the message (the hub retries).
import type { z } from "zod";
import { bindingAnswerSchema, bindingRequestSchema } from "./binding.ts";
import { commissioningAckSchema } from "./acks.ts";
import { sessionReportSchema } from "./session-report.ts";
import { sessionReportBatchResultSchema, sessionReportBatchSchema } from "./session-report-batch.ts";
import { premisesIntervalBatchSchema } from "./premises-intervals.ts";
import { hubConfigSchema } from "./hub-config.ts";
import { drStatusReportSchema } from "./dr-status.ts";
import { billSummaryListSchema } from "./bills.ts";
import { receiptSchema, sessionReceiptSchema } from "./receipts.ts";

export interface RouteSpec<Req extends z.ZodType | null, Res extends z.ZodType> {
  method: "GET" | "POST";
  path: string;
  /** Human name used in error messages. */
  name: string;
  request: Req;
  response: Res;
  /** Signed by the hub's key (true for every hub route). */
  signedByHub: boolean;
}

function route<Req extends z.ZodType | null, Res extends z.ZodType>(r: RouteSpec<Req, Res>): RouteSpec<Req, Res> { return r; }

export const ROUTES = {
  /** FR-14/FR-16/FR-28: validate (PEV, premises); full path at commissioning, short at re-binding. */
  binding: route({ method: "POST", path: "/v1/hub/binding", name: "binding request", request: bindingRequestSchema, response: bindingAnswerSchema, signedByHub: true }),
  /** FR-19, FR-27: commissioning acknowledgements of the PEV and the EUMD. */
  acks: route({ method: "POST", path: "/v1/hub/acks", name: "commissioning acknowledgement", request: commissioningAckSchema, response: receiptSchema, signedByHub: true }),
  /** FR-29: session reports, deduplicated on (sessionId, revision). */
  sessions: route({ method: "POST", path: "/v1/hub/sessions", name: "session report", request: sessionReportSchema, response: sessionReceiptSchema, signedByHub: true }),
  /** FR-29: up to MAX_SESSION_REPORTS_PER_BATCH reports of different sessions in one request; answered per report. */
  sessionsBatch: route({ method: "POST", path: "/v1/hub/sessions/batch", name: "session report batch", request: sessionReportBatchSchema, response: sessionReportBatchResultSchema, signedByHub: true }),
  /** Premises intervals from a hub-read whole-home meter (optional; the AMI channel is the usual source). */
  premisesIntervals: route({ method: "POST", path: "/v1/hub/premises-intervals", name: "premises interval batch", request: premisesIntervalBatchSchema, response: receiptSchema, signedByHub: true }),
  /** Config for the calling hub. Query: `since=<configVersion>` (optional; the utility may then omit tariff definitions the hub has). */
  config: route({ method: "GET", path: "/v1/hub/config", name: "hub config", request: null, response: hubConfigSchema, signedByHub: true }),
  /** Demand-response event status from the hub. */
  drStatus: route({ method: "POST", path: "/v1/hub/dr-status", name: "demand-response status report", request: drStatusReportSchema, response: receiptSchema, signedByHub: true }),
  /** Bill summaries for the premises the hub is paired to. Query: `months=<1..24>` (default 12). */
  bills: route({ method: "GET", path: "/v1/hub/bills", name: "bill summaries", request: null, response: billSummaryListSchema, signedByHub: true }),
  /** The utility's own AMI channel (not hub-signed; the head-end authenticates its operator/AMI system). */
  amiIntervals: route({ method: "POST", path: "/v1/ami/intervals", name: "premises interval batch", request: premisesIntervalBatchSchema, response: receiptSchema, signedByHub: false }),
} as const;

export type RouteName = keyof typeof ROUTES;
