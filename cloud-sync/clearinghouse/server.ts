// The clearinghouse service (FR-30, FR-32): utilities register; a visited utility posts a CDR for a roaming PEV;
// it is routed to the PEV's home utility (pushed to its /v1/clearinghouse/cdrs, retried, or pulled by it).
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { RealClock, type Clock } from "../../core/time/index.ts";
import { openMigratedDb } from "../../core/storage/index.ts";
import { z } from "zod";
import {
  ApiError, ApiRoutes, apiErrorHandler, apiNotFound, mountedRoutes, cdrDeliverySchema, ocpiPartySchema, cdrImplausibility, cdrSubmissionSchema,
  openApiDocument, sameSecret, utilityRegistrationSchema,
  createRequestVerifier, exportPublicKeyPem, importPublicKeyBase64, importPublicKeyPem, KeyError, SIGNATURE_HEADERS, SqliteNonceStore,
  UTILITY_SIGNER, type KeyObject,
} from "../protocol/index.ts";
import { parseVin, VinError } from "../../core/ids/index.ts";
import { ClearinghouseStore, deliveryOf, type RegisteredUtility, type StoredCdr } from "./clearinghouse-store.ts";
import { CLEARINGHOUSE_MIGRATIONS } from "./migrations.ts";

export interface ClearinghouseOptions {
  port: number;
  host?: "127.0.0.1";
  dbPath: string;
  /** Bearer token for the clearinghouse operator (registering utilities). */
  operatorToken: string;
  clock?: Clock;
  /** Told of every answer whose status its route does not declare in /openapi.json (tests fail on any). */
  onUndeclaredStatus?: (operationId: string, status: number) => void;
  /** How often undelivered CDRs are pushed again, ms (default 5000). */
  retryMs?: number;
}

export interface RunningClearinghouse {
  url: string;
  port: number;
  db: Database;
  /** The OpenAPI document served at /openapi.json. */
  openApi(): Record<string, unknown>;
  /** Every route Hono serves (method, path in OpenAPI form): a test checks each is in the document. */
  mountedRoutes(): { method: string; path: string }[];
  /** Pushes every pending CDR to its home utility now; returns how many were delivered. */
  deliverPending(): Promise<number>;
  close(): Promise<void>;
}

type Env = { Variables: { utility: RegisteredUtility } };

/** The largest body a utility's signed token request may carry (they carry none). */
const MAX_TOKEN_BODY_BYTES = 64 * 1024;

const bearer = (c: Context): string | null => /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? null;
const notFoundAnswer = (message: string): never => { throw new ApiError("not-found", message); };
const sameToken = sameSecret;
/** A VIN from the path, checked (FR-03): anything else is a 400 naming `path.vin`, as the declared parameter does. */
const checkedVin = (raw: string): string => {
  try {
    return parseVin(raw);
  } catch (e) {
    if (e instanceof VinError) throw new ApiError("invalid-message", e.message, "path.vin");
    throw e;
  }
};

