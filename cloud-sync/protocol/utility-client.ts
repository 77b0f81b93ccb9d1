// A hub's HTTP client of the wire contract: every request signed with the hub's key, every answer validated with
// the protocol schemas, every call bounded by a timeout. Errors say whether retrying can help. The hub's outbox
// delivery builds on it (edge/sync/utility-client.ts); the head-end's tests drive it as a hub would.
import type { KeyObject } from "node:crypto";
import type { HubId } from "../../core/ids/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { BindingAnswer, BindingRequest } from "./binding.ts";
import type { CommissioningAck } from "./acks.ts";
import type { SessionReport } from "./session-report.ts";
import type { PremisesIntervalBatch } from "./premises-intervals.ts";
import type { HubConfig } from "./hub-config.ts";
import type { DrStatusReport } from "./dr-status.ts";
import type { BillSummaryList } from "./bills.ts";
import type { Receipt, SessionReceipt } from "./receipts.ts";
import type { SessionReportBatchResult } from "./session-report-batch.ts";
import { errorBodySchema } from "./api-error.ts";
import { ProtocolError } from "./errors.ts";
import { ROUTES, type RouteSpec } from "./routes.ts";
import { signRequest } from "./signing.ts";
import { parseMessage } from "./version.ts";
import type { z } from "zod";

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
}

export class SignedUtilityClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  constructor(protected readonly o: UtilityClientOptions) {
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

  protected async call<Req extends z.ZodType | null, Res extends z.ZodType>(
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
      const detail = eb.success ? eb.data.error.message : answer.slice(0, 200) || res.statusText;
      const where = eb.success ? eb.data.error.path : undefined;
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
