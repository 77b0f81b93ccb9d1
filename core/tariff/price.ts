// The price now and when it changes: what the hub shows and what "wait for off-peak" waits for.
// Prices here are tier 0 of each period (rate + adj); tiered rates' higher tiers depend on the month's usage.
import type { HolidayCalendar, PriceAt, Tariff } from "./types.ts";
import type { UtcSeconds } from "../time/utc.ts";
import { DEFAULT_HOLIDAYS } from "./holidays.ts";
import { compileTariff, nextRun, noVersionError, prevRun, runAt, type CompiledTariff, type RunRef } from "./period-table.ts";
import { TariffError } from "./tariff-error.ts";

/** How far priceAt looks for the edges of a price (a flat rate never changes: its span is capped at this). */
export const PRICE_HORIZON_S = 400 * 86400;

const lineOf = (ref: RunRef): number => ref.tb.runLine[ref.r]!;

function priceOfRun(c: CompiledTariff, ref: RunRef): number {
  const l = lineOf(ref);
  return l < 0 ? -1 : c.lines[l]!.price;
}

function priceAtRef(c: CompiledTariff, holidays: HolidayCalendar, ref: RunRef, t: number): PriceAt {
  const line = lineOf(ref);
  if (line < 0) throw noVersionError(c, t, "t");
  const l = c.lines[line]!;
  let since = ref.tb.runStart[ref.r]!;
  for (let back = ref; since > t - PRICE_HORIZON_S; ) {
    const p = prevRun(c, holidays, back);
    if (priceOfRun(c, p) !== l.price) break;
    back = p;
    since = p.tb.runStart[p.r]!;
  }
  let until = ref.tb.runEnd[ref.r]!;
  for (let fwd = ref; until < t + PRICE_HORIZON_S; ) {
    const n = nextRun(c, holidays, fwd);
    if (priceOfRun(c, n) !== l.price) break;
    fwd = n;
    until = n.tb.runEnd[n.r]!;
  }
  return { period: l.period, periodName: l.periodName, priceMicroUsdPerKWh: l.price, since: since as UtcSeconds, until: until as UtcSeconds };
}

function checkT(t: number): void {
  if (!Number.isSafeInteger(t) || t < 0) throw new TariffError("t", `${t} must be whole, non-negative UTC seconds`);
}

/** The price in force at t, with the span [since, until) over which the price stays the same. */
export function priceAt(tariff: Tariff, t: UtcSeconds, holidays: HolidayCalendar = DEFAULT_HOLIDAYS): PriceAt {
  checkT(t);
  const c = compileTariff(tariff);
  return priceAtRef(c, holidays, runAt(c, holidays, t), t);
}

/** The next span after t with a lower price than at t, within PRICE_HORIZON_S; null if the price only rises. */
export function nextCheaperStart(tariff: Tariff, t: UtcSeconds, holidays: HolidayCalendar = DEFAULT_HOLIDAYS): PriceAt | null {
  checkT(t);
  const c = compileTariff(tariff);
  let ref = runAt(c, holidays, t);
  const now = priceOfRun(c, ref);
  if (now < 0) throw noVersionError(c, t, "t");
  const limit = t + PRICE_HORIZON_S;
  while (ref.tb.runEnd[ref.r]! < limit) {
    ref = nextRun(c, holidays, ref);
    const p = priceOfRun(c, ref);
    if (p >= 0 && p < now) {
      const at = ref.tb.runStart[ref.r]!;
      return priceAtRef(c, holidays, ref, at);
    }
  }
  return null;
}

/** Price spans covering [from, to), cut at every run boundary (internal: the planner's price source). */
export function priceSpans(tariff: Tariff, from: number, to: number, holidays: HolidayCalendar): { start: number; end: number; price: number }[] {
  const c = compileTariff(tariff);
  const out: { start: number; end: number; price: number }[] = [];
  let ref = runAt(c, holidays, from);
  let t = from;
  while (t < to) {
    const p = priceOfRun(c, ref);
    if (p < 0) throw noVersionError(c, t, "tariff");
    const end = Math.min(ref.tb.runEnd[ref.r]!, to);
    const last = out[out.length - 1];
    if (last && last.price === p) last.end = end;
    else out.push({ start: t, end, price: p });
    t = end;
    if (t < to) ref = nextRun(c, holidays, ref);
  }
  return out;
}