export async function startClearinghouse(opts: ClearinghouseOptions): Promise<RunningClearinghouse> {
  const clock = opts.clock ?? new RealClock();
  const db = openMigratedDb(opts.dbPath, CLEARINGHOUSE_MIGRATIONS);
  const store = new ClearinghouseStore(db, clock);
  const app = new Hono<Env>();
  // A utility's token registrations are signed with the key the clearinghouse operator registered for it; nonces
  // are written before the answer (SQLite, synchronous), so a captured registration cannot be replayed, even
  // after a restart.
  const keys = new Map<string, { pem: string; key: KeyObject }>();
  const signatures = createRequestVerifier({
    role: UTILITY_SIGNER, clock, nonces: new SqliteNonceStore(db), maxBodyBytes: MAX_TOKEN_BODY_BYTES,
    hubKey: (utilityId) => {
      const pem = store.utility(utilityId)?.publicKeyPem;
      if (!pem) return null;
      const hit = keys.get(utilityId);
      if (hit && hit.pem === pem) return hit.key;
      const key = importPublicKeyPem(pem);
      keys.set(utilityId, { pem, key });
      return key;
    },
  });

  /** The signed request of the calling utility: signed by the key registered for the utility its token names. */
  async function signedByCaller(c: Context<Env>) {
    const v = await signatures.verifyRequest(c.req.raw);
    const me = c.get("utility").utilityId;
    if (v.hubId !== me) {
      throw new ApiError("signer-mismatch", `the request is signed by utility ${v.hubId}, but the bearer token is ${me}'s`, `headers.${SIGNATURE_HEADERS.utility}`, undefined, 403);
    }
    return { signedAt: v.time, nonce: v.nonce, signature: c.req.header(SIGNATURE_HEADERS.signature)! };
  }

  app.onError(apiErrorHandler({ service: "clearinghouse" }));
  app.notFound(apiNotFound);

  const api = new ApiRoutes(app, opts.onUndeclaredStatus ? { onUndeclaredStatus: opts.onUndeclaredStatus } : {});
  const vinParam = z.object({ vin: z.string().min(1).max(32).describe("The PEV's VIN (the OCPI token uid); check digit verified") });
  const tokenAnswer = z.object({ vin: z.string(), utilityId: z.string(), ocpi: ocpiPartySchema.nullable().describe("The home utility's OCPI party (the eMSP of its CDR tokens), when registered") });

  api.on({
    method: "get", path: "/healthz", operationId: "health", tag: "public", auth: "none", summary: "Liveness",
    response: z.object({ ok: z.boolean(), service: z.literal("offpeak-clearinghouse") }),
  }, () => ({ ok: true, service: "offpeak-clearinghouse" as const }));
  api.on({
    method: "get", path: "/openapi.json", operationId: "openApiDocument", tag: "public", auth: "none", summary: "This document",
    response: z.record(z.string(), z.unknown()),
  }, () => document());

  // Checked before the body is read: a caller without the token learns nothing from the body's validation.
  app.use("/v1/utilities", async (c, next) => {
    const t = bearer(c);
    if (!t || !sameToken(t, opts.operatorToken)) throw new ApiError("unauthorized", "operator bearer token required", "headers.authorization");
    await next();
  });
  api.on({
    method: "post", path: "/v1/utilities", operationId: "registerUtility", tag: "operator", auth: "clearinghouse-operator",
    summary: "Register (or re-register) a utility: its base URL for CDR pushes, the token it presents and accepts, the Ed25519 key that signs its token changes, and its OCPI party",
    body: utilityRegistrationSchema, status: 201, response: z.object({ utilityId: z.string(), registered: z.literal(true) }),
    errors: { 409: "Another utility registered this OCPI party (`party-taken`)" },
  }, (_c, { body: reg }) => {
    let publicKeyPem: string;
    try {
      publicKeyPem = exportPublicKeyPem(reg.publicKeyPem !== undefined ? importPublicKeyPem(reg.publicKeyPem) : importPublicKeyBase64(reg.publicKey!));
    } catch (e) {
      if (e instanceof KeyError) throw new ApiError("invalid-message", e.message, reg.publicKeyPem !== undefined ? "publicKeyPem" : "publicKey");
      throw e;
    }
    if (!store.registerUtility(reg, publicKeyPem)) throw new ApiError("party-taken", `OCPI party ${reg.ocpi!.countryCode}*${reg.ocpi!.partyId} is another utility's`, "ocpi.partyId", undefined, 409);
    return { utilityId: reg.utilityId, registered: true as const };
  });

  // Everything below is called by a registered utility with its own token.
  app.use("/v1/tokens/*", utilityAuth);
  app.use("/v1/cdrs", utilityAuth);
  app.use("/v1/cdrs/*", utilityAuth);

  async function utilityAuth(c: Context<Env>, next: () => Promise<void>) {
    const t = bearer(c);
    const u = t ? store.utilityByToken(t) : null;
    if (!u) throw new ApiError("unauthorized", "a registered utility's bearer token is required", "headers.authorization");
    c.set("utility", u);
    await next();
  }

  const heldByOther = (vin: string) =>
    new ApiError("held-by-other-utility", `VIN ${vin} is registered by another utility; only its home utility can change it (it releases it first)`, "vin", undefined, 409);
  const signerMismatch = "The request is signed by another utility than the bearer token names (`signer-mismatch`)";
  // A utility registers, changes and deletes only its own customers' VINs, each request signed with its key.
  api.on({
    method: "put", path: "/v1/tokens/{vin}", operationId: "putToken", tag: "tokens", auth: "utility-signed",
    summary: "Publish a VIN as the calling utility's roaming customer's (signed with the utility's key)", params: vinParam, response: tokenAnswer,
    errors: { 403: signerMismatch, 409: "Another utility holds the VIN (`held-by-other-utility`)" },
  }, async (c, { params }) => {
    const vin = checkedVin(params.vin);
    const signed = await signedByCaller(c);
    const me = c.get("utility").utilityId;
    if (!store.putToken(vin, me)) throw heldByOther(vin);
    store.recordTokenChange({ vin, utilityId: me, action: "put", ...signed });
    return { vin, utilityId: me, ocpi: c.get("utility").ocpi };
  });
  api.on({
    method: "delete", path: "/v1/tokens/{vin}", operationId: "deleteToken", tag: "tokens", auth: "utility-signed",
    summary: "Withdraw one of the calling utility's VINs (signed with the utility's key)",
    params: vinParam, response: z.object({ deleted: z.literal(true) }),
    errors: { 403: signerMismatch, 404: "The VIN is not registered for roaming", 409: "Another utility holds the VIN (`held-by-other-utility`)" },
  }, async (c, { params }) => {
    const vin = checkedVin(params.vin);
    const signed = await signedByCaller(c);
    const me = c.get("utility").utilityId;
    if (!store.deleteToken(vin, me)) {
      if (store.homeOf(vin)) throw heldByOther(vin);
      notFoundAnswer(`VIN ${vin} is not registered for roaming`);
    }
    store.recordTokenChange({ vin, utilityId: me, action: "delete", ...signed });
    return { deleted: true as const };
  });
  api.on({
    method: "get", path: "/v1/tokens/{vin}", operationId: "getToken", tag: "tokens", auth: "utility", summary: "A VIN's home utility",
    params: vinParam, response: tokenAnswer, errors: { 404: "The VIN is not registered for roaming" },
  }, (_c, { params }) => {
    const vin = checkedVin(params.vin);
    const home = store.homeOf(vin);
    return home ? { vin, utilityId: home, ocpi: store.utility(home)?.ocpi ?? null } : notFoundAnswer(`VIN ${vin} is not registered for roaming`);
  });

  api.on({
    method: "post", path: "/v1/cdrs", operationId: "submitCdr", tag: "cdrs", auth: "utility",
    summary: "Submit a CDR (OCPI 2.2.1) for a roaming PEV; it is routed to the PEV's home utility (pushed now, retried, or pulled)",
    body: cdrSubmissionSchema, status: 201, response: z.object({ id: z.string(), homeUtilityId: z.string(), delivered: z.boolean() }),
    errors: {
      400: "The CDR is routed to its own sender", 409: "This CDR was already accepted (`error.details.existingId`)",
      422: "Implausible amounts, an unknown token or home utility, a party other than the sender's, or a credit CDR for a CDR never accepted",
    },
  }, async (c, { body: sub }) => {
    const from = c.get("utility").utilityId;
    try {
      parseVin(sub.cdr.cdr_token.uid);
    } catch (e) {
      throw new ApiError("invalid-message", (e as Error).message, "cdr.cdr_token.uid");
    }
    const implausible = cdrImplausibility(sub.cdr);
    if (implausible) throw new ApiError("implausible-cdr", implausible.error, implausible.path, undefined, 422);
    const sender = c.get("utility").ocpi;
    if (sender && (sub.cdr.country_code !== sender.countryCode || sub.cdr.party_id !== sender.partyId)) {
      throw new ApiError("wrong-party", `the CDR names party ${sub.cdr.country_code}*${sub.cdr.party_id}, but ${from} is registered as ${sender.countryCode}*${sender.partyId}`, "cdr.party_id", undefined, 422);
    }
    const home = sub.homeUtilityId ?? store.homeOf(sub.cdr.cdr_token.uid);
    if (!home) throw new ApiError("unknown-token", `no home utility known for token ${sub.cdr.cdr_token.uid}`, "cdr.cdr_token.uid", undefined, 422);
    if (!store.utility(home)) throw new ApiError("unknown-utility", `home utility ${home} is not registered`, "homeUtilityId", undefined, 422);
    if (home === from) throw new ApiError("invalid-message", "a utility cannot route a CDR to itself", "homeUtilityId");
    const r = store.submit(sub.cdr, from, home);
    if (r.kind === "duplicate") {
      throw new ApiError("duplicate", `a CDR for session ${sub.cdr.session_id} (or CDR ${sub.cdr.id}) was already accepted; credit it first`, "cdr.id", { existingId: r.existingId }, 409);
    }
    if (r.kind === "unknown-credit-reference") {
      throw new ApiError("unknown-credit-reference", `credit CDR ${sub.cdr.id} references CDR ${sub.cdr.credit_reference_id}, which this utility never submitted for session ${sub.cdr.session_id}`, "cdr.credit_reference_id", undefined, 422);
    }
    // Push now, but answer regardless: the CDR is durable here and will be retried or pulled.
    const delivered = await push(r.cdr);
    return { id: r.cdr.id, homeUtilityId: home, delivered };
  });

  // Pull model: the home utility fetches what is routed to it and acknowledges each.
  api.on({
    method: "get", path: "/v1/cdrs", operationId: "pendingCdrs", tag: "cdrs", auth: "utility", summary: "CDRs routed to the calling utility and not yet delivered (pull)",
    response: z.object({ cdrs: z.array(cdrDeliverySchema) }),
  }, (c) => ({ cdrs: store.pendingFor(c.get("utility").utilityId).map(deliveryOf) }));
  const cdrIdParam = z.object({ id: z.string().min(1).max(64).describe("The clearinghouse's CDR ID (`clearinghouseCdrId`)") });
  // What became of a CDR: for its sender (a home utility's refusal is dead-lettered here; the sender then holds the
  // session it billed its host for) and its home utility. Nobody else learns of it.
  api.on({
    method: "get", path: "/v1/cdrs/{id}", operationId: "cdrState", tag: "cdrs", auth: "utility",
    summary: "What became of a CDR the calling utility sent or is home for: pending, delivered, or dead (its home utility refused it; `lastError` says why)",
    params: cdrIdParam,
    response: z.object({ id: z.string(), sessionId: z.string(), state: z.enum(["pending", "delivered", "dead"]), lastError: z.string().nullable() }),
    errors: { 404: "No such CDR sent by or to this utility" },
  }, (c, { params }) => {
    const cdr = store.cdr(params.id);
    const me = c.get("utility").utilityId;
    if (!cdr || (cdr.fromUtilityId !== me && cdr.homeUtilityId !== me)) throw new ApiError("not-found", "no such CDR sent by or to this utility", "id");
    return { id: cdr.id, sessionId: cdr.sessionId, state: cdr.state, lastError: cdr.lastError };
  });
  api.on({
    method: "post", path: "/v1/cdrs/{id}/ack", operationId: "ackCdr", tag: "cdrs", auth: "utility", summary: "Acknowledge a pulled CDR",
    params: cdrIdParam,
    response: z.object({ id: z.string(), state: z.literal("delivered") }), errors: { 404: "No such CDR for this utility" },
  }, (c, { params }) => {
    const cdr = store.cdr(params.id);
    if (!cdr || cdr.homeUtilityId !== c.get("utility").utilityId) throw new ApiError("not-found", "no such CDR for this utility", "id");
    store.markDelivered(cdr.id);
    return { id: cdr.id, state: "delivered" as const };
  });

  const document = () => openApiDocument({
    title: "Offpeak roaming clearinghouse", version: "1.0.0",
    description: "Routes OCPI 2.2.1 CDRs from the visited utility (CPO) to the PEV's home utility (eMSP); roaming tokens map VINs to home utilities.",
    servers: [{ url: `http://127.0.0.1:${server.port}`, description: "This clearinghouse" }],
    routes: api.routes,
    tags: [
      { name: "public", description: "No credentials" }, { name: "operator", description: "The clearinghouse operator" },
      { name: "tokens", description: "Roaming tokens (VIN → home utility)" }, { name: "cdrs", description: "Charge detail records" },
    ],
  });

  async function push(cdr: StoredCdr): Promise<boolean> {
    const home = store.utility(cdr.homeUtilityId);
    if (!home) return false;
    try {
      const res = await fetch(`${home.baseUrl}/v1/clearinghouse/cdrs`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${home.token}` },
        body: JSON.stringify(deliveryOf(cdr)),
        signal: AbortSignal.timeout(5000),
      });
      // 409 means the home utility already holds it: delivered, exactly once.
      if (res.ok || res.status === 409) {
        store.markDelivered(cdr.id);
        return true;
      }
      const why = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
      // A refusal (4xx) will not change by sending again: dead-lettered with the reason. 5xx: retried, backing off.
      if (res.status >= 400 && res.status < 500) store.markDead(cdr.id, why);
      else store.markFailed(cdr.id, why);
    } catch (e) {
      store.markFailed(cdr.id, (e as Error).message);
    }
    return false;
  }

  async function deliverPending(): Promise<number> {
    let n = 0;
    for (const cdr of store.pendingFor(undefined, 500)) if (await push(cdr)) n++;
    return n;
  }

  const server = Bun.serve({ port: opts.port, hostname: opts.host ?? "127.0.0.1", fetch: app.fetch });
  let retrying = false;
  const timer = setInterval(() => {
    if (retrying) return;
    retrying = true;
    void deliverPending().finally(() => { retrying = false; });
  }, opts.retryMs ?? 5000);

  const port = server.port!;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    openApi: document,
    mountedRoutes: () => mountedRoutes(app),
    deliverPending,
    async close() {
      clearInterval(timer);
      await server.stop(true);
      db.close();
    },
  };
}
