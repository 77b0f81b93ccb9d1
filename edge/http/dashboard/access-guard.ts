// The one gate in front of the hub's HTTP API: the login cookie for every API call, and CSRF protection for every
// state-changing request (Origin check plus a per-session token header). Refusals are thrown as ApiError; the
// secure headers are set on every answer by the app itself (edge/http/secure-headers.ts).
// The static dashboard files are public (they hold no data); /healthz stays public (registered before this gate).
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { ApiError } from "../../../cloud-sync/protocol/index.ts";
import type { LoginSession, OwnerAuth } from "./owner-auth.ts";
import { sameSecret } from "./owner-auth.ts";

export const SESSION_COOKIE = "offpeak_session";
export const CSRF_HEADER = "x-csrf-token";

/** Routes reachable without a session: the login flow itself. */
const PUBLIC_API = new Set(["GET /api/v1/auth/state", "POST /api/v1/auth/setup", "POST /api/v1/auth/login", "POST /api/v1/auth/logout"]);

declare module "hono" {
  interface ContextVariableMap { login: LoginSession | null; loginToken: string | undefined }
}

const isSafe = (m: string) => m === "GET" || m === "HEAD" || m === "OPTIONS";
const isData = (path: string) => path.startsWith("/api/") || path === "/openapi.json";

/** A browser always sends Origin on a cross-site POST; it must be this hub's own origin. */
export function originProblem(c: Context): string | null {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  if (!origin) return null; // not a browser (curl, scripts): the token header below still applies
  const host = c.req.header("host");
  let o: URL;
  try { o = new URL(origin); } catch { return `the Origin header ${JSON.stringify(origin)} is not a URL`; }
  if (!host || o.host !== host) return `cross-origin request refused: Origin ${origin} is not this hub (${host ?? "no Host header"})`;
  return null;
}

export function accessGuard(auth: OwnerAuth): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    const token = getCookie(c, SESSION_COOKIE);
    const session = auth.session(token);
    c.set("login", session);
    c.set("loginToken", token);
    if (!isData(path)) {
      if (!isSafe(c.req.method)) throw new ApiError("not-found", `no route ${c.req.method} ${path}`);
      await next();
      return;
    }
    const key = `${c.req.method} ${path}`;
    if (!isSafe(c.req.method)) {
      const bad = originProblem(c);
      if (bad) throw new ApiError("forbidden", bad, "headers.origin");
      if (PUBLIC_API.has(key)) {
        // Only JSON bodies: an HTML form from another site cannot send one without a CORS preflight we never grant.
        if (key !== "POST /api/v1/auth/logout" && !(c.req.header("content-type") ?? "").startsWith("application/json")) {
          throw new ApiError("unsupported-media-type", "send the body as JSON (Content-Type: application/json)", "headers.content-type");
        }
        await next();
        return;
      }
      if (!session) throw new ApiError("unauthorized", "log in first: no valid session cookie", "cookie");
      if (session.role !== "owner") throw new ApiError("forbidden", "the guest view is read-only", "role");
      const sent = c.req.header(CSRF_HEADER);
      if (!sent || !sameSecret(sent, session.csrf)) throw new ApiError("forbidden", `missing or wrong ${CSRF_HEADER} header`, `headers.${CSRF_HEADER}`);
      await next();
      return;
    }
    if (PUBLIC_API.has(key) || session) { await next(); return; }
    if (auth.guestView()) {
      c.set("login", { role: "guest", csrf: "", expiresMs: 0 });
      await next();
      return;
    }
    throw new ApiError("unauthorized", "log in first: no valid session cookie", "cookie");
  };
}
