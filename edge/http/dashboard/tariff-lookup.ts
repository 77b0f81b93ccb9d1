// Which tariff prices what the dashboard shows: the program's tariff for a bound session, the premises default
// otherwise (BR-4). The tariff engine is another module; every use is guarded so a missing or broken tariff
// shows "price unknown" on the page instead of breaking the live view.
import { monthBill, nextCheaperStart, priceAt, rateIntervals, tariffById, type MeteredInterval, type Tariff } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";

/** Config names example tariffs "example-<id>"; the tariff module names them "<id>". */
export function findTariff(id: string | null | undefined): Tariff | null {
  if (!id) return null;
  return tariffById(id) ?? tariffById(id.replace(/^example-/, "")) ?? null;
}

export interface PriceNowView {
  tariffId: string;
  tariffName: string;
  periodName: string;
  priceMicroUsdPerKWh: number;
  until: number;
  next: { periodName: string; priceMicroUsdPerKWh: number; since: number } | null;
}

export function priceNow(tariff: Tariff | null, now: UtcSeconds): { price: PriceNowView | null; problem: string | null } {
  if (!tariff) return { price: null, problem: "no tariff is known for this premises" };
  try {
    const p = priceAt(tariff, now);
    const n = nextCheaperStart(tariff, now);
    return {
      price: {
        tariffId: tariff.id, tariffName: tariff.name, periodName: p.periodName, priceMicroUsdPerKWh: p.priceMicroUsdPerKWh, until: p.until,
        next: n ? { periodName: n.periodName, priceMicroUsdPerKWh: n.priceMicroUsdPerKWh, since: n.since } : null,
      },
      problem: null,
    };
  } catch (e) {
    return { price: null, problem: `the tariff ${tariff.id} could not be evaluated: ${(e as Error).message}` };
  }
}

/** Exact cost in nano-dollars, or null when the tariff cannot rate these intervals. */
export function costOf(tariff: Tariff | null, intervals: readonly MeteredInterval[]): number | null {
  if (!tariff) return null;
  if (intervals.length === 0) return 0;
  try { return rateIntervals(tariff, intervals).totalNanoUsd; } catch { return null; }
}

export function byPeriod(tariff: Tariff | null, intervals: readonly MeteredInterval[]): { periodName: string; wh: number; nanoUsd: number }[] | null {
  if (!tariff) return null;
  if (intervals.length === 0) return [];
  try {
    const m = new Map<string, { periodName: string; wh: number; nanoUsd: number }>();
    for (const c of rateIntervals(tariff, intervals).byPeriod) {
      const e = m.get(c.periodName) ?? { periodName: c.periodName, wh: 0, nanoUsd: 0 };
      e.wh += c.wh;
      e.nanoUsd += c.costNanoUsd;
      m.set(c.periodName, e);
    }
    return [...m.values()];
  } catch { return null; }
}

/**
 * The tariff's charges and credits for a whole month (e.g. PG&E's California Climate Credit in April and October),
 * as core/tariff's monthBill prices them for the head-end's bill: what a month estimate adds to the energy cost.
 * Empty when the tariff has none that month, or no version in force.
 */
export function monthChargesOf(tariff: Tariff | null, month: string): { description: string; nanoUsd: number }[] {
  if (!tariff) return [];
  try {
    return monthBill({ tariff, month, intervals: [] }).lines.filter((l) => l.kind === "month-charge").map((l) => ({ description: l.description, nanoUsd: l.nanoUsd }));
  } catch {
    return [];
  }
}
