// Turns a session's intervals into customer postings priced by core/tariff: one posting per (billing month,
// rate period), stamped with the first interval of that month, so a session across midnight at a month's end lands
// on both bills. Rating whole runs of intervals at once keeps core/tariff's exact per-period sums (and is ~10×
// faster than rating interval by interval). Tiered tariffs count their tiers within the session only; the EV
// programs this head-end ships are untiered time-of-use rates (docs/utility.md).
import { rateIntervals, type MeteredInterval, type Tariff } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import type { LedgerAccount, Posting } from "../types.ts";

export interface IntervalEnergy { start: UtcSeconds; lengthS: number; wh: number }

export interface PricedPostings { postings: Posting[]; totalNano: number; totalWh: number }

/** The UTC second at which the billing month containing `t` ends. */
export type MonthEnd = (t: UtcSeconds) => number;

/** Postings on `account` for the intervals at `tariff`; `sign` −1 makes them credits. Intervals in time order. */
export function priceIntervals(
  tariff: Tariff, intervals: readonly IntervalEnergy[], account: LedgerAccount, lineKind: Posting["lineKind"], sign: 1 | -1, monthEnd: MonthEnd,
): PricedPostings {
  const postings: Posting[] = [];
  let totalNano = 0;
  let totalWh = 0;
  let i = 0;
  while (i < intervals.length) {
    const first = intervals[i]!;
    const end = monthEnd(first.start);
    const run: MeteredInterval[] = [];
    while (i < intervals.length && intervals[i]!.start < end) {
      const iv = intervals[i++]!;
      if (iv.wh > 0) run.push({ start: iv.start, lengthS: iv.lengthS, wh: iv.wh as Wh });
    }
    if (run.length === 0) continue;
    for (const p of rateIntervals(tariff, run).byPeriod) {
      postings.push({
        ledgerAccount: account, amountNano: sign * p.costNanoUsd, energyWh: p.wh, period: p.periodName,
        intervalStart: run[0]!.start, lineKind, tariffId: tariff.id, priceMicroUsdPerKWh: p.priceMicroUsdPerKWh,
      });
      totalNano += sign * p.costNanoUsd;
      totalWh += p.wh;
    }
  }
  return { postings, totalNano, totalWh };
}

/** The utility's own side of an entry: one posting that balances the others. */
export function contra(account: LedgerAccount, postings: readonly Posting[], at: UtcSeconds | null): Posting {
  const sum = postings.reduce((a, p) => a + p.amountNano, 0);
  return { ledgerAccount: account, amountNano: -sum, energyWh: 0, period: "", intervalStart: at, lineKind: "contra", tariffId: null, priceMicroUsdPerKWh: null };
}
