// The hub's client to the utility head-end: the signed protocol client plus what the outbox needs from it, one
// delivery outcome per message (delivered, retry, rejected), and session reports in signed batches when several
// are due.
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import {
  ROUTES, SignedUtilityClient, UtilityError, UtilityRejectedError,
  type SessionReportBatchResult, type UtilityClientOptions,
} from "../../cloud-sync/protocol/index.ts";
import type { DeliveryOutcome } from "./outbox.ts";
import type { OutboxMessage } from "./outbox-message.ts";
import { outcomeOfBatchResult } from "./batch-outcome.ts";

export interface HubUtilityClientOptions extends UtilityClientOptions {
  /** After the utility answers 404/405 to the batch route (an older head-end), send reports singly for this long, ms (default 1 h). */
  batchUnsupportedRetryMs?: number;
}

export class UtilityClient extends SignedUtilityClient {
  /** Until when (clock ms) the batch route is known to be missing; reports then go one per request. */
  private batchUnsupportedUntilMs = 0;

  constructor(private readonly hubOptions: HubUtilityClientOptions) {
    super(hubOptions);
  }

  /**
   * Delivers several session reports (heads of different sessions) and returns one outcome per report, in order.
   * Throws when the request as a whole failed in a way retrying can fix (utility down, 5xx, timeout, 401, a bad
   * answer): the caller retries every report. When the utility refuses the batch as a whole for a reason that may
   * lie with one report (400, 403, 413, …) or lacks the batch route (404/405), each report is sent alone, so it
   * gets exactly the fate it would have had without batching.
   */
  async deliverSessionReports(reports: readonly SessionReport[]): Promise<DeliveryOutcome[]> {
    if (reports.length === 1 || this.o.clock.nowMs() < this.batchUnsupportedUntilMs) return this.deliverEach(reports);
    let answer: SessionReportBatchResult;
    try {
      answer = await this.sendSessionReports(reports);
    } catch (e) {
      if (!(e instanceof UtilityRejectedError) || e.status === 401) throw e;
      if (e.status === 404 || e.status === 405) this.batchUnsupportedUntilMs = this.o.clock.nowMs() + (this.hubOptions.batchUnsupportedRetryMs ?? 3_600_000);
      return this.deliverEach(reports);
    }
    const where = `${ROUTES.sessionsBatch.method} ${ROUTES.sessionsBatch.path}`;
    return answer.results.map((r, i) => outcomeOfBatchResult(r, reports[i]!, where));
  }

  /** One request per report, a few at a time (the fallback when a batch cannot be used). */
  private async deliverEach(reports: readonly SessionReport[]): Promise<DeliveryOutcome[]> {
    const out: DeliveryOutcome[] = new Array(reports.length);
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < reports.length; i = next++) out[i] = await this.deliver({ kind: "session-report", body: reports[i]! });
    };
    await Promise.all(Array.from({ length: Math.min(4, reports.length) }, lane));
    return out;
  }

  /** Sends one outbox message and maps the result to what the outbox should do with it. */
  async deliver(m: OutboxMessage): Promise<DeliveryOutcome> {
    try {
      switch (m.kind) {
        case "session-report": await this.sendSessionReport(m.body); break;
        case "ack": await this.acknowledge(m.body); break;
        case "dr-status": await this.reportDrStatus(m.body); break;
        case "premises-intervals": await this.sendPremisesIntervals(m.body); break;
      }
      return { kind: "delivered" };
    } catch (e) {
      const err = e as Error;
      // 409 Conflict: the utility already holds this message (or a newer revision); it is delivered.
      if (e instanceof UtilityRejectedError && e.status === 409) return { kind: "delivered" };
      if (e instanceof UtilityError && !e.retryable) return { kind: "rejected", error: err.message };
      return { kind: "retry", error: err.message };
    }
  }
}
