// Which span a download covers: `?month=YYYY-MM`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both local calendar dates in
// the utility's zone and half-open [start, end) — the same months the bills close (billing/month-bounds.ts). Neither
// means the current month so far. A bad query is a 400 naming the parameter.
import { localMidnightUtc, parseLocalDate } from "../../../core/tariff/index.ts";
import { badRequest } from "../errors.ts";
import { monthBounds, monthOf } from "../billing/month-bounds.ts";
import type { UsagePeriod } from "./usage-model.ts";

/** At most a year and a day per download: bounds the answer (a year of 15-minute intervals is ~35,000 readings per usage point). */
export const MAX_PERIOD_DAYS = 366;

export interface PeriodQuery { month?: string | undefined; from?: string | undefined; to?: string | undefined }

export function usagePeriod(q: PeriodQuery, timeZone: string, now: number): UsagePeriod {
  if (q.month !== undefined && (q.from !== undefined || q.to !== undefined)) {
    throw badRequest("give either month or from and to, not both", "query.month");
  }
  if (q.from === undefined && q.to === undefined) {
    const b = monthBounds(q.month ?? monthOf(now, timeZone), timeZone, "query.month");
    return { start: b.start, end: b.end, label: b.month };
  }
  if (q.from === undefined) throw badRequest("to needs from: a range is from=YYYY-MM-DD&to=YYYY-MM-DD", "query.from");
  if (q.to === undefined) throw badRequest("from needs to: a range is from=YYYY-MM-DD&to=YYYY-MM-DD (to is exclusive)", "query.to");
  const from = parseLocalDate(q.from);
  if (!from) throw badRequest(`${JSON.stringify(q.from)} is not a calendar date YYYY-MM-DD`, "query.from");
  const to = parseLocalDate(q.to);
  if (!to) throw badRequest(`${JSON.stringify(q.to)} is not a calendar date YYYY-MM-DD`, "query.to");
  const days = (Date.UTC(to[0], to[1] - 1, to[2]) - Date.UTC(from[0], from[1] - 1, from[2])) / 86_400_000;
  if (days <= 0) throw badRequest(`to (${q.to}) must be after from (${q.from}): the range is [from, to), to excluded`, "query.to");
  if (days > MAX_PERIOD_DAYS) throw badRequest(`the range is ${days} days; at most ${MAX_PERIOD_DAYS} per download`, "query.to");
  return {
    start: localMidnightUtc(timeZone, ...from), end: localMidnightUtc(timeZone, ...to), label: `${q.from}..${q.to}`,
  };
}
