// Gathers one account's Green Button download: a usage point per premises of the account (its AMI meter) and one
// for its PEV charging (the EUMDs' session intervals the account is billed for), over the asked period.
import type { HeadEnd } from "../head-end.ts";
import type { Account } from "../types.ts";
import { pevReadings } from "./pev-usage.ts";
import { premisesReadings } from "./premises-usage.ts";
import type { AccountUsage, UsagePeriod, UsagePointUsage } from "./usage-model.ts";
import { toSeries } from "./usage-series.ts";

/** The key of the PEV usage point in links and CSV rows (premises usage points use the premises ID). */
export const PEV_USAGE_POINT_KEY = "PEV";

export function accountUsage(h: HeadEnd, account: Account, period: UsagePeriod): AccountUsage {
  // The premises the account holds now, each from when it took it over (premises-usage.ts).
  const premises: UsagePointUsage[] = h.enrollment.premisesOfAccount(account.id).map((p) => ({
    key: p.id, kind: "premises", title: `Premises ${p.id}, ${p.address}: whole premises (AMI meter)`,
    series: toSeries(premisesReadings(h.db, p.id, period.start, period.end)),
  }));
  const pev: UsagePointUsage = {
    key: PEV_USAGE_POINT_KEY, kind: "pev", title: "PEV charging billed to this account (EUMD sub-meter)",
    series: toSeries(pevReadings(h.db, h.tariffs, account.id, period.start, period.end)),
  };
  return { utilityId: h.utilityId, accountId: account.id, timeZone: h.timeZone, period, generatedAt: h.clock.now(), usagePoints: [...premises, pev] };
}
