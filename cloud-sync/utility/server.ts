// `startUtility`: the head-end as an HTTP service (Hono on Bun.serve, loopback only), with a background loop
// that sends queued CDRs and roaming tokens to the clearinghouse.
import type { Database } from "bun:sqlite";
import { Hono, type Context, type Next } from "hono";
import { sameSecret } from "../protocol/index.ts";
import { createHeadEnd, type HeadEnd } from "./head-end.ts";
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
  db: Database;
  /** The services behind the HTTP API, for in-process use (seeding, tests, benchmarks). */
  headEnd: HeadEnd;
  operatorToken: string;
  /** Sends pending CDRs and roaming tokens to the clearinghouse now. */
  flushRoaming(): Promise<{ tokens: number; cdrs: number }>;
  close(): Promise<void>;
}

export const UTILITY_DEFAULTS = { pullEveryS: 900, roamingFlushMs: 5000 } as const;

export async function startUtility(opts: UtilityOptions): Promise<RunningUtility> {
  if (!opts.operatorToken || opts.operatorToken.length < 8) throw new Error("startUtility: operatorToken must be at least 8 characters");
  const h = createHeadEnd(opts);
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
  app.onError(apiErrorHandler({ service: "utility", translate: translateUtilityError }));
  app.notFound(apiNotFound);

  app.get("/healthz", (c) => c.json({ ok: true, service: "offpeak-utility", utilityId: h.utilityId, keyId: h.key.keyId, publicKey: h.key.publicKeyBase64 }));
  app.get("/openapi.json", (c) => c.json(openApiDocument(h.utilityId)));
  // FR-01/FR-02: the programs and how to enroll are public.
  app.get("/v1/programs", (c) => c.json({
    utilityId: h.utilityId,
    programs: h.enrollment.programs(true).map((p) => ({
      id: p.id, name: p.name, description: p.description, tariffId: p.tariffId, tariffName: h.tariffs.get(p.tariffId)?.name ?? null,
      intervalS: p.intervalS, guestCharging: p.guestCharging, roamingAllowed: p.roamingAllowed, enrollmentMethods: p.enrollmentMethods,
    })),
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
  const port = server.port!;
  return {
    url: `http://127.0.0.1:${port}`, port, utilityId: h.utilityId, publicKeyPem: h.key.publicKeyPem, keyId: h.key.keyId,
    db: h.db, headEnd: h, operatorToken: opts.operatorToken, flushRoaming,
    async close() {
      if (timer) clearInterval(timer);
      await server.stop(true);
      await background;
      await h.roaming.idle();
      h.close();
    },
  };
}
