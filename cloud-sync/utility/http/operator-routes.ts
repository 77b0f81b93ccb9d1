// The operator API (bearer operator token): enrollment (FR-01..FR-05), hub pairing, tariffs, demand-response
// events, AMI intervals (the utility's own metering channel), closing monthly bills, and read-outs for review.
import { Hono } from "hono";
import { importPublicKeyBase64, exportPublicKeyPem, importPublicKeyPem } from "../../protocol/index.ts";
import { parseMessageJson } from "../../protocol/index.ts";
import { ROUTES } from "../../protocol/index.ts";
import { localDateAt, type Tariff } from "../../../core/tariff/index.ts";
import { notFound } from "../errors.ts";
import type { HeadEnd } from "../head-end.ts";
import { customerLedger } from "../ledger/ledger.ts";
import { bumpConfigVersion } from "./hub-config-builder.ts";
import { closeMonth } from "../billing/month-close.ts";
import {
  accountBodySchema, accountCloseBodySchema, closeBillBodySchema, closeMonthBodySchema, customerBodySchema, drEventBodySchema, enrollmentBodySchema, hubPairingBodySchema,
  pevBodySchema, premisesBodySchema, programBodySchema, revocationBodySchema, sessionReviewBodySchema, tariffBodySchema,
} from "./operator-schemas.ts";
import { readBody } from "./read-body.ts";
import { refIdSchema } from "../../protocol/index.ts";
import { badRequest } from "../errors.ts";
import { createHash } from "node:crypto";

