// The hub's HTTP client to the utility head-end: every request signed with the hub's key, every answer
// validated with the protocol schemas, every call bounded by a timeout. Errors say whether retrying can help,
// which is what the outbox needs to decide between backing off and setting a message aside.
import type { KeyObject } from "node:crypto";
import type { HubId } from "../../core/ids/ids.ts";
import type { Clock } from "../../core/time/clock.ts";
import type { BindingAnswer, BindingRequest } from "../protocol/binding.ts";
import type { CommissioningAck } from "../protocol/acks.ts";
import type { SessionReport } from "../protocol/session-report.ts";
import type { PremisesIntervalBatch } from "../protocol/premises-intervals.ts";
import type { HubConfig } from "../protocol/hub-config.ts";
import type { DrStatusReport } from "../protocol/dr-status.ts";
import type { BillSummaryList } from "../protocol/bills.ts";
import type { Receipt, SessionReceipt } from "../protocol/receipts.ts";
import type { SessionReportBatchResult } from "../protocol/session-report-batch.ts";
import { errorBodySchema, ProtocolError } from "../protocol/errors.ts";
import { ROUTES, type RouteSpec } from "../protocol/routes.ts";
import { signRequest } from "../protocol/signing.ts";
import { parseMessage } from "../protocol/version.ts";
import type { z } from "zod";
import type { DeliveryOutcome } from "./outbox.ts";
import type { OutboxMessage } from "./outbox-message.ts";
import { outcomeOfBatchResult } from "./batch-outcome.ts";

/** Any failure talking to the utility. `retryable` tells the outbox whether to back off (true) or set the message aside. */
export class UtilityError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number, readonly path?: string) {
    super(message);
    this.name = "UtilityError";
  }
}

/** The utility could not be reached, timed out, or failed on its side (5xx, 429, 408). */
export class UtilityUnreachableError extends UtilityError {
  constructor(message: string, status?: number) {
    super(message, true, status);
    this.name = "UtilityUnreachableError";
  }
}

/** The utility answered 4xx: the message or the request is wrong. */
export class UtilityRejectedError extends UtilityError {
  constructor(message: string, status: number, retryable: boolean, path?: string) {
    super(message, retryable, status, path);
    this.name = "UtilityRejectedError";
  }
}

export interface UtilityClientOptions {
  /** e.g. `http://127.0.0.1:8787` (no trailing slash needed). */
  baseUrl: string;
  hubId: HubId;
  /** The hub's Ed25519 private key, whose public half was registered at pairing. */
  privateKey: KeyObject;
  clock: Clock;
  /** Per-request timeout, ms (default 10 s). Binding calls should pass the time left in the comm-wait window. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** After the utility answers 404/405 to the batch route (an older head-end), send reports singly for this long, ms (default 1 h). */
  batchUnsupportedRetryMs?: number;
}

