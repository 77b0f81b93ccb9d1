// The operator API (bearer operator token): enrollment (FR-01..FR-05), hub pairing, tariffs, demand-response
// events, AMI intervals (the utility's own metering channel), closing monthly bills, paged lists and read-outs for
// review. Each route is declared once (api-route.ts): its parameters, body, answer and errors are what the server
// validates and what /openapi.json says.
import type { Env } from "hono";
import { z } from "zod";
import { importPublicKeyBase64, exportPublicKeyPem, importPublicKeyPem, parseMessageJson, ROUTES, receiptSchema, refIdSchema, readBodyText, MAX_HUB_BODY_BYTES, vinSchema, accountIdSchema, type ApiRoutes } from "../../protocol/index.ts";
import { localDateAt, type Tariff } from "../../../core/tariff/index.ts";
import { badRequest, notFound } from "../errors.ts";
import type { HeadEnd } from "../head-end.ts";
import { customerLedger } from "../ledger/ledger.ts";
import { bumpConfigVersion } from "./hub-config-builder.ts";
import { closeMonth } from "../billing/month-close.ts";
import {
  accountBodySchema, accountCloseBodySchema, closeBillBodySchema, closeMonthBodySchema, customerBodySchema, drEventBodySchema, enrollmentBodySchema, hubPairingBodySchema,
  pevBodySchema, premisesBodySchema, programBodySchema, revocationBodySchema, sessionReviewBodySchema, tariffBodySchema, monthSchema,
  accountStatusBodySchema,
} from "./operator-schemas.ts";
import {
  accountSchema, billSchema, customerSchema, drEventRecordSchema, drEventWithReportsSchema, enrollmentLookupSchema, enrollmentSchema,
  hubPairingSchema, journalEntrySchema, pageOf, pageQuerySchema, pevSchema, premisesSchema, programSchema, sessionReviewRecordSchema,
  sessionRowSchema, settlementSchema,
} from "./response-schemas.ts";
import { createHash } from "node:crypto";
import { cdrOutSchema } from "../roaming/cdr-out.ts";
import type { StructuredLog } from "../log/structured-log.ts";

const TAG = "operator";
const idParam = (what: string) => z.object({ id: refIdSchema.describe(`${what} ID`) });
const page = <T>(rows: T[], limit: number, offset: number) =>
  ({ items: rows.slice(0, limit), nextOffset: rows.length > limit ? offset + limit : null });

