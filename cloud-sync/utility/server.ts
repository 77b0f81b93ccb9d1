// `startUtility`: the head-end as an HTTP service (Hono on Bun.serve, loopback only), with a background loop
// that sends queued CDRs and roaming tokens to the clearinghouse. Every route is declared once (protocol
// api-route.ts) and /openapi.json is rendered from those declarations.
import type { SqlStore } from "../../core/storage/index.ts";
import { Hono, type Context, type Next } from "hono";
import { z } from "zod";
import { ApiError, ApiRoutes, apiErrorHandler, apiNotFound, mountedRoutes, openApiDocument, sameSecret } from "../protocol/index.ts";
import { createHeadEnd, type HeadEnd } from "./head-end.ts";
import { ensureMonthPartitions } from "./db/partitions.ts";
import { clearinghouseRoutes } from "./http/clearinghouse-routes.ts";
import { customerAuth, customerRoutes, type CustomerEnv } from "./http/customer-routes.ts";
import { translateUtilityError } from "./errors.ts";
import { hubRoutes } from "./http/hub-routes.ts";
import { amiRoutes, operatorRoutes } from "./http/operator-routes.ts";
import { publicProgramsSchema } from "./http/response-schemas.ts";
import { structuredLog, type StructuredLog } from "./log/structured-log.ts";
import type { FlushResult } from "./roaming/roaming-sync.ts";
import type { UtilityOptions } from "./types.ts";

export interface RunningUtility {
  url: string;
  port: number;
  utilityId: string;
  /** SPKI PEM of the utility's Ed25519 binding-credential key: hubs verify credentials offline with it. */
  publicKeyPem: string;
  keyId: string;
  /** The head-end's store (SQLite or PostgreSQL). */
  db: SqlStore;
  /** The services behind the HTTP API, for in-process use (seeding, tests, benchmarks). */
  headEnd: HeadEnd;
  operatorToken: string;
  /** Sends pending CDRs and roaming tokens to the clearinghouse now; lists what failed. */
  flushRoaming(): Promise<FlushResult>;
  /** The OpenAPI document this server serves at /openapi.json. */
  openApi(): Record<string, unknown>;
  /** Every route Hono serves (method, path in OpenAPI form): a test checks each is in the document. */
  mountedRoutes(): { method: string; path: string }[];
  /** Requests being answered now (graceful shutdown waits for them). */
  inFlight(): number;
  /**
   * Graceful shutdown: stops accepting connections, lets the requests in flight finish (intake committed and answered)
   * for up to `drainMs` (default 10 s), then closes what is left, flushes nonces and closes the database.
   */
  close(o?: { drainMs?: number }): Promise<void>;
}

export const UTILITY_DEFAULTS = { pullEveryS: 900, roamingFlushMs: 5000 } as const;

const healthSchema = z.object({
  ok: z.boolean(), service: z.literal("offpeak-utility"), utilityId: z.string(), keyId: z.string(),
  publicKey: z.string().describe("The utility's Ed25519 public key, raw 32 bytes in base64url (what the clearinghouse operator registers for it)"),
  roaming: z.object({
    configured: z.boolean(),
    /** false when the last flush failed to send something; `errors` says what and why. */
    ok: z.boolean(),
    lastFlushAt: z.number().int().nullable(),
    errors: z.array(z.object({ kind: z.enum(["token", "cdr"]), id: z.string(), status: z.number().int().nullable(), error: z.string() })),
  }),
  database: z.object({
    engine: z.enum(["sqlite", "postgres"]), ok: z.boolean(), latencyMs: z.number(), schemaVersion: z.number().int(), error: z.string().optional(),
  }).describe("The store this head-end runs on, and one round trip to it"),
});

