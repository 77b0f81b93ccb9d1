// /api/v1/auth/*: first-run setup with the one-time code, login (rate-limited per client), logout, password change
// and the guest-view switch. The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot
// send it), Path=/; the CSRF token travels in the JSON body of /auth/state and comes back in a header.
import type { Context, Hono } from "hono";
import { getConnInfo } from "hono/bun";
import { deleteCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE } from "./access-guard.ts";
import type { LoginRateLimit } from "./login-rate-limit.ts";
import { AuthError, MIN_PASSWORD_LENGTH, type LoginSession, type OwnerAuth } from "./owner-auth.ts";

/** What the page needs to decide between setup, login and the dashboard. */
export interface AuthStateView {
  setupNeeded: boolean;
  loggedIn: boolean;
  role: "owner" | "guest" | null;
  csrf: string | null;
  guestView: boolean;
  minPasswordLength: number;
}

function clientAddress(c: Context): string {
  try { return getConnInfo(c).remote.address ?? "unknown"; } catch { return "unknown"; }
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try { body = await c.req.json(); } catch { throw new AuthError("the body is not valid JSON", "body", 400); }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AuthError("the body must be a JSON object", "body", 400);
  return body as Record<string, unknown>;
}

function startSession(c: Context, token: string, s: LoginSession): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: "Strict", path: "/", maxAge: Math.floor((s.expiresMs - Date.now()) / 1000),
    secure: new URL(c.req.url).protocol === "https:",
  });
}

export function mountAuthRoutes(app: Hono, auth: OwnerAuth, limit: LoginRateLimit): void {
  const fail = (c: Context, e: unknown) => {
    if (e instanceof AuthError) return c.json({ error: e.message, path: e.path }, e.status);
    throw e;
  };
  const limited = (c: Context): Response | null => {
    const wait = limit.take(clientAddress(c));
    if (wait === null) return null;
    c.header("Retry-After", String(wait));
    return c.json({ error: `too many login attempts from this device; try again in ${wait} s`, path: "client" }, 429);
  };

  app.get("/api/v1/auth/state", (c) => {
    const s = c.get("login");
    c.header("Cache-Control", "no-store");
    return c.json({
      setupNeeded: !auth.passwordSet(), loggedIn: s !== null && s.role === "owner", role: s?.role ?? null,
      csrf: s && s.role === "owner" ? s.csrf : null, guestView: auth.guestView(), minPasswordLength: MIN_PASSWORD_LENGTH,
    } satisfies AuthStateView);
  });

  app.post("/api/v1/auth/setup", async (c) => {
    const tooMany = limited(c);
    if (tooMany) return tooMany;
    try {
      const b = await jsonBody(c);
      const { token, session } = await auth.setup(b.code, b.password);
      limit.reset(clientAddress(c));
      startSession(c, token, session);
      return c.json({ ok: true, csrf: session.csrf });
    } catch (e) { return fail(c, e); }
  });

  app.post("/api/v1/auth/login", async (c) => {
    const tooMany = limited(c);
    if (tooMany) return tooMany;
    try {
      const b = await jsonBody(c);
      const { token, session } = await auth.login(b.password);
      limit.reset(clientAddress(c));
      startSession(c, token, session);
      return c.json({ ok: true, csrf: session.csrf });
    } catch (e) { return fail(c, e); }
  });

  app.post("/api/v1/auth/logout", (c) => {
    auth.logout(c.get("loginToken"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });

  app.post("/api/v1/auth/password", async (c) => {
    try {
      const b = await jsonBody(c);
      await auth.changePassword(b.current, b.next, c.get("loginToken") ?? "");
      return c.json({ ok: true });
    } catch (e) { return fail(c, e); }
  });

  app.post("/api/v1/auth/guest-view", async (c) => {
    try {
      const b = await jsonBody(c);
      if (typeof b.enabled !== "boolean") throw new AuthError("enabled must be true or false", "enabled", 400);
      auth.setGuestView(b.enabled);
      return c.json({ ok: true, guestView: b.enabled });
    } catch (e) { return fail(c, e); }
  });
}
