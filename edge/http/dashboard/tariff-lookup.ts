// What the dashboard's prices and cost estimates come from: which tariff prices a session (edge/hub's
// sessionTariff, the same decision the charge scheduler plans with) and the tariff engine's answers. A tariff that
// cannot price something is never shown as a zero or a bare "unknown": the view carries "unpriced" with the reason,
// and the hub log says what could not be priced, by which tariff, and why (a bug with its stack), once per problem.
import { monthBill, nextCheaperStart, priceAt, rateIntervals, TariffError, type MeteredInterval, type Tariff } from "../../../core/tariff/index.ts";
import type { MonthChargeView, PeriodUsage, PriceNowView, Priced } from "../../../core/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { type HubTariffs, type RatedSession, sessionTariff } from "../../hub/session-tariff.ts";

export type PeriodSplit = { periods: PeriodUsage[]; unpriced: null } | { periods: null; unpriced: string };

/** Distinct problems remembered so a view polled every second logs each once; past this many, the memory restarts. */
const REMEMBERED_PROBLEMS = 1000;

export class SessionPricing {
  private readonly reported = new Set<string>();

  constructor(readonly tariffs: HubTariffs, private readonly log: (line: string) => void) {}

  /** The tariff that prices `s`; `what` names it in the log when its program tariff is unknown to this hub. */
  tariffFor(s: RatedSession | null, what: string): Tariff {
    return sessionTariff(this.tariffs, s, (id) =>
      this.report(`dashboard: ${what} is bound to program tariff ${id}, which this hub does not know; its cost is estimated at the premises default ${this.tariffs.premisesDefault.id}`));
  }

  /** The price in force now and the next cheaper period, or why there is none. */
  priceNow(tariff: Tariff, now: UtcSeconds): { price: PriceNowView | null; problem: string | null } {
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
      return { price: null, problem: this.failed("the price now", tariff, e) };
    }
  }

  /** Exact cost in nano-dollars of `intervals` (of `what`: a session, a day) at `tariff`, or why it has none. */
  cost(what: string, tariff: Tariff, intervals: readonly MeteredInterval[]): Priced {
    if (intervals.length === 0) return { costNanoUsd: 0, unpriced: null };
    try {
      return { costNanoUsd: rateIntervals(tariff, intervals).totalNanoUsd, unpriced: null };
    } catch (e) {
      return { costNanoUsd: null, unpriced: this.failed(what, tariff, e) };
    }
  }

  /** Energy and cost of `intervals` by price period, or why they could not be priced. */
  byPeriod(what: string, tariff: Tariff, intervals: readonly MeteredInterval[]): PeriodSplit {
    if (intervals.length === 0) return { periods: [], unpriced: null };
    let rated;
    try {
      rated = rateIntervals(tariff, intervals);
    } catch (e) {
      return { periods: null, unpriced: this.failed(what, tariff, e) };
    }
    const m = new Map<string, PeriodUsage>();
    for (const c of rated.byPeriod) {
      const e = m.get(c.periodName) ?? { periodName: c.periodName, wh: 0, nanoUsd: 0 };
      e.wh += c.wh;
      e.nanoUsd += c.costNanoUsd;
      m.set(c.periodName, e);
    }
    return { periods: [...m.values()], unpriced: null };
  }

  /**
   * The reason shown on the page for a tariff that threw. A TariffError is the tariff's own answer (no version in
   * force then, a bad interval): its message is the reason. Anything else is a bug in rating: logged with its stack.
   */
  /** The tariff's charges and credits for the month as a whole (e.g. the California Climate Credit), or why not. */
  monthCharges(tariff: Tariff, month: string): { charges: MonthChargeView[]; unpriced: string | null } {
    try {
      const lines = monthBill({ tariff, month, intervals: [] }).lines.filter((l) => l.kind === "month-charge");
      return { charges: lines.map((l) => ({ description: l.description, nanoUsd: l.nanoUsd })), unpriced: null };
    } catch (e) {
      return { charges: [], unpriced: this.failed(`the month charges of ${month}`, tariff, e) };
    }
  }

  private failed(what: string, tariff: Tariff, e: unknown): string {
    if (e instanceof TariffError) {
      const reason = `tariff ${tariff.id} cannot price ${what}: ${e.message}`;
      this.report(`dashboard: unpriced: ${reason}`);
      return reason;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    this.report(`dashboard: unpriced: tariff ${tariff.id} failed on ${what}: ${err.stack ?? err.message}`);
    return `tariff ${tariff.id} failed on ${what} (${err.message}); see the hub log`;
  }

  private report(line: string): void {
    if (this.reported.has(line)) return;
    if (this.reported.size >= REMEMBERED_PROBLEMS) this.reported.clear();
    this.reported.add(line);
    this.log(line);
  }
}
