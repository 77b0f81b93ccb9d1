// A month's bill for one account under one tariff: energy by (version, period, tier), fixed charges (prorated by
// days of service), a minimum-bill top-up, the tariff's month charges and credits, then the caller's credits and
// debits. Each line is computed exactly in nano-dollars and rounded to the cent once (roundToCents); the total is the
// sum of the rounded lines, as printed on the bill.
import type { BillLine, HolidayCalendar, MonthBill, MonthBillInput } from "./types.ts";
import type { Wh } from "../units/energy.ts";
import { TariffError } from "./tariff-error.ts";
import { roundToCents } from "./money.ts";
import { DEFAULT_HOLIDAYS } from "./holidays.ts";
import { compileTariff } from "./period-table.ts";
import { accumulate, chargesFrom } from "./rating.ts";
import { daysInMonth, formatLocalDate, localMidnightUtc, parseLocalDate } from "./local-time.ts";
import { coverageText, versionIndexAt } from "./validate-tariff.ts";

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

const dollars = (micro: number): string => `$${(micro / 1e6).toFixed(micro % 10_000 === 0 ? 2 : 5)}`;
const kwh = (wh: number): string => `${(wh / 1000).toFixed(3)} kWh`;

function line(kind: BillLine["kind"], description: string, nanoUsd: number, extra: Partial<BillLine> = {}): BillLine {
  return { kind, description, ...extra, nanoUsd, cents: roundToCents(nanoUsd) };
}

function checkAmounts(list: readonly { description: string; nanoUsd: number }[] | undefined, path: string): void {
  list?.forEach((x, i) => {
    if (typeof x?.description !== "string") throw new TariffError(`${path}[${i}].description`, "must be a string");
    if (!Number.isSafeInteger(x.nanoUsd) || x.nanoUsd < 0) throw new TariffError(`${path}[${i}].nanoUsd`, `${x.nanoUsd} must be a whole, non-negative number of nano-dollars`);
  });
}

/** Days of service in the month, 1-based and inclusive, from the account's opening and closing dates. */
function serviceDays(input: MonthBillInput, month: string, dim: number): { first: number; last: number } {
  const date = (v: unknown, field: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !parseLocalDate(v)) throw new TariffError(field, `${JSON.stringify(v)} is not a local date YYYY-MM-DD`);
    return v;
  };
  const opened = date(input.accountOpenedOn, "accountOpenedOn");
  const closed = date(input.accountClosedOn, "accountClosedOn");
  if (opened !== undefined && closed !== undefined && closed < opened) {
    throw new TariffError("accountClosedOn", `${closed} is before the account opened on ${opened}`);
  }
  const monthFirst = `${month}-01`, monthLast = `${month}-${String(dim).padStart(2, "0")}`;
  if (opened !== undefined && opened > monthLast) throw new TariffError("month", `${month} ends before the account opened on ${opened}: a bill only covers days of service`);
  if (closed !== undefined && closed < monthFirst) throw new TariffError("month", `${month} begins after the account closed on ${closed}: a bill only covers days of service`);
  return {
    first: opened !== undefined && opened > monthFirst ? Number(opened.slice(8)) : 1,
    last: closed !== undefined && closed < monthLast ? Number(closed.slice(8)) : dim,
  };
}

/** "2025-01-01..2025-01-15, 2025-01-20" from sorted day numbers of a month. */
function dayRanges(month: string, days: readonly number[]): string {
  const out: string[] = [];
  const d2 = (d: number): string => `${month}-${String(d).padStart(2, "0")}`;
  for (let k = 0; k < days.length;) {
    let e = k;
    while (e + 1 < days.length && days[e + 1] === days[e]! + 1) e++;
    out.push(e === k ? d2(days[k]!) : `${d2(days[k]!)}..${d2(days[e]!)}`);
    k = e + 1;
  }
  return out.join(", ");
}

/**
 * Bills `month` (YYYY-MM in the tariff's zone). Energy of intervals (or parts of intervals) outside the month is
 * left to that month's bill; intervals must not overlap (a meter interval is billed once). Only days of service
 * (accountOpenedOn..accountClosedOn) are billed, and each must have a tariff version in force, else TariffError
 * naming the dates. Days are priced by the version in force on each day: daily charges per day, a monthly charge
 * M for days a..b of a D-day month as ⌊M·b/D⌋ − ⌊M·(a−1)/D⌋ nano-dollars (M × days / D; the parts of a whole month
 * add up to M exactly). The minimum charge applies to energy plus fixed charges. Month charges of the version in
 * force on the last day of service follow, in full (not prorated), then the caller's debits and credits.
 */