export class UtilityClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  /** Until when (clock ms) the batch route is known to be missing; reports then go one per request. */
  private batchUnsupportedUntilMs = 0;

  constructor(private readonly o: UtilityClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, "");
    this.fetchFn = o.fetch ?? fetch;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** FR-14: send premises ID with PEV ID; the answer is validated (not-enrolled is an answer, not an error). */
  validateBinding(req: BindingRequest, opts: { timeoutMs?: number } = {}): Promise<BindingAnswer> {
    return this.call(ROUTES.binding, req, undefined, opts.timeoutMs);
  }

  /** FR-19, FR-27. Prefer queueing acks through the outbox; this is the direct call the worker uses. */
  acknowledge(ack: CommissioningAck): Promise<Receipt> {
    return this.call(ROUTES.acks, ack);
  }

  sendSessionReport(r: SessionReport): Promise<SessionReceipt> {
    return this.call(ROUTES.sessions, r);
  }

  /**
   * Sends reports of different sessions in one signed request (FR-29; at most MAX_SESSION_REPORTS_PER_BATCH).
   * Returns the utility's answer, checked to hold exactly one result per report, in order: `results[i]` is
   * a receipt for `reports[i]` or its error. A whole-request failure throws UtilityError as for one report.
   */
  async sendSessionReports(reports: readonly SessionReport[]): Promise<SessionReportBatchResult> {
    const route = ROUTES.sessionsBatch;
    const answer = await this.call(route, { v: 1, reports: [...reports] });
    // A receipt for another report would make the outbox forget the wrong message: treat a mismatch as a bad answer.
    const where = `${route.method} ${route.path}`;
    if (answer.results.length !== reports.length) {
      throw new UtilityError(`${where}: the utility answered ${answer.results.length} results for ${reports.length} reports`, true, 200);
    }
    answer.results.forEach((r, i) => {
      const rep = reports[i]!;
      const ok = "outcome" in r ? r.sessionId === rep.sessionId && r.revision === rep.revision : r.index === i;
      if (!ok) throw new UtilityError(`${where}: results[${i}] does not answer session ${rep.sessionId} revision ${rep.revision}`, true, 200, `results[${i}]`);
    });
    return answer;
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
      if (e.status === 404 || e.status === 405) this.batchUnsupportedUntilMs = this.o.clock.nowMs() + (this.o.batchUnsupportedRetryMs ?? 3_600_000);
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

  sendPremisesIntervals(b: PremisesIntervalBatch): Promise<Receipt> {
    return this.call(ROUTES.premisesIntervals, b);
  }

  pullConfig(since?: number): Promise<HubConfig> {
    return this.call(ROUTES.config, null, since === undefined ? undefined : { since: String(since) });
  }

  reportDrStatus(s: DrStatusReport): Promise<Receipt> {
    return this.call(ROUTES.drStatus, s);
  }

  fetchBills(opts: { months?: number } = {}): Promise<BillSummaryList> {
    return this.call(ROUTES.bills, null, opts.months === undefined ? undefined : { months: String(opts.months) });
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

  private async call<Req extends z.ZodType | null, Res extends z.ZodType>(
    route: RouteSpec<Req, Res>,
    body: Req extends z.ZodType ? z.input<Req> : null,
    query?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<z.output<Res>> {
    const path = route.path + (query ? `?${new URLSearchParams(query).toString()}` : "");
    const text = body === null ? "" : JSON.stringify(body);
    const headers: Record<string, string> = signRequest({
      method: route.method, path, body: text, hubId: this.o.hubId, privateKey: this.o.privateKey, time: this.o.clock.now(),
    });
    if (body !== null) headers["content-type"] = "application/json";
    headers.accept = "application/json";
    const ms = timeoutMs ?? this.timeoutMs;
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method: route.method,
        headers,
        body: body === null ? undefined : text,
        signal: AbortSignal.timeout(ms),
      });
    } catch (e) {
      const err = e as Error;
      const why = err.name === "TimeoutError" || err.name === "AbortError" ? `no answer within ${ms} ms` : err.message;
      throw new UtilityUnreachableError(`${route.method} ${route.path}: utility unreachable: ${why}`);
    }
    const answer = await res.text();
    if (!res.ok) {
      const parsed = safeJson(answer);
      const eb = errorBodySchema.safeParse(parsed);
      const detail = eb.success ? eb.data.error : answer.slice(0, 200) || res.statusText;
      const where = eb.success ? eb.data.path : undefined;
      const msg = `${route.method} ${route.path}: utility answered ${res.status}: ${detail}`;
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw new UtilityUnreachableError(msg, res.status);
      // 401/403 come from keys, clocks or pairing, which an operator fixes: keep the data and keep trying.
      const retryable = res.status === 401 || res.status === 403;
      throw new UtilityRejectedError(msg, res.status, retryable, where);
    }
    try {
      return parseMessage(route.response, safeJson(answer), `${route.name} answer`);
    } catch (e) {
      // A malformed answer is the utility's fault (or a version skew mid-deploy): retry rather than drop.
      if (e instanceof ProtocolError) throw new UtilityError(`${route.method} ${route.path}: ${e.message}`, true, res.status, e.path);
      throw e;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
