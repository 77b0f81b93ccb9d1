// Physics before money (issue 13): a hub's report is only as believable as the charger behind it. No interval may
// carry more energy than the premises' EVSE can deliver at its rated power over the interval's length (plus the
// meter tolerance FR-15 already allows); AMI premises energy, where it exists, is load correlation's. A report
// that fails is held for the operator's review with the reason; it is never billed as it stands.
import type { LoadCorrelationTolerance } from "../metering/load-correlation.ts";

/** Energy the EVSE can deliver in `lengthS` at `ratedW`, with the meter tolerance on top. */
export const maxEvseWh = (ratedW: number, lengthS: number, tol: LoadCorrelationTolerance): number =>
  Math.floor((ratedW * lengthS / 3600) * (1 + tol.ratio)) + tol.slackWh;

/** Why the intervals cannot be real, or null when they can. */
export function implausibility(intervals: readonly { start: number; lengthS: number; wh: number }[], ratedW: number, tol: LoadCorrelationTolerance): string | null {
  for (let i = 0; i < intervals.length; i++) {
    const iv = intervals[i]!;
    const max = maxEvseWh(ratedW, iv.lengthS, tol);
    if (iv.wh > max) {
      return `intervals[${i}].wh: ${iv.wh} Wh in ${iv.lengthS} s is more than the EVSE's rated ${ratedW} W can deliver (at most ${max} Wh)`;
    }
  }
  return null;
}
