// A tiny stand-in for the utility head-end, for the hub's sync tests and the outbox benchmark: Bun.serve on
// 127.0.0.1 port 0, real signature checks (createRequestVerifier), schema validation, deduplication on
// (session ID, revision), and switches to be down (503) or to lose answers after storing (at-least-once).
// The real head-end is cloud-sync/utility (part B); this one only counts what arrives.
import type { KeyObject } from "node:crypto";
import type { Server } from "bun";
import type { HubId } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import { ProtocolError } from "../../../cloud-sync/protocol/index.ts";
import { MemoryNonceStore } from "../../../cloud-sync/protocol/index.ts";
import { ROUTES } from "../../../cloud-sync/protocol/index.ts";
import { createRequestVerifier, RequestAuthError } from "../../../cloud-sync/protocol/index.ts";
import { parseMessageJson } from "../../../cloud-sync/protocol/index.ts";
import type { SessionReport } from "../../../cloud-sync/protocol/index.ts";
import type { SessionReceipt } from "../../../cloud-sync/protocol/index.ts";
import type { SessionReportBatch, SessionReportBatchError, SessionReportBatchResult } from "../../../cloud-sync/protocol/index.ts";
import type { HubConfig } from "../../../cloud-sync/protocol/index.ts";

export interface Arrival { path: string; body: unknown; at: number }

/** A refusal the fake gives one session report (alone, or inside a batch): status, head-end code, message, field. */
export interface ReportRefusal { status: number; code: string; error: string; path?: string }

export class FakeUtility {
  /** While true every request is answered 503 (the utility is down). */
  down = false;
  /** The next N stored messages get their answer dropped (500 after storing), so the hub resends. */
  loseAnswers = 0;
  /** Every request that reached the handler, accepted or not. */
  requests = 0;
  /** Accepted messages per route path, in arrival order (duplicates included, marked). */
  readonly arrivals: Arrival[] = [];
  /** Stored session reports by session ID: the highest revision, and how many times each revision arrived. */
  readonly sessions = new Map<string, { latest: SessionReport; revisions: number[]; duplicates: number }>();
  readonly refusals: string[] = [];
  config: HubConfig | null = null;
  /** Per-report refusals (e.g. an ID the utility does not know): consulted for single and batched reports. */
  refuseReport: ((r: SessionReport) => ReportRefusal | null) | null = null;
  /** While false the batch route answers 404, as a head-end without it would. */
  batchRoute = true;
  /** Batch requests that reached the route, and how many reports each carried. */
  readonly batchSizes: number[] = [];
  /** What POST /v1/hub/binding answers (sent as is, even if invalid, to test the hub's validation). */
  bindingAnswer: unknown = null;
  private server: Server<unknown> | null = null;

  constructor(private readonly hubs: ReadonlyMap<HubId, KeyObject>, private readonly clock: Clock) {}

  get url(): string {
    if (!this.server) throw new Error("fake utility not started");
    return `http://127.0.0.1:${this.server.port}`;
  }

  start(): this {
    const verifier = createRequestVerifier({ hubKey: (id) => this.hubs.get(id), nonces: new MemoryNonceStore(), clock: this.clock });
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (req) => {
        this.requests++;
        if (this.down) return new Response("down for maintenance", { status: 503 });
        const url = new URL(req.url);
        try {
          await verifier.verifyRequest(req);
        } catch (e) {
          if (e instanceof RequestAuthError) {
            this.refusals.push(e.reason);
            return Response.json(e.toBody(), { status: 401 });
          }
          throw e;
        }
        try {
          return this.route(url.pathname, req.method === "GET" ? null : await req.text());
        } catch (e) {
          if (e instanceof ProtocolError) {
            this.refusals.push(e.message);
            return Response.json(e.toBody(), { status: 400 });
          }
          throw e;
        }
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = null;
  }

  private stored(): Response | null {
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return new Response("lost answer", { status: 500 });
    }
    return null;
  }

  /** Stores a report, deduplicated on (session ID, revision); `path` is the route it came by. */
  private storeSession(path: string, s: SessionReport): SessionReceipt {
    const now = this.clock.now();
    const have = this.sessions.get(s.sessionId);
    let outcome: "accepted" | "duplicate" | "superseded" = "accepted";
    if (!have) this.sessions.set(s.sessionId, { latest: s, revisions: [s.revision], duplicates: 0 });
    else if (have.revisions.includes(s.revision)) { have.duplicates++; outcome = "duplicate"; }
    else {
      have.revisions.push(s.revision);
      if (s.revision > have.latest.revision) have.latest = s;
      else outcome = "superseded";
    }
    this.arrivals.push({ path, body: s, at: now });
    return { v: 1, sessionId: s.sessionId, revision: s.revision, outcome, receivedAt: now };
  }

  private route(path: string, text: string | null): Response {
    const now = this.clock.now();
    const r = Object.values(ROUTES).find((x) => x.path === path);
    if (!r) return Response.json({ error: `no route ${path}` }, { status: 404 });
    if (path === ROUTES.config.path) {
      if (!this.config) return Response.json({ error: "no config" }, { status: 503 });
      return Response.json(this.config);
    }
    if (!r.request || text === null) return Response.json({ error: "unsupported" }, { status: 405 });
    const body = parseMessageJson(r.request, text, r.name);
    if (path === ROUTES.binding.path) return Response.json(this.bindingAnswer);
    if (path === ROUTES.sessions.path) {
      const s = body as SessionReport;
      const refusal = this.refuseReport?.(s);
      if (refusal) {
        this.refusals.push(refusal.error);
        return Response.json({ error: refusal.error, code: refusal.code, ...(refusal.path ? { path: refusal.path } : {}) }, { status: refusal.status });
      }
      const receipt = this.storeSession(path, s);
      return this.stored() ?? Response.json(receipt);
    }
    if (path === ROUTES.sessionsBatch.path) {
      if (!this.batchRoute) return Response.json({ error: `no route ${path}`, code: "not-found" }, { status: 404 });
      const batch = body as SessionReportBatch;
      this.batchSizes.push(batch.reports.length);
      // Like the head-end: each report stored (or refused) on its own, all answered together.
      const results = batch.reports.map((s, index): SessionReceipt | SessionReportBatchError => {
        const refusal = this.refuseReport?.(s);
        if (!refusal) return this.storeSession(path, s);
        this.refusals.push(refusal.error);
        return { index, error: refusal.error, code: refusal.code, status: refusal.status, ...(refusal.path ? { path: `reports[${index}].${refusal.path}` } : {}) };
      });
      const answer: SessionReportBatchResult = { v: 1, results };
      return this.stored() ?? Response.json(answer);
    }
    this.arrivals.push({ path, body, at: now });
    return this.stored() ?? Response.json({ v: 1, duplicate: false, receivedAt: now });
  }
}
