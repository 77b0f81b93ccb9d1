// The read APIs the dashboard pages need, plus the owner's two charging choices (charge mode, fallback preference).
// Everything here sits behind the access guard; state changes carry the CSRF header.
import { Hono } from "hono";
import { badRequest } from "../../../cloud-sync/protocol/index.ts";
import type { ChargeModeAnswer, DrOptOutAnswer, FallbackAnswer } from "../../../core/index.ts";
import { queryInt } from "../query.ts";
import { readObject } from "./json-object.ts";
import type { Clock } from "../../../core/time/index.ts";
import {
  CHARGE_PLAN_KEY, type ChargePlanSetting, type DashboardContext, devicesView, localMonth, nowView, programView,
  sessionsView, settingsView, usageView,
} from "./dashboard-views.ts";
import { sessionsCsv } from "./sessions-csv.ts";
import { DEFAULT_ENERGY_NEEDED_KWH, optOutOfDemandResponse, setChargePlan } from "../../hub/owner-requests.ts";
import { localDateAt } from "../../../core/tariff/index.ts";

export function readApi(ctx: DashboardContext, clock: Clock, guestView: () => boolean): Hono {
  const app = new Hono();
  const owner = { hub: ctx.hub, store: ctx.store, clock, timeZone: ctx.timeZone };

  app.get("/api/v1/dashboard/now", (c) => c.json(nowView(ctx, clock.now())));
  app.get("/api/v1/dashboard/sessions", (c) => {
    return c.json(sessionsView(ctx, queryInt(c, "limit", 1, 500, 50), queryInt(c, "before", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)));
  });
  app.get("/api/v1/sessions.csv", (c) => {
    const csv = sessionsCsv(sessionsView(ctx, 500, Number.MAX_SAFE_INTEGER).sessions, ctx.timeZone);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="offpeak-sessions-${localDateAt(ctx.timeZone, clock.now())}.csv"`);
    c.header("Cache-Control", "no-store");
    return c.body(csv);
  });
  app.get("/api/v1/dashboard/usage", (c) => {
    return c.json(usageView(ctx, c.req.query("month") ?? localMonth(ctx.timeZone, clock.now()), clock.now()));
  });
  app.get("/api/v1/dashboard/program", (c) => c.json(programView(ctx, clock.now(), guestView())));
  app.get("/api/v1/dashboard/devices", (c) => {
    const v = devicesView(ctx);
    // A tag is what the charger accepts as the vehicle: the guest view sees that tags exist, not what they are.
    if (c.get("login")?.role !== "owner") v.vehicleTags = v.vehicleTags.map((t) => ({ ...t, tag: `${t.tag.slice(0, 4)}…` }));
    return c.json(v);
  });
  app.get("/api/v1/dashboard/settings", (c) => c.json(settingsView(ctx, guestView())));

  app.post("/api/v1/dashboard/charge-mode", async (c) => {
    const b = await readObject(c);
    // The dashboard sends the whole plan at once; charge now forgets the departure (the page asks again next time).
    if (b.mode !== "charge-now" && b.mode !== "cheapest-hours") throw badRequest(`mode must be "charge-now" or "cheapest-hours", got ${JSON.stringify(b.mode)}`, "mode");
    if (b.mode === "cheapest-hours" && typeof b.departAt !== "string") throw badRequest("departAt (a local time like 07:30) is needed for cheapest hours", "departAt");
    const plan = await setChargePlan(owner, { mode: b.mode, departAt: b.mode === "cheapest-hours" ? b.departAt : undefined, energyKWh: b.mode === "cheapest-hours" ? (b.energyKWh ?? DEFAULT_ENERGY_NEEDED_KWH) : undefined }, "dashboard");
    const departAt = b.mode === "cheapest-hours" ? plan.departAt : null;
    if (departAt === null) ctx.store.setSetting(CHARGE_PLAN_KEY, { mode: plan.mode, departAt, energyKWh: plan.energyKWh ?? null } satisfies ChargePlanSetting, clock.now());
    return c.json({ ok: true, mode: b.mode, departAt, planAllowsNow: plan.planAllowsNow } satisfies ChargeModeAnswer);
  });

  // The customer opts out of the utility's demand-response event (the hub records it and reports it back).
  app.post("/api/v1/dashboard/dr/opt-out", async (c) => {
    const b = await readObject(c);
    const r = await optOutOfDemandResponse(owner, b.id, "dashboard");
    return c.json({ ok: true, id: r.id, optedOut: r.optedOut } satisfies DrOptOutAnswer);
  });

  app.post("/api/v1/dashboard/fallback", async (c) => {
    const b = await readObject(c);
    if (b.preference !== "charge-now" && b.preference !== "wait-off-peak") throw badRequest(`preference must be "charge-now" or "wait-off-peak", got ${JSON.stringify(b.preference)}`, "preference");
    await ctx.hub.dispatch({ type: "config", fallbackPreference: b.preference });
    return c.json({ ok: true, preference: b.preference } satisfies FallbackAnswer);
  });
  return app;
}
