// /api/v1/auth/*: first-run setup with the one-time code, login (rate-limited per client), logout, password change
// and the guest-view switch. The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot
// send it), Path=/; the CSRF token travels in the JSON body of /auth/state and comes back in a header.
import { Hono, type Context } from "hono";
import { ApiError, badRequest } from "../../../cloud-sync/protocol/index.ts";
import { readObject } from "./json-object.ts";
import { getConnInfo } from "hono/bun";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AuthStateView, LoginAnswer } from "../../../core/index.ts";
import { SESSION_COOKIE } from "./access-guard.ts";
import type { LoginRateLimit } from "./login-rate-limit.ts";
import { MIN_PASSWORD_LENGTH, type LoginSession, type OwnerAuth } from "./owner-auth.ts";

function clientAddress(c: Context): string {
  try { return getConnInfo(c).remote.address ?? "unknown"; } catch { return "unknown"; }
}

function startSession(c: Context, token: string, s: LoginSession): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: "Strict", path: "/", maxAge: Math.floor((s.expiresMs - Date.now()) / 1000),
    secure: new URL(c.req.url).protocol === "https:",
  });
}

/**
 * Password guesses are limited twice: per client address (a phone that mistypes waits a minute) and across all
 * clients (many addresses on one LAN, or spoofed ones, share one budget), on setup, login and password change.
 */
export function authRoutes(auth: OwnerAuth, limits: { perClient: LoginRateLimit; allClients: LoginRateLimit }): Hono {
  const app = new Hono();
  const limited = (c: Context, what: string): void => {
    const client = clientAddress(c);
    const wait = limits.perClient.take(client) ?? limits.allClients.take("*");
    if (wait === null) return;
    c.header("Retry-After", String(wait));
    throw new ApiError("too-many-requests", `too many ${what} attempts; try again in ${wait} s`, "client", { retryAfterS: wait });
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
    limited(c, "setup");
    const b = await readObject(c);
    const { token, session } = await auth.setup(b.code, b.password);
    limits.perClient.reset(clientAddress(c));
    startSession(c, token, session);
    return c.json({ ok: true, csrf: session.csrf } satisfies LoginAnswer);
  });

  app.post("/api/v1/auth/login", async (c) => {
    limited(c, "login");
    const b = await readObject(c);
    const { token, session } = await auth.login(b.password);
    limits.perClient.reset(clientAddress(c));
    startSession(c, token, session);
    return c.json({ ok: true, csrf: session.csrf } satisfies LoginAnswer);
  });

  app.post("/api/v1/auth/logout", (c) => {
    auth.logout(c.get("loginToken"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });

  app.post("/api/v1/auth/password", async (c) => {
    limited(c, "password change");
    const b = await readObject(c);
    await auth.changePassword(b.current, b.next, c.get("loginToken") ?? "");
    return c.json({ ok: true });
  });

  app.post("/api/v1/auth/guest-view", async (c) => {
    const b = await readObject(c);
    if (typeof b.enabled !== "boolean") throw badRequest("enabled must be true or false", "enabled");
    auth.setGuestView(b.enabled);
    return c.json({ ok: true, guestView: b.enabled });
  });
  return app;
}