export async function startUtility(opts: UtilityOptions): Promise<RunningUtility> {
  if (!opts.operatorToken || opts.operatorToken.length < 8) throw new Error("startUtility: operatorToken must be at least 8 characters");
  const h = await createHeadEnd(opts);
  const clock = h.clock;
  const log: StructuredLog = opts.log ?? structuredLog(opts.logLevel ?? "info", () => clock.now());
  // "Now" means a pass that starts after the call (RoamingSync runs one at a time), never a pass already under way:
  // that one may have read the pending rows before the caller's change.
  const flushRoaming = async () => {
    const r = await h.roaming.flush();
    for (const e of r.errors) log.warn("roaming", { ...e });
    if (r.tokens || r.cdrs) log.info("roaming", { tokensSent: r.tokens, cdrsSent: r.cdrs });
    return r;
  };
  // Background triggers (a change, an accepted session, the timer) coalesce: while a pass runs, any number of them
  // ask for one more pass after it, which sees everything they changed.
  let background: Promise<void> | null = null;
  let again = false;
  const flushInBackground = () => {
    if (background) { again = true; return; }
    background = (async () => {
      do {
        again = false;
        await flushRoaming().catch(() => undefined); // failures stay pending, are logged and retried by the timer
      } while (again);
    })().finally(() => { background = null; });
  };
  const soon = () => { if (opts.clearinghouseUrl) queueMicrotask(flushInBackground); };

  const app = new Hono<CustomerEnv>();
  // Requests in flight, so shutdown can wait for intake that is being written to answer it.
  let inFlight = 0;
  app.use("*", async (_c, next) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  });
  app.onError(apiErrorHandler({ service: "utility", translate: translateUtilityError, log: (line) => log.error("request-error", { error: line }) }));
  app.notFound(apiNotFound);
  const api = new ApiRoutes(app, opts.onUndeclaredStatus ? { onUndeclaredStatus: opts.onUndeclaredStatus } : {});

  const bearerGuard = (check: (token: string) => boolean, message: string) => async (c: Context, next: Next) => {
    const t = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!check(t)) throw new ApiError("unauthorized", message, "headers.authorization");
    await next();
  };
  const operatorAuth = bearerGuard((t) => sameSecret(t, opts.operatorToken), "the operator bearer token is required");
  app.use("/v1/operator/*", operatorAuth);
  app.use("/v1/ami/*", operatorAuth);
  app.use("/v1/customer/*", customerAuth(h));
  app.use("/v1/clearinghouse/*", bearerGuard((t) => !!opts.clearinghouseToken && sameSecret(t, opts.clearinghouseToken), "the clearinghouse bearer token is required"));

  api.on({
    method: "get", path: "/healthz", operationId: "health", tag: "public", auth: "none", summary: "Liveness, and whether roaming reaches the clearinghouse",
    description: "`ok` is false when the last roaming flush could not send something (a wrong clearinghouse token, the clearinghouse down); `roaming.errors` says what.",
    response: healthSchema,
    errors: { 503: "The database does not answer (`error.code` database-unavailable): a load balancer takes this head-end out of rotation" },
  }, async () => {
    const database = await h.db.health();
    if (!database.ok) throw new ApiError("database-unavailable", `the ${database.engine} database does not answer: ${database.error ?? "unknown error"}`, "database", undefined, 503);
    const last = h.roaming.lastFlush;
    const roamingOk = !last || last.errors.length === 0;
    return {
      ok: roamingOk, service: "offpeak-utility" as const, utilityId: h.utilityId, keyId: h.key.keyId, publicKey: h.key.publicKeyBase64,
      roaming: { configured: !!opts.clearinghouseUrl, ok: roamingOk, lastFlushAt: last?.at ?? null, errors: last?.errors ?? [] },
      database,
    };
  });
  api.on({
    method: "get", path: "/openapi.json", operationId: "openApiDocument", tag: "public", auth: "none", summary: "This document",
    response: z.record(z.string(), z.unknown()),
  }, () => document());
  // FR-01/FR-02: the programs and how to enroll are public.
  api.on({
    method: "get", path: "/v1/programs", operationId: "listPublicPrograms", tag: "public", auth: "none",
    summary: "Programs open for enrollment and how to enroll (FR-01, FR-02)", response: publicProgramsSchema,
  }, async () => ({
    utilityId: h.utilityId,
    programs: await Promise.all((await h.enrollment.programs(true)).map(async (p) => ({
      id: p.id, name: p.name, description: p.description, tariffId: p.tariffId, tariffName: (await h.tariffs.get(p.tariffId))?.name ?? null,
      intervalS: p.intervalS, guestCharging: p.guestCharging, roamingAllowed: p.roamingAllowed, enrollmentMethods: p.enrollmentMethods,
    }))),
  }));
  operatorRoutes(api, h, soon, log);
  amiRoutes(api, h);
  hubRoutes(api, h, { pullEveryS: UTILITY_DEFAULTS.pullEveryS, onSessionAccepted: soon, log });
  customerRoutes(api, h);
  clearinghouseRoutes(api, h);

  const server = Bun.serve({ port: opts.port, hostname: opts.host ?? "127.0.0.1", fetch: app.fetch });
  const timer = opts.clearinghouseUrl ? setInterval(flushInBackground, UTILITY_DEFAULTS.roamingFlushMs) : null;
  // Month partitions stay a year ahead (PostgreSQL); a failure is retried the next day, intake uses the DEFAULT one.
  const partitions = setInterval(() => void ensureMonthPartitions(h.db, h.clock.now()).catch(() => undefined), 86_400_000);
  partitions.unref();
  const port = server.port!;
  const url = `http://127.0.0.1:${port}`;
  function document(): Record<string, unknown> {
    return openApiDocument({
      title: `Offpeak utility head-end (${h.utilityId})`, version: "1.0.0",
      description: "The utility head-end: enrollment and operations (operator), the hubs' signed sync API, the S4 customer API and the clearinghouse's CDR push. Conventions (money, prices, times, periods): docs/utility.md.",
      servers: [{ url, description: "This head-end" }],
      routes: api.routes,
      tags: [
        { name: "public", description: "No credentials" }, { name: "operator", description: "The utility's operators (enrollment, review, bills)" },
        { name: "ami", description: "The utility's metering head-end" }, { name: "hub", description: "Paired hubs, every request signed" },
        { name: "customer", description: "The S4 customer information API" }, { name: "clearinghouse", description: "CDR pushes from the roaming clearinghouse" },
      ],
    });
  }
  log.info("listening", { url, utilityId: h.utilityId });
  return {
    url, port, utilityId: h.utilityId, publicKeyPem: h.key.publicKeyPem, keyId: h.key.keyId,
    db: h.db, headEnd: h, operatorToken: opts.operatorToken, flushRoaming, openApi: document, mountedRoutes: () => mountedRoutes(app),
    inFlight: () => inFlight,
    async close(o: { drainMs?: number } = {}) {
      if (timer) clearInterval(timer);
      clearInterval(partitions);
      // No new connections; the requests already in are answered (a receipt still means "stored") before the store closes.
      // Bun's stop(false) resolves once the open requests' answers are written; past the deadline, connections are cut.
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        server.stop(false),
        new Promise<void>((resolve) => { deadline = setTimeout(resolve, o.drainMs ?? 10_000); }),
      ]);
      clearTimeout(deadline);
      await server.stop(true);
      await background;
      await h.roaming.idle();
      await h.close();
    },
  };
}