export function operatorRoutes<E extends Env>(api: ApiRoutes<E>, h: HeadEnd, afterChange: () => void, log: StructuredLog): void {
  const changed = async () => { await bumpConfigVersion(h.db); afterChange(); };

  api.on({
    method: "put", path: "/v1/operator/programs/{id}", operationId: "putProgram", tag: TAG, auth: "operator", summary: "Create or change a program",
    params: idParam("program"), body: programBodySchema, response: programSchema, errors: { 404: "The tariff is unknown (`error.path` = tariffId)" },
  }, async (_c, { params, body }) => {
    if (!await h.tariffs.get(body.tariffId)) throw notFound("tariff", body.tariffId, "tariffId");
    const p = await h.enrollment.upsertProgram({ id: params.id, ...body });
    await changed();
    return p;
  });
  api.on({
    method: "get", path: "/v1/operator/programs", operationId: "listPrograms", tag: TAG, auth: "operator", summary: "All programs",
    response: z.object({ programs: z.array(programSchema) }),
  }, async () => ({ programs: await h.enrollment.programs() }));

  api.on({
    method: "post", path: "/v1/operator/customers", operationId: "upsertCustomer", tag: TAG, auth: "operator", summary: "Create or change a customer",
    body: customerBodySchema, status: 201, response: customerSchema,
  }, async (_c, { body }) => await h.enrollment.upsertCustomer(body));

  api.on({
    method: "post", path: "/v1/operator/accounts", operationId: "openAccount", tag: TAG, auth: "operator",
    summary: "Open an account; the customer API token is returned once, here (only its hash is kept)",
    body: accountBodySchema, status: 201, response: z.object({ account: accountSchema, customerToken: z.string() }),
    errors: { 404: "The customer is unknown", 409: "The account ID is taken" },
  }, async (_c, { body }) => await h.enrollment.createAccount(body.id, body.customerId, body.openedOn ?? localDateAt(h.timeZone, h.clock.now())));
  api.on({
    method: "post", path: "/v1/operator/accounts/{id}/close", operationId: "closeAccount", tag: TAG, auth: "operator",
    summary: "Close an account on its last local day of service (`closedOn`, default today): no bill for a later month, that month's fixed charges prorated",
    params: z.object({ id: accountIdSchema }), body: accountCloseBodySchema, response: accountSchema,
    errors: { 404: "No such account", 409: "The account is already closed" },
  }, async (_c, { params, body }) => {
    const a = await h.enrollment.closeAccount(params.id, body.closedOn ?? localDateAt(h.timeZone, h.clock.now()));
    log.info("account", { accountId: a.id, status: a.status, closedOn: a.closedOn });
    return a;
  });
  api.on({
    method: "get", path: "/v1/operator/accounts", operationId: "listAccounts", tag: TAG, auth: "operator", summary: "Accounts, by ID (paged)",
    query: pageQuerySchema.extend({ status: z.enum(["active", "closed", "deactivated"]).optional().describe("Only accounts in this state") }),
    response: pageOf(accountSchema),
  }, async (_c, { query }) => page(await h.enrollment.listAccounts({ status: query.status }, query.limit + 1, query.offset), query.limit, query.offset));
  api.on({
    method: "post", path: "/v1/operator/accounts/{id}/token", operationId: "rotateCustomerToken", tag: TAG, auth: "operator",
    summary: "Issue a new customer API token (the old one stops working)",
    params: z.object({ id: accountIdSchema }), response: z.object({ accountId: z.string(), customerToken: z.string() }), errors: { 404: "No such account" },
  }, async (_c, { params }) => ({ accountId: params.id, customerToken: await h.enrollment.rotateCustomerToken(params.id) }));
  api.on({
    method: "post", path: "/v1/operator/accounts/{id}/status", operationId: "setAccountStatus", tag: TAG, auth: "operator",
    summary: "Deactivate or reactivate an account",
    description: "While an account is deactivated its customer token is refused (401) and every session at its premises or of its PEVs is held for review with reason `account-deactivated`; reactivating does not release held sessions (review them).",
    params: z.object({ id: accountIdSchema }), body: accountStatusBodySchema, response: accountSchema, errors: { 404: "No such account" },
  }, async (_c, { params, body }) => {
    const a = await h.enrollment.setAccountStatus(params.id, body.status);
    log.info("account", { accountId: a.id, status: a.status, ...(body.reason ? { reason: body.reason } : {}) });
    await changed();
    return a;
  });

  api.on({
    method: "post", path: "/v1/operator/premises", operationId: "upsertPremises", tag: TAG, auth: "operator", summary: "Create or change a premises",
    body: premisesBodySchema, status: 201, response: premisesSchema, errors: { 404: "The account or the default tariff is unknown" },
  }, async (_c, { body }) => {
    if (!await h.tariffs.get(body.defaultTariffId)) throw notFound("tariff", body.defaultTariffId, "defaultTariffId");
    const p = await h.enrollment.upsertPremises(body);
    await changed();
    return p;
  });
  api.on({
    method: "post", path: "/v1/operator/pevs", operationId: "registerPev", tag: TAG, auth: "operator", summary: "Register a PEV by VIN (FR-03)",
    body: pevBodySchema, status: 201, response: pevSchema, errors: { 404: "The account is unknown" },
  }, async (_c, { body }) => await h.enrollment.upsertPev(body));

  api.on({
    method: "post", path: "/v1/operator/enrollments", operationId: "enroll", tag: TAG, auth: "operator", summary: "Enroll a PEV at a premises in a program (FR-04)",
    body: enrollmentBodySchema, status: 201, response: enrollmentSchema,
    errors: { 404: "The PEV, premises or program is unknown", 409: "The PEV is another account's, or the program is closed" },
  }, async (_c, { body }) => {
    const e = await h.enrollment.enroll(body);
    if ((await h.enrollment.program(body.programId))?.roamingAllowed) await h.roaming.markRoaming(body.vin);
    await changed();
    return e;
  });
  api.on({
    method: "get", path: "/v1/operator/enrollments/{vin}", operationId: "getEnrollment", tag: TAG, auth: "operator",
    summary: "Enrollment of a PEV; `enrolled: false` when not (FR-05: an answer, not an error)",
    params: z.object({ vin: vinSchema.describe("The PEV's VIN (17 characters, check digit verified)") }), response: enrollmentLookupSchema,
  }, async (_c, { params }) => {
    const e = await h.enrollment.activeEnrollment(params.vin);
    if (!e) return { vin: params.vin, enrolled: false };
    return { vin: e.enrollment.vin, enrolled: true, enrollment: e.enrollment, program: e.program, premises: e.premises, binding: await h.binding.binding(e.enrollment.vin, e.premises.id) };
  });

  api.on({
    method: "post", path: "/v1/operator/hubs", operationId: "pairHub", tag: TAG, auth: "operator",
    summary: "Pair a hub's Ed25519 key with a premises (make one with `offpeak utility hub-key`)",
    body: hubPairingBodySchema, status: 201,
    response: hubPairingSchema.extend({ utilityId: z.string(), utilityKeyId: z.string(), utilityPublicKeyPem: z.string() }),
    errors: { 404: "The premises is unknown", 409: "The hub is paired to another premises (unpair it first)" },
  }, async (_c, { body }) => {
    const pem = body.publicKeyPem ? exportPublicKeyPem(importPublicKeyPem(body.publicKeyPem)) : exportPublicKeyPem(importPublicKeyBase64(body.publicKey!));
    const pairing = await h.enrollment.pairHub({ hubId: body.hubId, premisesId: body.premisesId, publicKeyPem: pem });
    return { ...pairing, utilityId: h.utilityId, utilityKeyId: h.key.keyId, utilityPublicKeyPem: h.key.publicKeyPem };
  });
  api.on({
    method: "get", path: "/v1/operator/hubs", operationId: "listHubs", tag: TAG, auth: "operator", summary: "Paired hubs, by ID (paged)",
    query: pageQuerySchema.extend({ active: z.enum(["true", "false"]).optional().describe("Only paired (true) or unpaired (false) hubs") }),
    response: pageOf(hubPairingSchema),
  }, async (_c, { query }) => page(await h.enrollment.listHubs({ ...(query.active ? { active: query.active === "true" } : {}) }, query.limit + 1, query.offset), query.limit, query.offset));
  api.on({
    method: "delete", path: "/v1/operator/hubs/{id}", operationId: "unpairHub", tag: TAG, auth: "operator", summary: "Unpair a hub",
    params: idParam("hub"), response: z.object({ hubId: z.string(), active: z.boolean() }), errors: { 404: "No such hub" },
  }, async (_c, { params }) => {
    if (!await h.enrollment.hub(params.id)) throw notFound("hub", params.id, "id");
    await h.enrollment.unpairHub(params.id);
    return { hubId: params.id, active: false };
  });

  api.on({
    method: "put", path: "/v1/operator/tariffs/{id}", operationId: "putTariff", tag: TAG, auth: "operator",
    summary: "Load a tariff (core/tariff shape: OpenEI-style rate structure, µ$/kWh, versions with local `effectiveFrom` dates in the tariff's IANA zone)",
    params: idParam("tariff"), body: tariffBodySchema, response: z.object({ id: z.string(), versions: z.number().int() }),
    errors: { 400: "The tariff breaks a rule (`error.code` invalid-tariff)" },
  }, async (_c, { params, body }) => {
    const t = { ...(body.tariff as unknown as Tariff), id: params.id };
    await h.tariffs.put(t);
    await changed();
    return { id: t.id, versions: t.versions.length };
  });
  api.on({
    method: "get", path: "/v1/operator/tariffs", operationId: "listTariffs", tag: TAG, auth: "operator", summary: "Known tariff IDs",
    response: z.object({ tariffs: z.array(z.string()) }),
  }, async () => ({ tariffs: await h.tariffs.ids() }));

  api.on({
    method: "post", path: "/v1/operator/revocations", operationId: "revokeBinding", tag: TAG, auth: "operator",
    summary: "Revoke a PEV's binding credentials at a premises", body: revocationBodySchema, status: 201,
    response: z.object({ vin: z.string(), premisesId: z.string(), issuedAtOrBefore: z.number().int(), revokedAt: z.number().int(), reason: z.string().optional() }),
  }, async (_c, { body }) => {
    const now = h.clock.now();
    const row = await h.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'revocations'");
    const list = row ? (JSON.parse(row.value) as unknown[]) : [];
    const rev = { vin: body.vin, premisesId: body.premisesId, issuedAtOrBefore: now, revokedAt: now, ...(body.reason ? { reason: body.reason } : {}) };
    list.push(rev);
    await h.db.transaction(async () => {
      await h.db.run("INSERT INTO settings (key, value) VALUES ('revocations', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(list));
      await h.db.run("DELETE FROM bindings WHERE vin = ? AND premises_id = ?", body.vin, body.premisesId);
    });
    await changed();
    return rev;
  });

  api.on({
    method: "post", path: "/v1/operator/dr-events", operationId: "issueDrEvent", tag: TAG, auth: "operator", summary: "Issue a demand-response event",
    body: drEventBodySchema, status: 201, response: drEventRecordSchema, errors: { 409: "An event with this ID exists" },
  }, async (_c, { body }) => {
    const r = await h.dr.issue(body.event, { programId: body.programId, premisesIds: body.premisesIds });
    await changed();
    return r;
  });
  api.on({
    method: "post", path: "/v1/operator/dr-events/{id}/cancel", operationId: "cancelDrEvent", tag: TAG, auth: "operator", summary: "Cancel a demand-response event",
    params: idParam("event"), response: drEventRecordSchema, errors: { 404: "No such event" },
  }, async (_c, { params }) => {
    const r = await h.dr.cancel(params.id);
    await changed();
    return r;
  });
  api.on({
    method: "get", path: "/v1/operator/dr-events/{id}", operationId: "getDrEvent", tag: TAG, auth: "operator", summary: "A demand-response event and the hubs' reports",
    params: idParam("event"), response: drEventWithReportsSchema, errors: { 404: "No such event" },
  }, async (_c, { params }) => {
    const r = await h.dr.get(params.id);
    if (!r) throw notFound("demand-response event", params.id, "id");
    return { ...r, reports: await h.dr.reports(r.event.id) };
  });

  // Issue 15: every active account's bill of a month, in pages, by parallel workers; safe to re-run.
  api.on({
    method: "post", path: "/v1/operator/bills/close-month", operationId: "closeMonth", tag: TAG, auth: "operator",
    summary: "Close a month for every account that had service in it (issue 15): accounts in pages, `workers` bills at a time; an account already billed is skipped, so it is safe to re-run",
    body: closeMonthBodySchema,
    response: z.object({
      month: z.string(), closed: z.number().int(), skipped: z.number().int(), failedCount: z.number().int(),
      failed: z.array(z.object({ accountId: z.string(), error: z.string() })).describe("The first 100 failures, with the reason"),
    }),
  }, async (_c, { body }) => {
    const r = await closeMonth(h.db, h.bills, body.month, { ...(body.workers ? { workers: body.workers } : {}), ...(body.pageSize ? { pageSize: body.pageSize } : {}) });
    log.info("month-close", { month: r.month, closed: r.closed, skipped: r.skipped, failed: r.failedCount });
    return r;
  });
  api.on({
    method: "post", path: "/v1/operator/bills", operationId: "closeBill", tag: TAG, auth: "operator",
    summary: "Close a month for an account into a bill (FR-34): the month is [local midnight of its 1st, of the next month's 1st) in the utility's zone",
    body: closeBillBodySchema, status: 201, response: billSchema, errors: { 404: "No such account", 409: "The month is not over, or already closed" },
  }, async (_c, { body }) => {
    const b = await h.bills.close(body.accountId, body.month);
    log.info("bill", { accountId: b.accountId, month: b.month, billId: b.billId, totalCents: b.totalCents });
    return b;
  });
  api.on({
    method: "get", path: "/v1/operator/bills/{accountId}/{month}", operationId: "getBill", tag: TAG, auth: "operator", summary: "A closed bill",
    params: z.object({ accountId: accountIdSchema, month: monthSchema }), response: billSchema, errors: { 404: "No bill for this account and month" },
  }, async (_c, { params }) => {
    const b = await h.bills.bill(params.accountId, params.month);
    if (!b) throw notFound("bill", `${params.accountId} ${params.month}`, "month");
    return b;
  });

  api.on({
    method: "get", path: "/v1/operator/sessions", operationId: "listSessions", tag: TAG, auth: "operator",
    summary: "Sessions (latest revision of each), newest first, with filters (paged); `status=held` is the review queue",
    query: pageQuerySchema.extend({
      status: z.enum(["posted", "awaiting-final", "held", "rejected"]).optional().describe("Only sessions whose latest revision is in this state"),
      settlement: settlementSchema.optional().describe("Only sessions settled this way"),
      premisesId: refIdSchema.optional(), hubId: refIdSchema.optional(), vin: vinSchema.optional(),
      from: z.coerce.number().int().min(0).optional().describe("UTC seconds: sessions plugged in at or after this"),
      to: z.coerce.number().int().min(0).optional().describe("UTC seconds: sessions plugged in before this (half-open [from, to))"),
    }),
    response: pageOf(sessionRowSchema),
  }, async (_c, { query }) => {
    const { limit, offset, ...filter } = query;
    return page(await h.sessions.listSessions(filter, limit + 1, offset), limit, offset);
  });
  api.on({
    method: "get", path: "/v1/operator/sessions/held", operationId: "listHeldSessions", tag: TAG, auth: "operator",
    summary: "Sessions held for review (FR-15), oldest first, with why (paged)",
    query: pageQuerySchema, response: pageOf(sessionRowSchema),
  }, async (_c, { query }) => page(await h.sessions.listSessions({ status: "held", oldestFirst: true }, query.limit + 1, query.offset), query.limit, query.offset));
  api.on({
    method: "get", path: "/v1/operator/sessions/{id}", operationId: "getSession", tag: TAG, auth: "operator",
    summary: "A session, its ledger entries, CDRs and review decisions", params: idParam("session"),
    response: z.object({ session: sessionRowSchema, entries: z.array(journalEntrySchema), cdr: cdrOutSchema.nullable(), cdrs: z.array(cdrOutSchema), reviews: z.array(sessionReviewRecordSchema) }),
    errors: { 404: "No such session" },
  }, async (_c, { params }) => {
    const s = await h.sessions.session(params.id);
    if (!s) throw notFound("session", params.id, "id");
    const cdrs = await h.roaming.cdrsOut(s.premisesId, s.sessionId);
    const at = await h.sessions.entryPremises(s.sessionId, s.premisesId);
    return { session: s, entries: await h.ledger.entriesOfSession(s.sessionId, at), cdr: cdrs.at(-1) ?? null, cdrs, reviews: await h.reviews.reviewsOf(s.premisesId, s.sessionId) };
  });
  api.on({
    method: "post", path: "/v1/operator/sessions/{id}/review", operationId: "reviewSession", tag: TAG, auth: "operator",
    summary: "Release (bill as intake would have) or reject a session held for review (FR-15)",
    params: idParam("session"), body: sessionReviewBodySchema,
    response: z.object({ session: sessionRowSchema, review: sessionReviewRecordSchema, entries: z.array(journalEntrySchema) }),
    errors: { 404: "No such session", 409: "The session's latest revision is not held, or nobody can be billed for it" },
  }, async (c, { params, body }) => {
    const r = await h.reviews.review(params.id, body.decision, body.note, operatorIdentity(c.req.header("authorization")));
    log.info("review", { sessionId: r.session.sessionId, revision: r.review.revision, decision: body.decision, status: r.session.status });
    if (body.decision === "release") afterChange(); // a released roaming session may have queued a CDR
    return { ...r, entries: await h.ledger.entriesOfSession(r.session.sessionId, await h.sessions.entryPremises(r.session.sessionId, r.session.premisesId)) };
  });
  api.on({
    method: "get", path: "/v1/operator/ledger", operationId: "ledgerTotals", tag: TAG, auth: "operator",
    summary: "Ledger totals in integer nano-dollars (the sum of all postings is zero); with `account`, that account's balance",
    query: z.object({ account: z.string().min(1).max(120).optional().describe("An account ID (its customer ledger) or a ledger account such as `revenue:energy`") }),
    response: z.object({ currency: z.literal("USD"), totalNano: z.number().int(), account: z.string().optional(), balanceNano: z.number().int().optional() }),
  }, async (_c, { query }) => ({
    currency: "USD" as const,
    totalNano: await h.ledger.totalNano(),
    ...(query.account ? { account: query.account, balanceNano: await h.ledger.balanceNano(query.account.includes(":") ? query.account : customerLedger(query.account)) } : {}),
  }));

  api.on({
    method: "post", path: "/v1/operator/roaming/flush", operationId: "flushRoaming", tag: TAG, auth: "operator",
    summary: "Send pending CDRs and roaming tokens to the clearinghouse now; what failed is listed with the reason",
    response: z.object({ tokens: z.number().int(), cdrs: z.number().int(), errors: z.array(z.object({ kind: z.enum(["token", "cdr"]), id: z.string(), status: z.number().int().nullable(), error: z.string() })) }),
  }, async () => await h.roaming.flush());
}

/** The AMI channel: the utility's metering head-end posts premises intervals (operator token). */
export function amiRoutes<E extends Env>(api: ApiRoutes<E>, h: HeadEnd): void {
  api.on({
    method: "post", path: ROUTES.amiIntervals.path, operationId: "postAmiIntervals", tag: "ami", auth: "operator",
    summary: "Premises intervals from the utility's AMI (the FR-15 load-correlation source)",
    body: ROUTES.amiIntervals.request, bodyReader: "handler", response: receiptSchema,
    description: "Idempotent: a re-delivered interval with the same value is a duplicate; a different value from the AMI is a correction (counted in `intervals.corrected`) and re-checks the sessions it overlaps.",
    errors: { 404: "The premises is unknown", 409: "An interval conflicts with the stored one (`interval-conflict` naming it); nothing of the batch is stored" },
  }, async (c) => {
    const batch = parseMessageJson(ROUTES.amiIntervals.request, await readBodyText(c.req.raw, MAX_HUB_BODY_BYTES), ROUTES.amiIntervals.name);
    if (batch.utilityId !== h.utilityId) throw badRequest(`utility ${batch.utilityId} is not this utility`, "utilityId");
    if (!await h.enrollment.premises(batch.premisesId)) throw notFound("premises", batch.premisesId, "premisesId");
    const counts = await h.ami.intake(batch.premisesId, batch.intervals, { meterId: batch.meterId, source: batch.source });
    const last = batch.intervals[batch.intervals.length - 1];
    if (last && counts.stored + counts.corrected > 0) await h.sessions.recheckLoad(batch.premisesId, batch.intervals[0]!.start, last.start + last.lengthS);
    return { v: 1 as const, duplicate: batch.intervals.length > 0 && counts.duplicate === batch.intervals.length, receivedAt: h.clock.now(), intervals: counts };
  });
}

/**
 * Who decided, for the review record. There is one operator credential, so the record names it by a fingerprint
 * (never the token itself): after a token rotation, the fingerprint still tells which credential was used.
 */
function operatorIdentity(authorization: string | undefined): string {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
  return `operator-token:sha256:${createHash("sha256").update(token).digest("hex").slice(0, 16)}`;
}
