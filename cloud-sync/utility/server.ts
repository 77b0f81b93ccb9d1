// `startUtility`: the head-end as an HTTP service (Hono on Bun.serve, loopback only), with a background loop
// that sends queued CDRs and roaming tokens to the clearinghouse.
import type { SqlStore } from "../../core/storage/index.ts";
import { Hono, type Context, type Next } from "hono";
import { sameSecret } from "../protocol/index.ts";
import { createHeadEnd, type HeadEnd } from "./head-end.ts";
import { ensureMonthPartitions } from "./db/partitions.ts";
import { clearinghouseRoutes } from "./http/clearinghouse-routes.ts";
import { customerRoutes } from "./http/customer-routes.ts";
import { translateUtilityError } from "./errors.ts";
import { ApiError, apiErrorHandler, apiNotFound } from "../protocol/index.ts";
import { hubRoutes } from "./http/hub-routes.ts";
import { openApiDocument } from "./http/openapi.ts";
import { amiRoutes, operatorRoutes } from "./http/operator-routes.ts";
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
  /** Sends pending CDRs and roaming tokens to the clearinghouse now. */
  flushRoaming(): Promise<{ tokens: number; cdrs: number }>;
  /** Requests being answered now (graceful shutdown waits for them). */
  inFlight(): number;
  /**
   * Graceful shutdown: stops accepting connections, lets the requests in flight finish (intake committed and answered)
   * for up to `drainMs` (default 10 s), then closes what is left, flushes nonces and closes the database.
   */
  close(o?: { drainMs?: number }): Promise<void>;
}

export const UTILITY_DEFAULTS = { pullEveryS: 900, roamingFlushMs: 5000 } as const;

export async function startUtility(opts: UtilityOptions): Promise<RunningUtility> {
  if (!opts.operatorToken || opts.operatorToken.length < 8) throw new Error("startUtility: operatorToken must be at least 8 characters");
  const h = await createHeadEnd(opts);
  // "Now" means a pass that starts after the call (RoamingSync runs one at a time), never a pass already under way:
  // that one may have read the pending rows before the caller's change.
  const flushRoaming = () => h.roaming.flush();
  // Background triggers (a change, an accepted session, the timer) coalesce: while a pass runs, any number of them
  // ask for one more pass after it, which sees everything they changed.
  let background: Promise<void> | null = null;
  let again = false;
  const flushInBackground = () => {
    if (background) { again = true; return; }
    background = (async () => {
      do {
        again = false;
        await h.roaming.flush().catch(() => undefined); // failures stay pending and are retried by the timer
      } while (again);
    })().finally(() => { background = null; });
  };
  const soon = () => { if (opts.clearinghouseUrl) queueMicrotask(flushInBackground); };

  const app = new Hono();
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
  app.onError(apiErrorHandler({ service: "utility", translate: translateUtilityError }));
  app.notFound(apiNotFound);

  // The database answers, or the head-end is not healthy (503): a load balancer takes it out of rotation.
  app.get("/healthz", async (c) => {
    const database = await h.db.health();
    return c.json({ ok: database.ok, service: "offpeak-utility", utilityId: h.utilityId, keyId: h.key.keyId, publicKey: h.key.publicKeyBase64, database }, database.ok ? 200 : 503);
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument(h.utilityId)));
  // FR-01/FR-02: the programs and how to enroll are public.
  app.get("/v1/programs", async (c) => c.json({
    utilityId: h.utilityId,
    programs: await Promise.all((await h.enrollment.programs(true)).map(async (p) => ({
      id: p.id, name: p.name, description: p.description, tariffId: p.tariffId, tariffName: (await h.tariffs.get(p.tariffId))?.name ?? null,
      intervalS: p.intervalS, guestCharging: p.guestCharging, roamingAllowed: p.roamingAllowed, enrollmentMethods: p.enrollmentMethods,
    }))),
  }));

  const operatorAuth = async (c: Context, next: Next) => {
    const t = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!sameSecret(t, opts.operatorToken)) {
      throw new ApiError("unauthorized", "the operator bearer token is required", "headers.authorization");
    }
    await next();
  };
  app.use("/v1/operator/*", operatorAuth);
  app.use("/v1/ami/*", operatorAuth);
  app.route("/v1/operator", operatorRoutes(h, soon));
  app.route("/v1/ami", amiRoutes(h));
  app.route("/", hubRoutes(h, { pullEveryS: UTILITY_DEFAULTS.pullEveryS, onSessionAccepted: soon }));
  app.route("/v1/customer", customerRoutes(h));
  app.route("/v1/clearinghouse", clearinghouseRoutes(h, opts.clearinghouseToken));

  const server = Bun.serve({ port: opts.port, hostname: opts.host ?? "127.0.0.1", fetch: app.fetch });
  const timer = opts.clearinghouseUrl ? setInterval(flushInBackground, UTILITY_DEFAULTS.roamingFlushMs) : null;
  // Month partitions stay a year ahead (PostgreSQL); a failure is retried the next day, intake uses the DEFAULT one.
  const partitions = setInterval(() => void ensureMonthPartitions(h.db, h.clock.now()).catch(() => undefined), 86_400_000);
  partitions.unref();
  const port = server.port!;
  return {
    url: `http://127.0.0.1:${port}`, port, utilityId: h.utilityId, publicKeyPem: h.key.publicKeyPem, keyId: h.key.keyId,
    db: h.db, headEnd: h, operatorToken: opts.operatorToken, flushRoaming,
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
