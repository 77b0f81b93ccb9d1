// The cheapest-hours charge planner: choose when to charge between plug-in and departure so the energy needed is
// delivered at least cost. Time is cut into slots aligned to UTC multiples of slotS, and further at every price
// change; each piece can take up to maxPowerW for its duration. Filling the cheapest pieces first (earlier first on
// equal prices) is optimal here, because every Wh of a piece costs the same and pieces are independent. That also
// guarantees the plan never costs more than charging at full power from plug-in (immediateCostNanoUsd).
import type { ChargePlan, PlanInput, PlannedSlot, PriceScheduleEntry } from "./types.ts";
import type { UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";
import { TariffError } from "./tariff-error.ts";
import { costNanoUsd } from "./money.ts";
import { DEFAULT_HOLIDAYS } from "./holidays.ts";
import { priceSpans } from "./price.ts";

interface Span { start: number; end: number; price: number }
interface Piece extends Span { cap: number }

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

function checkInput(p: PlanInput): void {
  if (!isInt(p.pluggedAt) || p.pluggedAt < 0) throw new TariffError("pluggedAt", `${p.pluggedAt} must be whole UTC seconds`);
  if (!isInt(p.departAt) || p.departAt <= p.pluggedAt) throw new TariffError("departAt", `${p.departAt} must be whole UTC seconds after pluggedAt`);
  if (!isInt(p.energyNeededWh) || p.energyNeededWh < 0) throw new TariffError("energyNeededWh", `${p.energyNeededWh} must be a whole, non-negative number of Wh`);
  if (!isInt(p.maxPowerW) || p.maxPowerW <= 0) throw new TariffError("maxPowerW", `${p.maxPowerW} must be a whole, positive number of W`);
  if (p.minPowerW !== undefined && (!isInt(p.minPowerW) || p.minPowerW < 0 || p.minPowerW > p.maxPowerW)) {
    throw new TariffError("minPowerW", `${p.minPowerW} must be whole W between 0 and maxPowerW`);
  }
  if (p.slotS !== undefined && (!isInt(p.slotS) || p.slotS < 60)) throw new TariffError("slotS", `${p.slotS} must be whole seconds, at least 60`);
  if (!p.tariff && !p.priceSchedule) throw new TariffError("tariff", "a tariff or a priceSchedule is needed to plan by price");
}

/** Prices over [from, to): the utility's schedule where it has one, the tariff elsewhere. */
function pricesOver(p: PlanInput, from: number, to: number): Span[] {
  const holidays = p.holidays ?? DEFAULT_HOLIDAYS;
  const fromTariff = (a: number, b: number): Span[] => {
    if (!p.tariff) throw new TariffError("priceSchedule", `no price for ${new Date(a * 1000).toISOString()}..${new Date(b * 1000).toISOString()} and no tariff to fall back on`);
    return priceSpans(p.tariff, a, b, holidays);
  };
  if (!p.priceSchedule) return fromTariff(from, to);
  const sched = p.priceSchedule.map((e: PriceScheduleEntry, i) => {
    if (!isInt(e.start) || !isInt(e.end) || e.end <= e.start) throw new TariffError(`priceSchedule[${i}].end`, "must be whole UTC seconds after start");
    if (!isInt(e.priceMicroUsdPerKWh) || e.priceMicroUsdPerKWh < 0) throw new TariffError(`priceSchedule[${i}].priceMicroUsdPerKWh`, `${e.priceMicroUsdPerKWh} must be whole, non-negative µ$/kWh`);
    return { start: e.start, end: e.end, price: e.priceMicroUsdPerKWh, i };
  }).sort((a, b) => a.start - b.start);
  for (let k = 1; k < sched.length; k++) {
    if (sched[k]!.start < sched[k - 1]!.end) throw new TariffError(`priceSchedule[${sched[k]!.i}].start`, "overlaps another entry");
  }
  const out: Span[] = [];
  let t = from;
  for (const e of sched) {
    if (e.end <= t) continue;
    if (e.start >= to) break;
    if (e.start > t) out.push(...fromTariff(t, e.start));
    const s = Math.max(t, e.start), end = Math.min(e.end, to);
    out.push({ start: s, end, price: e.price });
    t = end;
  }
  if (t < to) out.push(...fromTariff(t, to));
  return out;
}

function pieces(p: PlanInput, slotS: number): Piece[] {
  const out: Piece[] = [];
  for (const sp of pricesOver(p, p.pluggedAt, p.departAt)) {
    let t = sp.start;
    while (t < sp.end) {
      const end = Math.min(sp.end, (Math.floor(t / slotS) + 1) * slotS);
      out.push({ start: t, end, price: sp.price, cap: Math.floor((p.maxPowerW * (end - t)) / 3600) });
      t = end;
    }
  }
  return out;
}

function costOf(fill: readonly number[], ps: readonly Piece[]): number {
  let c = 0;
  for (let k = 0; k < ps.length; k++) if (fill[k]) c += costNanoUsd(fill[k]!, ps[k]!.price);
  return c;
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");

/**
 * Plans charging. Infeasible needs get every piece at full power, the shortfall, the earliest completion time at
 * full power and a sentence saying so. A partly used piece runs at the power that spreads its energy over the whole
 * piece, or at minPowerW for a shorter time when that power would be below the charger's minimum.
 */
export function planCharging(input: PlanInput): ChargePlan {
  checkInput(input);
  const slotS = input.slotS ?? 900;
  const ps = pieces(input, slotS);
  const capacity = ps.reduce((a, x) => a + x.cap, 0);
  const need = input.energyNeededWh;
  const target = Math.min(need, capacity);

  const order = ps.map((_, k) => k).sort((a, b) => ps[a]!.price - ps[b]!.price || ps[a]!.start - ps[b]!.start);
  const fill: number[] = new Array(ps.length).fill(0);
  let rem = target;
  for (const k of order) {
    if (rem === 0) break;
    const take = Math.min(rem, ps[k]!.cap);
    fill[k] = take;
    rem -= take;
  }
  const immediate: number[] = new Array(ps.length).fill(0);
  rem = target;
  for (let k = 0; k < ps.length && rem > 0; k++) {
    const take = Math.min(rem, ps[k]!.cap);
    immediate[k] = take;
    rem -= take;
  }

  const minPowerW = input.minPowerW ?? 0;
  const slots: PlannedSlot[] = [];
  for (let k = 0; k < ps.length; k++) {
    const wh = fill[k]!;
    if (wh === 0) continue;
    const x = ps[k]!;
    const dur = x.end - x.start;
    let powerW = Math.ceil((wh * 3600) / dur);
    let end = x.end;
    if (powerW < minPowerW) {
      powerW = minPowerW;
      end = x.start + Math.ceil((wh * 3600) / minPowerW);
    }
    slots.push({ start: x.start as UtcSeconds, end: end as UtcSeconds, wh: wh as Wh, powerW, priceMicroUsdPerKWh: x.price });
  }
  const plan: ChargePlan = {
    slots, feasible: capacity >= need, plannedWh: target as Wh, shortfallWh: (need - target) as Wh,
    costNanoUsd: costOf(fill, ps), immediateCostNanoUsd: costOf(immediate, ps),
  };
  if (!plan.feasible) {
    const earliest = input.pluggedAt + Math.ceil((need * 3600) / input.maxPowerW);
    plan.earliestCompletion = earliest as UtcSeconds;
    plan.reason = `${need} Wh cannot be delivered by ${iso(input.departAt)}: at ${input.maxPowerW} W at most ${capacity} Wh fit ` +
      `(short by ${need - capacity} Wh); charging at full power from plug-in would finish at ${iso(earliest)}`;
  }
  return plan;
}