export function operatorRoutes(h: HeadEnd, afterChange: () => void): Hono {
  const app = new Hono();
  const changed = async () => { await bumpConfigVersion(h.db); afterChange(); };

  app.put("/programs/:id", async (c) => {
    const id = refIdSchema.safeParse(c.req.param("id"));
    if (!id.success) throw badRequest(`program ID: ${id.error.issues[0]!.message}`, "id");
    const b = await readBody(c, programBodySchema);
    if (!await h.tariffs.get(b.tariffId)) throw notFound("tariff", b.tariffId, "tariffId");
    const p = await h.enrollment.upsertProgram({ id: id.data, ...b });
    await changed();
    return c.json(p);
  });
  app.get("/programs", async (c) => c.json({ programs: await h.enrollment.programs() }));

  app.post("/customers", async (c) => c.json(await h.enrollment.upsertCustomer(await readBody(c, customerBodySchema)), 201));
  app.post("/accounts", async (c) => {
    const b = await readBody(c, accountBodySchema);
    // The customer token is shown once, here: only its hash is stored.
    return c.json(await h.enrollment.createAccount(b.id, b.customerId, b.openedOn ?? localDateAt(h.timeZone, h.clock.now())), 201);
  });
  app.post("/accounts/:id/close", async (c) => {
    const b = await readBody(c, accountCloseBodySchema);
    return c.json(await h.enrollment.closeAccount(c.req.param("id"), b.closedOn ?? localDateAt(h.timeZone, h.clock.now())));
  });
  app.post("/accounts/:id/token", async (c) => c.json({ accountId: c.req.param("id"), customerToken: await h.enrollment.rotateCustomerToken(c.req.param("id")) }));
  app.post("/premises", async (c) => {
    const b = await readBody(c, premisesBodySchema);
    if (!await h.tariffs.get(b.defaultTariffId)) throw notFound("tariff", b.defaultTariffId, "defaultTariffId");
    const p = await h.enrollment.upsertPremises(b);
    await changed();
    return c.json(p, 201);
  });
  app.post("/pevs", async (c) => c.json(await h.enrollment.upsertPev(await readBody(c, pevBodySchema)), 201));

  app.post("/enrollments", async (c) => {
    const b = await readBody(c, enrollmentBodySchema);
    const e = await h.enrollment.enroll(b);
    if ((await h.enrollment.program(b.programId))?.roamingAllowed) await h.roaming.markRoaming(b.vin);
    await changed();
    return c.json(e, 201);
  });
  // FR-05: "not enrolled" is an answer (200), not an error.
  app.get("/enrollments/:vin", async (c) => {
    const e = await h.enrollment.activeEnrollment(c.req.param("vin").toUpperCase());
    if (!e) return c.json({ vin: c.req.param("vin"), enrolled: false });
    return c.json({ vin: e.enrollment.vin, enrolled: true, enrollment: e.enrollment, program: e.program, premises: e.premises, binding: await h.binding.binding(e.enrollment.vin, e.premises.id) });
  });

  app.post("/hubs", async (c) => {
    const b = await readBody(c, hubPairingBodySchema);
    const pem = b.publicKeyPem ? exportPublicKeyPem(importPublicKeyPem(b.publicKeyPem)) : exportPublicKeyPem(importPublicKeyBase64(b.publicKey!));
    const pairing = await h.enrollment.pairHub({ hubId: b.hubId, premisesId: b.premisesId, publicKeyPem: pem });
    return c.json({ ...pairing, utilityId: h.utilityId, utilityKeyId: h.key.keyId, utilityPublicKeyPem: h.key.publicKeyPem }, 201);
  });
  app.delete("/hubs/:id", async (c) => {
    if (!await h.enrollment.hub(c.req.param("id"))) throw notFound("hub", c.req.param("id"));
    await h.enrollment.unpairHub(c.req.param("id"));
    return c.json({ hubId: c.req.param("id"), active: false });
  });

  app.put("/tariffs/:id", async (c) => {
    const b = await readBody(c, tariffBodySchema);
    const t = { ...(b.tariff as unknown as Tariff), id: c.req.param("id") };
    await h.tariffs.put(t);
    await changed();
    return c.json({ id: t.id, versions: t.versions.length });
  });
  app.get("/tariffs", async (c) => c.json({ tariffs: await h.tariffs.ids() }));

  app.post("/revocations", async (c) => {
    const b = await readBody(c, revocationBodySchema);
    const now = h.clock.now();
    const row = await h.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'revocations'");
    const list = row ? (JSON.parse(row.value) as unknown[]) : [];
    const rev = { vin: b.vin, premisesId: b.premisesId, issuedAtOrBefore: now, revokedAt: now, ...(b.reason ? { reason: b.reason } : {}) };
    list.push(rev);
    await h.db.transaction(async () => {
      await h.db.run("INSERT INTO settings (key, value) VALUES ('revocations', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(list));
      await h.db.run("DELETE FROM bindings WHERE vin = ? AND premises_id = ?", b.vin, b.premisesId);
    });
    await changed();
    return c.json(rev, 201);
  });

  app.post("/dr-events", async (c) => {
    const b = await readBody(c, drEventBodySchema);
    const r = await h.dr.issue(b.event, { programId: b.programId, premisesIds: b.premisesIds });
    await changed();
    return c.json(r, 201);
  });
  app.post("/dr-events/:id/cancel", async (c) => {
    const r = await h.dr.cancel(c.req.param("id"));
    await changed();
    return c.json(r);
  });
  app.get("/dr-events/:id", async (c) => {
    const r = await h.dr.get(c.req.param("id"));
    if (!r) throw notFound("demand-response event", c.req.param("id"));
    return c.json({ ...r, reports: await h.dr.reports(r.event.id) });
  });

  // Issue 15: every active account's bill of a month, in pages, by parallel workers; safe to re-run.
  app.post("/bills/close-month", async (c) => {
    const b = await readBody(c, closeMonthBodySchema);
    return c.json(await closeMonth(h.db, h.bills, b.month, { ...(b.workers ? { workers: b.workers } : {}), ...(b.pageSize ? { pageSize: b.pageSize } : {}) }));
  });
  app.post("/bills", async (c) => {
    const b = await readBody(c, closeBillBodySchema);
    return c.json(await h.bills.close(b.accountId, b.month), 201);
  });
  app.get("/bills/:accountId/:month", async (c) => {
    const b = await h.bills.bill(c.req.param("accountId"), c.req.param("month"));
    if (!b) throw notFound("bill", `${c.req.param("accountId")} ${c.req.param("month")}`);
    return c.json(b);
  });

  app.get("/sessions/:id", async (c) => {
    const s = await h.sessions.session(c.req.param("id"));
    if (!s) throw notFound("session", c.req.param("id"));
    const at = await h.sessions.entryPremises(s.sessionId, s.premisesId);
    return c.json({ session: s, entries: await h.ledger.entriesOfSession(s.sessionId, at), cdr: await h.roaming.cdrOut(s.premisesId, s.sessionId), reviews: await h.reviews.reviewsOf(s.premisesId, s.sessionId) });
  });
  // FR-15 review: the held revision is released (billed through intake's own path) or rejected (nothing posted).
  app.post("/sessions/:id/review", async (c) => {
    const b = await readBody(c, sessionReviewBodySchema);
    const r = await h.reviews.review(c.req.param("id"), b.decision, b.note, operatorIdentity(c.req.header("authorization")));
    if (b.decision === "release") afterChange(); // a released roaming session may have queued a CDR
    return c.json({ ...r, entries: await h.ledger.entriesOfSession(r.session.sessionId, await h.sessions.entryPremises(r.session.sessionId, r.session.premisesId)) });
  });
  app.get("/ledger", async (c) => {
    const account = c.req.query("account");
    return c.json({
      totalNano: await h.ledger.totalNano(),
      ...(account ? { account, balanceNano: await h.ledger.balanceNano(account.includes(":") ? account : customerLedger(account)) } : {}),
    });
  });

  app.post("/roaming/flush", async (c) => c.json(await h.roaming.flush()));
  return app;
}

/** The AMI channel: the utility's metering head-end posts premises intervals (operator token). */
export function amiRoutes(h: HeadEnd): Hono {
  const app = new Hono();
  app.post("/intervals", async (c) => {
    const batch = parseMessageJson(ROUTES.amiIntervals.request, await c.req.text(), ROUTES.amiIntervals.name);
    if (batch.utilityId !== h.utilityId) throw badRequest(`utility ${batch.utilityId} is not this utility`, "utilityId");
    if (!await h.enrollment.premises(batch.premisesId)) throw notFound("premises", batch.premisesId, "premisesId");
    const counts = await h.ami.intake(batch.premisesId, batch.intervals, { meterId: batch.meterId, source: batch.source });
    const last = batch.intervals[batch.intervals.length - 1];
    if (last && counts.stored + counts.corrected > 0) await h.sessions.recheckLoad(batch.premisesId, batch.intervals[0]!.start, last.start + last.lengthS);
    return c.json({ v: 1, duplicate: batch.intervals.length > 0 && counts.duplicate === batch.intervals.length, receivedAt: h.clock.now(), intervals: counts });
  });
  return app;
}

/**
 * Who decided, for the review record. There is one operator credential, so the record names it by a fingerprint
 * (never the token itself): after a token rotation, the fingerprint still tells which credential was used.
 */
function operatorIdentity(authorization: string | undefined): string {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
  return `operator-token:sha256:${createHash("sha256").update(token).digest("hex").slice(0, 16)}`;
}
