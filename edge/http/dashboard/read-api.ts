// The read APIs the dashboard pages need, plus the owner's two charging choices (charge mode, fallback preference).
// Everything here sits behind the access guard; state changes carry the CSRF header.
import type { Context, Hono } from "hono";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { localMidnightUtc } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import {
  BadInput, CHARGE_PLAN_KEY, type ChargePlanSetting, type DashboardContext, devicesView, localMonth, nowView, programView,
  sessionsView, sessionTariff, settingsView, usageView,
} from "./dashboard-views.ts";
import { sessionsCsv } from "./sessions-csv.ts";
import { DEFAULT_ENERGY_NEEDED_KWH, optOutOfDemandResponse, OwnerRequestError, setChargePlan } from "../../hub/owner-requests.ts";
import { localDateAt } from "../../../core/tariff/index.ts";

// The charge plan and DR opt-out rules live in the hub (shared with MQTT); re-exported for existing importers.
export { DEFAULT_ENERGY_NEEDED_KWH, nextLocalTime } from "../../hub/owner-requests.ts";

/** Cheapest hours, simply: charge now unless a cheaper period starts before departure. */
async function body(c: Context): Promise<Record<string, unknown>> {
  let b: unknown;
  try { b = await c.req.json(); } catch { throw new BadInput("the body is not valid JSON", "body"); }
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw new BadInput("the body must be a JSON object", "body");
  return b as Record<string, unknown>;
}

export function mountReadApi(app: Hono, ctx: DashboardContext, clock: Clock, guestView: () => boolean): void {
  const owner = { hub: ctx.hub, store: ctx.store, clock, timeZone: ctx.timeZone };
  const bad = (c: Context, e: unknown) => {
    if (e instanceof BadInput) return c.json({ error: e.message, path: e.path }, 400);
    if (e instanceof OwnerRequestError) return c.json({ error: e.message, path: e.path }, e.refused ? 409 : 400);
    throw e;
  };
  const intQ = (c: Context, name: string, min: number, max: number, dflt: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new BadInput(`query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`, name);
    return n;
  };

  app.get("/api/v1/dashboard/now", (c) => c.json(nowView(ctx, clock.now())));
  app.get("/api/v1/dashboard/sessions", (c) => {
    try {
      return c.json({ timeZone: ctx.timeZone, sessions: sessionsView(ctx, intQ(c, "limit", 1, 500, 50), intQ(c, "before", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) });
    } catch (e) { return bad(c, e); }
  });
  app.get("/api/v1/sessions.csv", (c) => {
    const csv = sessionsCsv(sessionsView(ctx, 500, Number.MAX_SAFE_INTEGER), ctx.timeZone);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="offpeak-sessions-${localDateAt(ctx.timeZone, clock.now())}.csv"`);
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });
  app.get("/api/v1/dashboard/usage", (c) => {
    try { return c.json(usageView(ctx, c.req.query("month") ?? localMonth(ctx.timeZone, clock.now()), clock.now())); } catch (e) { return bad(c, e); }
  });
  app.get("/api/v1/dashboard/program", (c) => c.json(programView(ctx, clock.now(), guestView())));
  app.get("/api/v1/dashboard/devices", (c) => c.json(devicesView(ctx)));
  app.get("/api/v1/dashboard/settings", (c) => c.json(settingsView(ctx, guestView())));

  app.post("/api/v1/dashboard/charge-mode", async (c) => {
    try {
      const b = await body(c);
      // The dashboard sends the whole plan at once; charge now forgets the departure (the page asks again next time).
      if (b.mode !== "charge-now" && b.mode !== "cheapest-hours") throw new BadInput(`mode must be "charge-now" or "cheapest-hours", got ${JSON.stringify(b.mode)}`, "mode");
      if (b.mode === "cheapest-hours" && typeof b.departAt !== "string") throw new BadInput("departAt (a local time like 07:30) is needed for cheapest hours", "departAt");
      const plan = await setChargePlan(owner, { mode: b.mode, departAt: b.mode === "cheapest-hours" ? b.departAt : undefined, energyKWh: b.mode === "cheapest-hours" ? (b.energyKWh ?? DEFAULT_ENERGY_NEEDED_KWH) : undefined }, "dashboard");
      const departAt = b.mode === "cheapest-hours" ? plan.departAt : null;
      if (departAt === null) ctx.store.setSetting(CHARGE_PLAN_KEY, { mode: plan.mode, departAt, energyKWh: plan.energyKWh ?? null } satisfies ChargePlanSetting, clock.now());
      return c.json({ ok: true, mode: b.mode, departAt, planAllowsNow: plan.planAllowsNow });
    } catch (e) { return bad(c, e); }
  });

  // The customer opts out of the utility's demand-response event (the hub records it and reports it back).
  app.post("/api/v1/dashboard/dr/opt-out", async (c) => {
    try {
      const b = await body(c);
      const r = await optOutOfDemandResponse(owner, b.id, "dashboard");
      return c.json({ ok: true, id: r.id, optedOut: r.optedOut });
    } catch (e) { return bad(c, e); }
  });

  app.post("/api/v1/dashboard/fallback", async (c) => {
    try {
      const b = await body(c);
      if (b.preference !== "charge-now" && b.preference !== "wait-off-peak") throw new BadInput(`preference must be "charge-now" or "wait-off-peak", got ${JSON.stringify(b.preference)}`, "preference");
      await ctx.hub.dispatch({ type: "config", fallbackPreference: b.preference });
      return c.json({ ok: true, preference: b.preference });
    } catch (e) { return bad(c, e); }
  });
}
