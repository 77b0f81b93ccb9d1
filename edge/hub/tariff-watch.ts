// Keeps the engine told about prices: whether the premises tariff is in its cheapest hours (for "wait for off-peak"
// fallback) and, for "charge in the cheapest hours", whether the current slot is one the planner chose.
// Pure helpers here; the hub calls them once a minute and dispatches only changes.
import { nextCheaperStart, planCharging, priceAt, type ChargePlan, type PriceAt, type Tariff } from "../../core/tariff/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { Wh } from "../../core/units/index.ts";

/** Off-peak = no cheaper price anywhere in the next 24 hours. */
export function isOffPeak(tariff: Tariff, now: UtcSeconds): boolean {
  const next = nextCheaperStart(tariff, now);
  return next === null || next.since >= now + 86_400;
}

export interface PriceView { current: PriceAt; nextCheaper: PriceAt | null; offPeak: boolean }

export function priceView(tariff: Tariff, now: UtcSeconds): PriceView {
  return { current: priceAt(tariff, now), nextCheaper: nextCheaperStart(tariff, now), offPeak: isOffPeak(tariff, now) };
}

export interface CheapestHoursRequest { departAt: UtcSeconds; energyNeededWh: number }

/** The plan for "charge in the cheapest hours", and whether it allows charging in the slot containing `now`. */
export function cheapestHours(tariff: Tariff, req: CheapestHoursRequest, now: UtcSeconds, maxPowerW: number): { plan: ChargePlan; allowsNow: boolean } {
  const plan = planCharging({ pluggedAt: now, departAt: req.departAt, energyNeededWh: req.energyNeededWh as Wh, maxPowerW, minPowerW: Math.min(maxPowerW, 6 * 240), tariff });
  const allowsNow = plan.slots.some((s) => s.start <= now && now < s.end);
  return { plan, allowsNow };
}
