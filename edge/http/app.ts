// The hub's HTTP face: Hono routes for health, status, sessions and the OpenAPI document.
// The dashboard, login and live events mount on the same app (see ui/ and edge/http/dashboard).
import { Hono, type MiddlewareHandler } from "hono";
import type { Clock } from "../../core/time/index.ts";
import type { Hub } from "../hub/hub.ts";
import type { HubStore } from "../store/hub-store.ts";
import { hubOpenApi } from "./openapi.ts";
import { sessionDetailView, sessionRowView, statusView } from "./status.ts";

export interface HubAppDeps {
  hub: Hub; store: HubStore; clock: Clock; startedAtMs: number;
  /** Runs before every route except /healthz: the dashboard's login, CSRF and secure headers (edge/http/dashboard). */
  guard?: MiddlewareHandler;
}

function intParam(raw: string | undefined, name: string, min: number, max: number, dflt: number): number | { error: string; path: string } {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return { error: `query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`, path: name };
  return n;
}

export function createHubApi(deps: HubAppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true, uptimeS: Math.floor((Date.now() - deps.startedAtMs) / 1000) }));
  if (deps.guard) app.use("*", deps.guard);
  app.get("/openapi.json", (c) => c.json(hubOpenApi));
  app.get("/api/v1/status", (c) => c.json(statusView(deps.hub, deps.clock.now())));
  app.get("/api/v1/sessions", (c) => {
    const limit = intParam(c.req.query("limit"), "limit", 1, 500, 50);
    const before = intParam(c.req.query("before"), "before", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (typeof limit !== "number") return c.json(limit, 400);
    if (typeof before !== "number") return c.json(before, 400);
    return c.json({ sessions: deps.store.listSessions(limit, before).map(sessionRowView) });
  });
  app.get("/api/v1/sessions/:id", (c) => {
    const d = deps.store.getSession(c.req.param("id"));
    if (!d) return c.json({ error: `no session ${JSON.stringify(c.req.param("id"))}`, path: "id" }, 404);
    return c.json(sessionDetailView(d));
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((e, c) => {
    console.error(`hub http: ${c.req.method} ${c.req.url}: ${e.stack ?? e}`);
    return c.json({ error: "internal error; see the hub log" }, 500);
  });
  return app;
}
