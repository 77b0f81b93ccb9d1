// Routes the hubs call (protocol ROUTES): every request signed by a paired hub's key and refused when the
// signature is bad, the time stale, the nonce replayed (401), or the message names a premises or hub other
// than the one the key was paired for (403, "cross-premises").
import { Hono, type Context } from "hono";
import type { KeyObject } from "node:crypto";
import type { HubId } from "../../../core/ids/index.ts";
import { parseMessageJson } from "../../protocol/index.ts";
import { importPublicKeyPem } from "../../protocol/index.ts";
import { createRequestVerifier } from "../../protocol/index.ts";
import { ROUTES } from "../../protocol/index.ts";
import type { BillSummaryList } from "../../protocol/index.ts";
import type { Receipt } from "../../protocol/index.ts";
import { ApiError, asApiError } from "../../protocol/index.ts";
import { translateUtilityError } from "../errors.ts";
import type { HeadEnd } from "../head-end.ts";
import type { HubPairing } from "../types.ts";
import { buildHubConfig } from "./hub-config-builder.ts";
import type { SessionReportBatchResult } from "../../protocol/index.ts";

export interface HubRoutesOptions { pullEveryS: number; onSessionAccepted: () => void }

export function hubRoutes(h: HeadEnd, o: HubRoutesOptions): Hono {
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
  const app = new Hono();

  app.post(ROUTES.binding.path, async (c) => {
    const { hub, text } = await verified(c);
    const req = parseMessageJson(ROUTES.binding.request, text, ROUTES.binding.name);
    samePremises(hub, req);
    return c.json(await h.binding.validate(req));
  });

  app.post(ROUTES.acks.path, async (c) => {
    const { hub, text } = await verified(c);
    const ack = parseMessageJson(ROUTES.acks.request, text, ROUTES.acks.name);
    samePremises(hub, ack);
    const r = await h.binding.acknowledge(ack);
    if (!r) throw new ApiError("not-found", `no commissioning on record for PEV ${ack.vin} at premises ${ack.premisesId}`, "vin");
    return c.json(receipt(r.duplicate));
  });

  app.post(ROUTES.sessions.path, async (c) => {
    const { hub, text } = await verified(c);
    const report = parseMessageJson(ROUTES.sessions.request, text, ROUTES.sessions.name);
    samePremises(hub, report);
    const r = await h.sessions.intakeQueued(report);
    if (r.outcome === "accepted") o.onSessionAccepted();
    return c.json(r);
  });

  app.post(ROUTES.sessionsBatch.path, async (c) => {
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
      console.error(`utility: session batch reports[${index}]: ${(e as Error).stack ?? e}`);
      return { index, error: "internal error; see the utility log", code: "internal", status: 500 };
    });
    if (results.some((r) => "outcome" in r && r.outcome === "accepted")) o.onSessionAccepted();
    const body: SessionReportBatchResult = { v: 1, results };
    return c.json(body);
  });

  app.post(ROUTES.premisesIntervals.path, async (c) => {
    const { hub, text } = await verified(c);
    const batch = parseMessageJson(ROUTES.premisesIntervals.request, text, ROUTES.premisesIntervals.name);
    samePremises(hub, batch);
    if (batch.utilityId !== h.utilityId) throw new ApiError("bad-request", `utility ${batch.utilityId} is not this utility`, "utilityId");
    // Whatever the batch says its source is, a hub's word is a hub's: it never corrects an interval (ami-store.ts).
    const counts = await h.ami.intake(batch.premisesId, batch.intervals, { meterId: batch.meterId, source: "hub" });
    const last = batch.intervals[batch.intervals.length - 1];
    if (last && counts.stored + counts.corrected > 0) await h.sessions.recheckLoad(batch.premisesId, batch.intervals[0]!.start, last.start + last.lengthS);
    return c.json({ ...receipt(batch.intervals.length > 0 && counts.duplicate === batch.intervals.length), intervals: counts });
  });

  app.get(ROUTES.config.path, async (c) => {
    const { hub } = await verified(c);
    return c.json(await buildHubConfig({ db: h.db, clock: h.clock, utilityId: h.utilityId, enrollment: h.enrollment, tariffs: h.tariffs, dr: h.dr, key: h.key, pullEveryS: o.pullEveryS }, hub));
  });

  app.post(ROUTES.drStatus.path, async (c) => {
    const { hub, text } = await verified(c);
    const rep = parseMessageJson(ROUTES.drStatus.request, text, ROUTES.drStatus.name);
    samePremises(hub, rep);
    return c.json(receipt((await h.dr.report(rep)).duplicate));
  });

  app.get(ROUTES.bills.path, async (c) => {
    const { hub } = await verified(c);
    const months = Math.min(24, Math.max(1, Number(c.req.query("months") ?? 12) || 12));
    const premises = (await h.enrollment.premises(hub.premisesId))!;
    const list: BillSummaryList = { v: 1, premisesId: premises.id, bills: await h.bills.bills(premises.accountId, months) };
    return c.json(list);
  });

  return app;
}
