// The clearinghouse service (FR-30, FR-32): utilities register; a visited utility posts a CDR for a roaming PEV;
// it is routed to the PEV's home utility (pushed to its /v1/clearinghouse/cdrs, retried, or pulled by it).
import type { Database } from "bun:sqlite";
import { Hono, type Context } from "hono";
import { RealClock, type Clock } from "../../core/time/index.ts";
import { openMigratedDb } from "../../core/storage/index.ts";
import {
  ApiError, apiErrorHandler, apiNotFound, cdrImplausibility, cdrSubmissionSchema, readJsonBody, sameSecret, utilityRegistrationSchema,
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
  /** How often undelivered CDRs are pushed again, ms (default 5000). */
  retryMs?: number;
}

export interface RunningClearinghouse {
  url: string;
  port: number;
  db: Database;
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
/** A VIN from the path, checked (FR-03): anything else is a 400 naming `vin`. */
const vinParam = (raw: string): string => {
  try {
    return parseVin(raw);
  } catch (e) {
    if (e instanceof VinError) throw new ApiError("invalid-message", e.message, "vin");
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

  app.get("/healthz", (c) => c.json({ ok: true, service: "offpeak-clearinghouse" }));

  app.post("/v1/utilities", async (c) => {
    const t = bearer(c);
    if (!t || !sameToken(t, opts.operatorToken)) throw new ApiError("unauthorized", "operator bearer token required", "headers.authorization");
    const reg = await readJsonBody(c.req.raw, utilityRegistrationSchema);
    let publicKeyPem: string;
    try {
      publicKeyPem = exportPublicKeyPem(reg.publicKeyPem !== undefined ? importPublicKeyPem(reg.publicKeyPem) : importPublicKeyBase64(reg.publicKey!));
    } catch (e) {
      if (e instanceof KeyError) throw new ApiError("invalid-message", e.message, reg.publicKeyPem !== undefined ? "publicKeyPem" : "publicKey");
      throw e;
    }
    store.registerUtility(reg, publicKeyPem);
    return c.json({ utilityId: reg.utilityId, registered: true }, 201);
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
  // A utility registers, changes and deletes only its own customers' VINs, each request signed with its key.
  app.put("/v1/tokens/:vin", async (c) => {
    const vin = vinParam(c.req.param("vin"));
    const signed = await signedByCaller(c);
    const me = c.get("utility").utilityId;
    if (!store.putToken(vin, me)) throw heldByOther(vin);
    store.recordTokenChange({ vin, utilityId: me, action: "put", ...signed });
    return c.json({ vin, utilityId: me });
  });
  app.delete("/v1/tokens/:vin", async (c) => {
    const vin = vinParam(c.req.param("vin"));
    const signed = await signedByCaller(c);
    const me = c.get("utility").utilityId;
    if (!store.deleteToken(vin, me)) {
      if (store.homeOf(vin)) throw heldByOther(vin);
      notFoundAnswer(`VIN ${vin} is not registered for roaming`);
    }
    store.recordTokenChange({ vin, utilityId: me, action: "delete", ...signed });
    return c.json({ deleted: true });
  });
  app.get("/v1/tokens/:vin", (c) => {
    const vin = vinParam(c.req.param("vin"));
    const home = store.homeOf(vin);
    return home ? c.json({ vin, utilityId: home }) : notFoundAnswer(`VIN ${vin} is not registered for roaming`);
  });

  app.post("/v1/cdrs", async (c) => {
    const sub = await readJsonBody(c.req.raw, cdrSubmissionSchema);
    const from = c.get("utility").utilityId;
    try {
      parseVin(sub.cdr.cdr_token.uid);
    } catch (e) {
      throw new ApiError("invalid-message", (e as Error).message, "cdr.cdr_token.uid");
    }
    const implausible = cdrImplausibility(sub.cdr);
    if (implausible) throw new ApiError("implausible-cdr", implausible.error, implausible.path, undefined, 422);
    const home = sub.homeUtilityId ?? store.homeOf(sub.cdr.cdr_token.uid);
    if (!home) throw new ApiError("unknown-token", `no home utility known for token ${sub.cdr.cdr_token.uid}`, "cdr.cdr_token.uid", undefined, 422);
    if (!store.utility(home)) throw new ApiError("unknown-utility", `home utility ${home} is not registered`, "homeUtilityId", undefined, 422);
    if (home === from) throw new ApiError("invalid-message", "a utility cannot route a CDR to itself", "homeUtilityId");
    const r = store.submit(sub.cdr, from, home);
    if (r.kind === "duplicate") {
      throw new ApiError("duplicate", `a CDR for session ${sub.cdr.session_id} was already accepted`, undefined, { existingId: r.existingId }, 409);
    }
    // Push now, but answer regardless: the CDR is durable here and will be retried or pulled.
    const delivered = await push(r.cdr);
    return c.json({ id: r.cdr.id, homeUtilityId: home, delivered }, 201);
  });

  // Pull model: the home utility fetches what is routed to it and acknowledges each.
  app.get("/v1/cdrs", (c) => c.json({ cdrs: store.pendingFor(c.get("utility").utilityId).map(deliveryOf) }));
  // What became of a CDR: for its sender (a home utility's refusal is dead-lettered here; the sender then holds the
  // session it billed its host for) and its home utility. Nobody else learns of it.
  app.get("/v1/cdrs/:id", (c) => {
    const cdr = store.cdr(c.req.param("id"));
    const me = c.get("utility").utilityId;
    if (!cdr || (cdr.fromUtilityId !== me && cdr.homeUtilityId !== me)) throw new ApiError("not-found", "no such CDR sent by or to this utility");
    return c.json({ id: cdr.id, sessionId: cdr.sessionId, state: cdr.state, lastError: cdr.lastError });
  });
  app.post("/v1/cdrs/:id/ack", (c) => {
    const cdr = store.cdr(c.req.param("id"));
    if (!cdr || cdr.homeUtilityId !== c.get("utility").utilityId) throw new ApiError("not-found", "no such CDR for this utility");
    store.markDelivered(cdr.id);
    return c.json({ id: cdr.id, state: "delivered" });
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
    deliverPending,
    async close() {
      clearInterval(timer);
      await server.stop(true);
      db.close();
    },
  };
}
