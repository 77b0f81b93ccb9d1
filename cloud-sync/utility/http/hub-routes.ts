// Routes the hubs call (protocol ROUTES): every request signed by a paired hub's key and refused when the
// signature is bad, the time stale, the nonce replayed (401), or the message names a premises or hub other
// than the one the key was paired for (403, "cross-premises").
import type { Context, Env } from "hono";
import { z } from "zod";
import type { KeyObject } from "node:crypto";
import type { HubId } from "../../../core/ids/index.ts";
import { parseMessageJson } from "../../protocol/index.ts";
import { importPublicKeyPem } from "../../protocol/index.ts";
import { createRequestVerifier } from "../../protocol/index.ts";
import { ROUTES } from "../../protocol/index.ts";
import type { BillSummaryList } from "../../protocol/index.ts";
import type { Receipt } from "../../protocol/index.ts";
import { ApiError, asApiError, type ApiRoutes, type AnyApiRoute, type RouteSpec } from "../../protocol/index.ts";
import { translateUtilityError } from "../errors.ts";
import type { HeadEnd } from "../head-end.ts";
import type { HubPairing } from "../types.ts";
import { buildHubConfig } from "./hub-config-builder.ts";
import { MAX_HUB_BODY_BYTES } from "../../protocol/index.ts";
import type { StructuredLog } from "../log/structured-log.ts";
import type { SessionReportBatchResult } from "../../protocol/index.ts";

export interface HubRoutesOptions { pullEveryS: number; onSessionAccepted: () => void; log: StructuredLog }

/** The declaration of a protocol route (ROUTES) as the head-end mounts it: signed by the hub, body read by the handler. */
function hubRoute<Req extends z.ZodType | null, Res extends z.ZodType, Q extends z.ZodObject | undefined = undefined>(
  r: RouteSpec<Req, Res>, operationId: string, extra: { query?: Q; errors?: AnyApiRoute["errors"]; description?: string } = {},
) {
  return {
    method: r.method === "GET" ? "get" as const : "post" as const, path: r.path, operationId, summary: r.name, tag: "hub", auth: "hub-signature" as const,
    ...(r.request ? { body: r.request as Exclude<Req, null>, bodyReader: "handler" as const, maxBodyBytes: MAX_HUB_BODY_BYTES } : {}),
    response: r.response, ...extra,
    errors: { 403: "The message names a hub or premises other than the one the key is paired to (`cross-premises`)", ...extra.errors },
  };
}

