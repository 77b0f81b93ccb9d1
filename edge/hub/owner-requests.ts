// What the owner may ask of the hub, from the dashboard or over MQTT — one code path for both, so both follow the same
// rules: the charge mode (charge now / cheapest hours), the departure time and the energy needed for cheapest hours,
// and opting out of a demand-response event. Each request is validated (a clear error naming the field), recorded as a
// session event naming where it came from, then applied. None of these can release the comm-wait hold or a utility's
// demand response without opt-out: they only change the customer's preference, which the arbiter ranks below both.
import { localDateAt, localMidnightUtc } from "../../core/tariff/index.ts";
import type { Clock, UtcSeconds } from "../../core/time/index.ts";
import type { ChargeMode, OwnerRequestSource } from "../engine/types.ts";
import type { HubStore } from "../store/hub-store.ts";
import type { Hub } from "./hub.ts";

/** A request the hub will not carry out; `path` names the field, `refused` = valid but against the rules (HTTP 409). */
export class OwnerRequestError extends Error {
  constructor(message: string, readonly path: string, readonly refused = false) { super(message); }
}

export interface OwnerRequestContext { hub: Hub; store: HubStore; clock: Clock; timeZone: string }

export const CHARGE_PLAN_KEY = "dashboard.chargePlan";
/** The owner's charge plan as they entered it: departure as local "HH:MM", energy needed in kWh. */
export interface ChargePlanSetting { mode: ChargeMode; departAt: string | null; energyKWh?: number | null }

/** What "cheapest hours" plans for when the owner does not say how much energy the car needs: a typical day's driving. */
export const DEFAULT_ENERGY_NEEDED_KWH = 20;
export const MAX_ENERGY_NEEDED_KWH = 200;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" local → the next such moment after `now` in the zone (today or tomorrow). */
export function nextLocalTime(tz: string, hhmm: string, now: number): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new OwnerRequestError(`departAt must be a local time like 07:30, got ${JSON.stringify(hhmm)}`, "departAt");
  const [y, mo, d] = localDateAt(tz, now).split("-").map(Number) as [number, number, number];
  for (let add = 0; add < 3; add++) {
    const day = new Date(Date.UTC(y, mo - 1, d + add));
    const t = localMidnightUtc(tz, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()) + Number(m[1]) * 3600 + Number(m[2]) * 60;
    if (t > now) return t;
  }
  throw new OwnerRequestError("departAt could not be placed in the next days", "departAt");
}

/** A change to the charge plan; absent fields keep what the owner set before (MQTT sends one field at a time). */
export interface ChargePlanRequest { mode?: unknown; departAt?: unknown; energyKWh?: unknown }

function parseMode(v: unknown): ChargeMode {
  if (v === "charge-now" || v === "cheapest-hours") return v;
  throw new OwnerRequestError(`mode must be "charge-now" or "cheapest-hours", got ${JSON.stringify(v)}`, "mode");
}

function parseEnergy(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0.1 || n > MAX_ENERGY_NEEDED_KWH) {
    throw new OwnerRequestError(`energyKWh must be a number of kWh from 0.1 to ${MAX_ENERGY_NEEDED_KWH}, got ${JSON.stringify(v)}`, "energyKWh");
  }
  return Math.round(n * 10) / 10;
}

/** The plan in force: the engine's mode (the scheduler ends a plan at departure) with the owner's last inputs. */
export function chargePlan(ctx: Pick<OwnerRequestContext, "hub" | "store">): ChargePlanSetting & { energyKWh: number } {
  const saved = ctx.store.getSetting<ChargePlanSetting>(CHARGE_PLAN_KEY);
  return { mode: ctx.hub.snapshot().chargeMode, departAt: saved?.departAt ?? null, energyKWh: saved?.energyKWh ?? DEFAULT_ENERGY_NEEDED_KWH };
}

/**
 * Validates and applies a charge-plan change. Cheapest hours needs a departure time; the energy needed defaults to
 * DEFAULT_ENERGY_NEEDED_KWH. A departure or energy change while cheapest hours is in force re-plans at once.
 */
export async function setChargePlan(ctx: OwnerRequestContext, req: ChargePlanRequest, source: OwnerRequestSource): Promise<ChargePlanSetting & { planAllowsNow: boolean }> {
  const before = chargePlan(ctx);
  const mode = req.mode === undefined ? before.mode : parseMode(req.mode);
  let departAt = before.departAt;
  if (req.departAt !== undefined && req.departAt !== null && req.departAt !== "") {
    if (typeof req.departAt !== "string" || !HHMM.test(req.departAt)) throw new OwnerRequestError(`departAt must be a local time like 07:30, got ${JSON.stringify(req.departAt)}`, "departAt");
    departAt = req.departAt;
  }
  const energyKWh = req.energyKWh === undefined || req.energyKWh === null || req.energyKWh === "" ? before.energyKWh : parseEnergy(req.energyKWh);
  if (mode === "cheapest-hours" && departAt === null) throw new OwnerRequestError("departAt (a local time like 07:30) is needed for cheapest hours", "departAt");
  const depart = mode === "cheapest-hours" ? nextLocalTime(ctx.timeZone, departAt!, ctx.clock.now()) as UtcSeconds : null;
  const what = mode === "cheapest-hours" ? `charge in the cheapest hours before ${departAt} for ${energyKWh} kWh` : `charge now${departAt ? ` (departure ${departAt}, ${energyKWh} kWh kept for later)` : ""}`;
  await ctx.hub.dispatch({ type: "owner.request", source, request: what });
  // Re-plan only when something the plan depends on changed: a bare departure edit in charge-now mode is just stored.
  if (mode === "cheapest-hours") await ctx.hub.setChargePreference({ mode, departAt: depart!, energyNeededWh: Math.round(energyKWh * 1000) });
  else if (req.mode !== undefined) await ctx.hub.setChargePreference({ mode: "charge-now" });
  const saved: ChargePlanSetting = { mode, departAt, energyKWh };
  ctx.store.setSetting(CHARGE_PLAN_KEY, saved, ctx.clock.now());
  return { ...saved, planAllowsNow: ctx.hub.snapshot().planAllowsNow };
}

/** The customer opts out of the utility's demand-response event in force, when its program allows that. */
export async function optOutOfDemandResponse(ctx: Pick<OwnerRequestContext, "hub">, id: unknown, source: OwnerRequestSource): Promise<{ id: string; optedOut: boolean }> {
  const dr = ctx.hub.snapshot().dr;
  if (typeof id !== "string" || !dr || dr.id !== id) throw new OwnerRequestError(`no demand-response event ${JSON.stringify(id)} is in force`, "id");
  if (!dr.optOutAllowed) throw new OwnerRequestError(`the program does not allow opting out of event ${dr.id}`, "id", true);
  await ctx.hub.dispatch({ type: "owner.request", source, request: `opt out of demand-response event ${dr.id}` });
  await ctx.hub.dispatch({ type: "dr.opt-out", id: dr.id });
  return { id: dr.id, optedOut: ctx.hub.snapshot().dr?.optedOut ?? true };
}
