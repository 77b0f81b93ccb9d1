// The read APIs the dashboard pages need, plus the owner's two charging choices (charge mode, fallback preference).
// Everything here sits behind the access guard; state changes carry the CSRF header.
import { Hono } from "hono";
import { badRequest, conflict } from "../../../cloud-sync/protocol/index.ts";
import { queryInt } from "../query.ts";
import { readObject } from "./json-object.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { localMidnightUtc } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import {
  CHARGE_PLAN_KEY, type ChargePlanSetting, type DashboardContext, devicesView, localMonth, nowView, programView,
  sessionsView, sessionTariff, settingsView, usageView,
} from "./dashboard-views.ts";
import { sessionsCsv } from "./sessions-csv.ts";
import { localDateAt } from "../../../core/tariff/index.ts";

/** "HH:MM" local → the next such moment after `now` in the zone (today or tomorrow). */
export function nextLocalTime(tz: string, hhmm: string, now: number): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw badRequest(`departAt must be a local time like 07:30, got ${JSON.stringify(hhmm)}`, "departAt");
  const [y, mo, d] = localDateAt(tz, now).split("-").map(Number) as [number, number, number];
  for (let add = 0; add < 3; add++) {
    const day = new Date(Date.UTC(y, mo - 1, d + add));
    const t = localMidnightUtc(tz, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()) + Number(m[1]) * 3600 + Number(m[2]) * 60;
    if (t > now) return t;
  }
  throw badRequest("departAt could not be placed in the next days", "departAt");
}

/** What "cheapest hours" plans for when the owner does not say how much energy the car needs: a typical day's driving. */
export const DEFAULT_ENERGY_NEEDED_KWH = 20;

export function readApi(ctx: DashboardContext, clock: Clock, guestView: () => boolean): Hono {
  const app = new Hono();

  app.get("/api/v1/dashboard/now", (c) => c.json(nowView(ctx, clock.now())));
  app.get("/api/v1/dashboard/sessions", (c) => {
    return c.json({ timeZone: ctx.timeZone, sessions: sessionsView(ctx, queryInt(c, "limit", 1, 500, 50), queryInt(c, "before", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) });
  });
  app.get("/api/v1/sessions.csv", (c) => {
    const csv = sessionsCsv(sessionsView(ctx, 500, Number.MAX_SAFE_INTEGER), ctx.timeZone);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="offpeak-sessions-${localDateAt(ctx.timeZone, clock.now())}.csv"`);
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });
  app.get("/api/v1/dashboard/usage", (c) => {
    return c.json(usageView(ctx, c.req.query("month") ?? localMonth(ctx.timeZone, clock.now()), clock.now()));
  });
  app.get("/api/v1/dashboard/program", (c) => c.json(programView(ctx, clock.now(), guestView())));
  app.get("/api/v1/dashboard/devices", (c) => c.json(devicesView(ctx)));
  app.get("/api/v1/dashboard/settings", (c) => c.json(settingsView(ctx, guestView())));

  app.post("/api/v1/dashboard/charge-mode", async (c) => {
    const b = await readObject(c);
    if (b.mode !== "charge-now" && b.mode !== "cheapest-hours") throw badRequest(`mode must be "charge-now" or "cheapest-hours", got ${JSON.stringify(b.mode)}`, "mode");
    let departAt: string | null = null;
    if (b.mode === "cheapest-hours") {
      if (typeof b.departAt !== "string") throw badRequest("departAt (a local time like 07:30) is needed for cheapest hours", "departAt");
      const energyKWh = b.energyKWh === undefined || b.energyKWh === "" ? DEFAULT_ENERGY_NEEDED_KWH : Number(b.energyKWh);
      if (!Number.isFinite(energyKWh) || energyKWh <= 0 || energyKWh > 200) throw badRequest(`energyKWh must be a number of kWh from 0.1 to 200, got ${JSON.stringify(b.energyKWh)}`, "energyKWh");
      const depart = nextLocalTime(ctx.timeZone, b.departAt, clock.now()) as UtcSeconds;
      departAt = b.departAt;
      await ctx.hub.setChargePreference({ mode: "cheapest-hours", departAt: depart, energyNeededWh: Math.round(energyKWh * 1000) });
    } else {
      await ctx.hub.setChargePreference({ mode: "charge-now" });
    }
    ctx.store.setSetting(CHARGE_PLAN_KEY, { mode: b.mode, departAt } satisfies ChargePlanSetting, clock.now());
    const allows = ctx.hub.snapshot().planAllowsNow;
    return c.json({ ok: true, mode: b.mode, departAt, planAllowsNow: allows });
  });

  // The customer opts out of the utility's demand-response event (the hub records it and reports it back).
  app.post("/api/v1/dashboard/dr/opt-out", async (c) => {
    const b = await readObject(c);
    const dr = ctx.hub.snapshot().dr;
    if (typeof b.id !== "string" || !dr || dr.id !== b.id) throw badRequest(`no demand-response event ${JSON.stringify(b.id)} is in force`, "id");
    if (!dr.optOutAllowed) throw conflict(`the program does not allow opting out of event ${dr.id}`, "id");
    await ctx.hub.dispatch({ type: "dr.opt-out", id: dr.id });
    return c.json({ ok: true, id: dr.id, optedOut: ctx.hub.snapshot().dr?.optedOut ?? true });
  });

  app.post("/api/v1/dashboard/fallback", async (c) => {
    const b = await readObject(c);
    if (b.preference !== "charge-now" && b.preference !== "wait-off-peak") throw badRequest(`preference must be "charge-now" or "wait-off-peak", got ${JSON.stringify(b.preference)}`, "preference");
    await ctx.hub.dispatch({ type: "config", fallbackPreference: b.preference });
    return c.json({ ok: true, preference: b.preference });
  });
  return app;
}