export function hubRoutes<E extends Env>(api: ApiRoutes<E>, h: HeadEnd, o: HubRoutesOptions): void {
  const keys = new Map<string, { pem: string; key: KeyObject }>();
  const verifier = createRequestVerifier({
    clock: h.clock,
    nonces: h.nonces,
    hubKey: async (hubId: HubId) => {
      const hub = await h.enrollment.hub(hubId);
      if (!hub || !hub.active) return null;
      const hit = keys.get(hubId);
      if (hit && hit.pem === hub.publicKeyPem) return hit.key;
      const key = importPublicKeyPem(hub.publicKeyPem);
      keys.set(hubId, { pem: hub.publicKeyPem, key });
      return key;
    },
  });

  /** Verifies the request and returns the hub's pairing and the body text. */
  async function verified(c: Context): Promise<{ hub: HubPairing; text: string }> {
    const v = await verifier.verifyRequest(c.req.raw);
    const hub = (await h.enrollment.hub(v.hubId))!;
    return { hub, text: new TextDecoder().decode(v.body) };
  }

  /** The message must speak for the hub that signed it and the premises it is paired to. */
  function samePremises(hub: HubPairing, msg: { hubId?: string; premisesId: string }): void {
    if (msg.hubId !== undefined && msg.hubId !== hub.hubId) {
      throw new ApiError("cross-premises", `message names hub ${msg.hubId} but was signed by hub ${hub.hubId}`, "hubId");
    }
    if (msg.premisesId !== hub.premisesId) {
      throw new ApiError("cross-premises", `hub ${hub.hubId} is paired to premises ${hub.premisesId}, not ${msg.premisesId}`, "premisesId");
    }
  }

  const receipt = (duplicate: boolean): Receipt => ({ v: 1, duplicate, receivedAt: h.clock.now() });
  api.on(hubRoute(ROUTES.binding, "validateBinding", { description: "FR-14/FR-16/FR-28: the full path at commissioning, the short one at re-binding." }), async (c) => {
    const { hub, text } = await verified(c);
    const req = parseMessageJson(ROUTES.binding.request, text, ROUTES.binding.name);
    samePremises(hub, req);
    const answer = await h.binding.validate(req);
    o.log.info("binding", { hubId: hub.hubId, premisesId: req.premisesId, path: req.path, status: answer.status, ...("reason" in answer ? { reason: answer.reason } : {}) });
    return answer;
  });

  api.on(hubRoute(ROUTES.acks, "acknowledgeCommissioning", { errors: { 404: "No commissioning on record for the PEV at the premises" } }), async (c) => {
    const { hub, text } = await verified(c);
    const ack = parseMessageJson(ROUTES.acks.request, text, ROUTES.acks.name);
    samePremises(hub, ack);
    const r = await h.binding.acknowledge(ack);
    if (!r) throw new ApiError("not-found", `no commissioning on record for PEV ${ack.vin} at premises ${ack.premisesId}`, "vin");
    return receipt(r.duplicate);
  });

  api.on(hubRoute(ROUTES.sessions, "reportSession", { errors: { 409: "The session or its energy is another's (binding-not-yours, overlap)", 422: "Implausible energy for the EVSE" } }), async (c) => {
    const { hub, text } = await verified(c);
    const report = parseMessageJson(ROUTES.sessions.request, text, ROUTES.sessions.name);
    samePremises(hub, report);
    const r = await h.sessions.intakeQueued(report);
    o.log.info("intake", { hubId: hub.hubId, sessionId: r.sessionId, revision: r.revision, outcome: r.outcome, ...(r.note ? { note: r.note } : {}) });
    if (r.outcome === "accepted") o.onSessionAccepted();
    return r;
  });

  api.on(hubRoute(ROUTES.sessionsBatch, "reportSessionBatch", { description: "Each report is answered alone in `results` (a receipt or its error with the status it would have had)." }), async (c) => {
    const { hub, text } = await verified(c);
    const batch = parseMessageJson(ROUTES.sessionsBatch.request, text, ROUTES.sessionsBatch.name);
    batch.reports.forEach((r, i) => {
      try {
        samePremises(hub, r);
      } catch (e) {
        const err = e as ApiError;
        throw new ApiError("cross-premises", `reports[${i}]: ${err.message}`, `reports[${i}].${err.path}`);
      }
    });
    const results = (await h.sessions.intakeBatch(batch.reports)).map((r, index) => {
      if (r.ok) return r.receipt;
      const e = r.error;
      // `status` is what this report would have been answered alone, so the hub decides the same way.
      const api = asApiError(e as Error, translateUtilityError);
      if (api) return { index, error: api.message, code: api.code, status: api.status, ...(api.path ? { path: `reports[${index}].${api.path}` } : {}) };
      o.log.error("intake", { hubId: hub.hubId, index, error: String((e as Error).stack ?? e) });
      return { index, error: "internal error; see the utility log", code: "internal", status: 500 };
    });
    for (const r of results) o.log.info("intake", "outcome" in r ? { hubId: hub.hubId, sessionId: r.sessionId, revision: r.revision, outcome: r.outcome } : { hubId: hub.hubId, index: r.index, code: r.code, status: r.status });
    if (results.some((r) => "outcome" in r && r.outcome === "accepted")) o.onSessionAccepted();
    const body: SessionReportBatchResult = { v: 1, results };
    return body;
  });

  api.on(hubRoute(ROUTES.premisesIntervals, "postPremisesIntervals", {
    description: "Idempotent: a re-delivered interval with the same value is counted as a duplicate (the receipt's `duplicate` is true when all were). A hub never corrects an interval.",
    errors: { 409: "An interval differs from the one stored (a hub's changed value, or one the AMI gave): `interval-conflict` naming it; nothing of the batch is stored" },
  }), async (c) => {
    const { hub, text } = await verified(c);
    const batch = parseMessageJson(ROUTES.premisesIntervals.request, text, ROUTES.premisesIntervals.name);
    samePremises(hub, batch);
    if (batch.utilityId !== h.utilityId) throw new ApiError("bad-request", `utility ${batch.utilityId} is not this utility`, "utilityId");
    // Whatever the batch says its source is, a hub's word is a hub's: it never corrects an interval (ami-store.ts).
    const counts = await h.ami.intake(batch.premisesId, batch.intervals, { meterId: batch.meterId, source: "hub" });
    o.log.info("intake", { hubId: hub.hubId, premisesId: batch.premisesId, intervals: counts });
    const last = batch.intervals[batch.intervals.length - 1];
    if (last && counts.stored + counts.corrected > 0) await h.sessions.recheckLoad(batch.premisesId, batch.intervals[0]!.start, last.start + last.lengthS);
    return { ...receipt(batch.intervals.length > 0 && counts.duplicate === batch.intervals.length), intervals: counts };
  });

  api.on(hubRoute(ROUTES.config, "getHubConfig", {
    query: z.object({ since: z.coerce.number().int().min(0).optional().describe("The configVersion the hub holds (the answer is the full config either way)") }),
  }), async (c) => {
    const { hub } = await verified(c);
    return await buildHubConfig({ db: h.db, clock: h.clock, utilityId: h.utilityId, enrollment: h.enrollment, tariffs: h.tariffs, dr: h.dr, key: h.key, pullEveryS: o.pullEveryS, timeZone: h.timeZone }, hub);
  });

  api.on(hubRoute(ROUTES.drStatus, "reportDrStatus"), async (c) => {
    const { hub, text } = await verified(c);
    const rep = parseMessageJson(ROUTES.drStatus.request, text, ROUTES.drStatus.name);
    samePremises(hub, rep);
    return receipt((await h.dr.report(rep)).duplicate);
  });

  api.on(hubRoute(ROUTES.bills, "getHubBills", {
    query: z.object({ months: z.coerce.number().int().min(1).max(24).default(12).describe("How many recent bills (1–24, default 12)") }),
  }), async (c, { query }) => {
    const { hub } = await verified(c);
    const months = query.months;
    const premises = (await h.enrollment.premises(hub.premisesId))!;
    const list: BillSummaryList = { v: 1, premisesId: premises.id, bills: await h.bills.bills(premises.accountId, months) };
    return list;
  });
}
