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
import { localDateAt } from "../../../core/tariff/index.ts";

/** "HH:MM" local → the next such moment after `now` in the zone (today or tomorrow). */
export function nextLocalTime(tz: string, hhmm: string, now: number): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new BadInput(`departAt must be a local time like 07:30, got ${JSON.stringify(hhmm)}`, "departAt");
  const [y, mo, d] = localDateAt(tz, now).split("-").map(Number) as [number, number, number];
  for (let add = 0; add < 3; add++) {
    const day = new Date(Date.UTC(y, mo - 1, d + add));
    const t = localMidnightUtc(tz, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()) + Number(m[1]) * 3600 + Number(m[2]) * 60;
    if (t > now) return t;
  }
  throw new BadInput("departAt could not be placed in the next days", "departAt");
}

/** Cheapest hours, simply: charge now unless a cheaper period starts before departure. */
async function body(c: Context): Promise<Record<string, unknown>> {
  let b: unknown;
  try { b = await c.req.json(); } catch { throw new BadInput("the body is not valid JSON", "body"); }
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw new BadInput("the body must be a JSON object", "body");
  return b as Record<string, unknown>;
}

/** What "cheapest hours" plans for when the owner does not say how much energy the car needs: a typical day's driving. */
export const DEFAULT_ENERGY_NEEDED_KWH = 20;

export function mountReadApi(app: Hono, ctx: DashboardContext, clock: Clock, guestView: () => boolean): void {
  const bad = (c: Context, e: unknown) => {
    if (e instanceof BadInput) return c.json({ error: e.message, path: e.path }, 400);
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
      if (b.mode !== "charge-now" && b.mode !== "cheapest-hours") throw new BadInput(`mode must be "charge-now" or "cheapest-hours", got ${JSON.stringify(b.mode)}`, "mode");
      let departAt: string | null = null;
      if (b.mode === "cheapest-hours") {
        if (typeof b.departAt !== "string") throw new BadInput("departAt (a local time like 07:30) is needed for cheapest hours", "departAt");
        const energyKWh = b.energyKWh === undefined || b.energyKWh === "" ? DEFAULT_ENERGY_NEEDED_KWH : Number(b.energyKWh);
        if (!Number.isFinite(energyKWh) || energyKWh <= 0 || energyKWh > 200) throw new BadInput(`energyKWh must be a number of kWh from 0.1 to 200, got ${JSON.stringify(b.energyKWh)}`, "energyKWh");
        const depart = nextLocalTime(ctx.timeZone, b.departAt, clock.now()) as UtcSeconds;
        departAt = b.departAt;
        await ctx.hub.setChargePreference({ mode: "cheapest-hours", departAt: depart, energyNeededWh: Math.round(energyKWh * 1000) });
      } else {
        await ctx.hub.setChargePreference({ mode: "charge-now" });
      }
      ctx.store.setSetting(CHARGE_PLAN_KEY, { mode: b.mode, departAt } satisfies ChargePlanSetting, clock.now());
      const allows = ctx.hub.snapshot().planAllowsNow;
      return c.json({ ok: true, mode: b.mode, departAt, planAllowsNow: allows });
    } catch (e) { return bad(c, e); }
  });

  // The customer opts out of the utility's demand-response event (the hub records it and reports it back).
  app.post("/api/v1/dashboard/dr/opt-out", async (c) => {
    try {
      const b = await body(c);
      const dr = ctx.hub.snapshot().dr;
      if (typeof b.id !== "string" || !dr || dr.id !== b.id) throw new BadInput(`no demand-response event ${JSON.stringify(b.id)} is in force`, "id");
      if (!dr.optOutAllowed) return c.json({ error: `the program does not allow opting out of event ${dr.id}`, path: "id" }, 409);
      await ctx.hub.dispatch({ type: "dr.opt-out", id: dr.id });
      return c.json({ ok: true, id: dr.id, optedOut: ctx.hub.snapshot().dr?.optedOut ?? true });
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
