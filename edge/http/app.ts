// The hub's HTTP face: Hono routes for health, status, sessions and the OpenAPI document. Every answer carries the
// secure headers; every request must name this hub as its Host; every error is the protocol's ApiError body.
// The dashboard, login and live events mount on the same app as sub-apps (see edge/http/dashboard).
import { Hono, type MiddlewareHandler } from "hono";
import type { HealthView } from "../../core/index.ts";
import type { Clock } from "../../core/time/index.ts";
import { ApiError, apiErrorHandler, apiNotFound, notFound } from "../../cloud-sync/protocol/index.ts";
import { OwnerRequestError } from "../hub/owner-requests.ts";
import type { Hub } from "../hub/hub.ts";
import type { HubStore } from "../store/hub-store.ts";
import { hostCheck } from "./host-check.ts";
import { hubOpenApi } from "./openapi.ts";
import { queryInt } from "./query.ts";
import { hubSecureHeaders } from "./secure-headers.ts";
import { sessionDetailView, sessionListView, statusView } from "./status.ts";

export interface HubAppDeps {
  hub: Hub; store: HubStore; clock: Clock; startedAtMs: number;
  /** Every charge point's engine on a hub with several (a live list: one may be added while running). */
  hubs?: readonly Hub[];
  /** Runs before every route except /healthz: the dashboard's login and CSRF guard (edge/http/dashboard). */
  guard?: MiddlewareHandler;
  /** Host header values this hub answers to (see host-check.ts); absent = any (tests on loopback). */
  allowedHosts?: ReadonlySet<string>;
  log?: (line: string) => void;
}

/** The hub's domain errors as answers: an owner request the rules refuse is a 409, a malformed one a 400. */
function translateHubError(e: Error): ApiError | undefined {
  if (e instanceof OwnerRequestError) return new ApiError(e.refused ? "conflict" : "bad-request", e.message, e.path);
  return undefined;
}

export function createHubApi(deps: HubAppDeps): Hono {
  const app = new Hono();
  app.onError(apiErrorHandler({ service: "hub http", log: deps.log, translate: translateHubError }));
  app.notFound(apiNotFound);
  app.use("*", hubSecureHeaders);
  if (deps.allowedHosts) app.use("*", hostCheck(deps.allowedHosts));
  app.get("/healthz", (c) => c.json({ ok: true, uptimeS: Math.floor((Date.now() - deps.startedAtMs) / 1000) } satisfies HealthView));
  if (deps.guard) app.use("*", deps.guard);
  app.get("/openapi.json", (c) => c.json(hubOpenApi));
  app.get("/api/v1/status", (c) => c.json(statusView(deps.hub, deps.clock.now(), deps.hubs)));
  app.get("/api/v1/sessions", (c) => {
    const limit = queryInt(c, "limit", 1, 500, 50);
    const before = queryInt(c, "before", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return c.json(sessionListView(deps.store.listSessions(limit, before)));
  });
  app.get("/api/v1/sessions/:id", (c) => {
    const d = deps.store.getSession(c.req.param("id"));
    if (!d) throw notFound("session", c.req.param("id"), "id");
    return c.json(sessionDetailView(d));
  });
  return app;
}