export function monthBill(input: MonthBillInput): MonthBill {
  const { tariff, month, intervals } = input;
  const holidays: HolidayCalendar = input.holidays ?? DEFAULT_HOLIDAYS;
  const c = compileTariff(tariff);
  const mm = MONTH_RE.exec(month);
  if (!mm) throw new TariffError("month", `${JSON.stringify(month)} is not a month YYYY-MM`);
  const y = Number(mm[1]), m = Number(mm[2]);
  if (!Array.isArray(intervals)) throw new TariffError("intervals", "must be an array");
  checkAmounts(input.credits, "credits");
  checkAmounts(input.debits, "debits");
  const dim = daysInMonth(y, m);
  const { first, last } = serviceDays(input, month, dim);

  // The version in force on each day of service; days without one make the bill impossible, not cheaper.
  const versionOfDay: number[] = [];
  const uncovered: number[] = [];
  for (let d = first; d <= last; d++) {
    const v = versionIndexAt(tariff, formatLocalDate(y, m, d));
    versionOfDay[d] = v;
    if (v < 0) uncovered.push(d);
  }
  if (uncovered.length > 0) {
    throw new TariffError("month", `no version of tariff ${tariff.id} is in force on ${dayRanges(month, uncovered)} (its versions cover ${coverageText(tariff)})`);
  }

  // Energy on days the account was not open is someone else's (or no one's): refuse it rather than bill it here.
  if (first > 1 || last < dim) {
    const tz = tariff.timeZone;
    const monthStart = localMidnightUtc(tz, y, m, 1);
    const monthEnd = m === 12 ? localMidnightUtc(tz, y + 1, 1, 1) : localMidnightUtc(tz, y, m + 1, 1);
    const open = localMidnightUtc(tz, y, m, first);
    const close = last === dim ? monthEnd : localMidnightUtc(tz, y, m, last + 1);
    intervals.forEach((iv, i) => {
      if (!(iv?.wh > 0)) return;
      const s = iv.start, e = iv.start + iv.lengthS;
      if ((s < open && e > monthStart) || (e > close && s < monthEnd)) {
        throw new TariffError(`intervals[${i}]`, `energy at ${new Date(s * 1000).toISOString()} falls on a day the account was not open (service ${formatLocalDate(y, m, first)}..${formatLocalDate(y, m, last)} this month)`);
      }
    });
  }

  const acc = new Float64Array(c.lines.length);
  accumulate(c, holidays, intervals, acc, y * 12 + m - 1);
  const lines: BillLine[] = [];
  const multiVersion = new Set(chargesFrom(c, acc).map((p) => p.effectiveFrom)).size > 1;
  let totalWh = 0;
  let chargesNano = 0;
  for (const p of chargesFrom(c, acc)) {
    const tier = p.tier > 0 || c.lines.some((l) => l.tierCount > 1) ? ` tier ${p.tier + 1}` : "";
    const since = multiVersion ? ` (rates from ${p.effectiveFrom})` : "";
    lines.push(line("energy", `${p.periodName}${tier}: ${kwh(p.wh)} × ${dollars(p.priceMicroUsdPerKWh)}/kWh${since}`, p.costNanoUsd, {
      period: p.period, periodName: p.periodName, wh: p.wh, priceMicroUsdPerKWh: p.priceMicroUsdPerKWh,
    }));
    totalWh += p.wh;
    chargesNano += p.costNanoUsd;
  }

  // Runs of consecutive service days under one version (versions are in date order, so each has one run).
  const runs: { v: number; a: number; b: number }[] = [];
  for (let d = first; d <= last; d++) {
    const v = versionOfDay[d]!;
    const r = runs[runs.length - 1];
    if (r && r.v === v) r.b = d;
    else runs.push({ v, a: d, b: d });
  }
  const monthlyShare = (monthlyMicro: number, a: number, b: number): number => {
    const total = monthlyMicro * 1000;
    if (!Number.isSafeInteger(total * dim)) throw new RangeError(`monthly amount ${monthlyMicro} µ$ is too large to prorate exactly`);
    return Math.floor((total * b) / dim) - Math.floor((total * (a - 1)) / dim);
  };
  let minimumNano = 0;
  for (const { v, a, b } of runs) {
    const ver = tariff.versions[v]!;
    const days = b - a + 1;
    const since = runs.length > 1 ? ` (from ${formatLocalDate(y, m, a)})` : "";
    if (ver.fixedChargeMicroUsdPerDay) {
      const nano = days * ver.fixedChargeMicroUsdPerDay * 1000;
      lines.push(line("fixed", `Daily basic charge: ${days} days × ${dollars(ver.fixedChargeMicroUsdPerDay)}${since}`, nano));
      chargesNano += nano;
    }
    if (ver.fixedChargeMicroUsdPerMonth) {
      const nano = monthlyShare(ver.fixedChargeMicroUsdPerMonth, a, b);
      lines.push(line("fixed", `Monthly customer charge${days < dim ? ` (${days} of ${dim} days)` : ""}${since}`, nano));
      chargesNano += nano;
    }
    if (ver.minimumChargeMicroUsdPerDay) minimumNano += days * ver.minimumChargeMicroUsdPerDay * 1000;
    if (ver.minimumChargeMicroUsdPerMonth) minimumNano += monthlyShare(ver.minimumChargeMicroUsdPerMonth, a, b);
  }
  if (minimumNano > chargesNano) {
    lines.push(line("minimum", `Minimum charge top-up (minimum $${(roundToCents(minimumNano) / 100).toFixed(2)})`, minimumNano - chargesNano));
  }
  // Month charges and credits: the tariff as it stands on the bill's last day of service says which apply.
  for (const mc of tariff.versions[versionOfDay[last]!]!.monthCharges ?? []) {
    if (mc.months.includes(m)) lines.push(line("month-charge", mc.name, mc.microUsd * 1000));
  }
  for (const d of input.debits ?? []) lines.push(line("debit", d.description, d.nanoUsd));
  for (const cr of input.credits ?? []) lines.push(line("credit", cr.description, -cr.nanoUsd));
  const totalCents = lines.reduce((a, l) => a + l.cents, 0);
  return { lines, totalCents, totalWh: totalWh as Wh };
}
