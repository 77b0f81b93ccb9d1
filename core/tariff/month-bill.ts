// A month's bill for one account under one tariff: energy by (version, period, tier), fixed charges, a minimum-bill
// top-up, credits and debits. Each line is computed exactly in nano-dollars and rounded to the cent once
// (roundToCents); the total is the sum of the rounded lines, as printed on the bill.
import type { BillLine, HolidayCalendar, MonthBill, MonthBillInput } from "./types.ts";
import type { Wh } from "../units/energy.ts";
import { TariffError } from "./tariff-error.ts";
import { roundToCents } from "./money.ts";
import { DEFAULT_HOLIDAYS } from "./holidays.ts";
import { compileTariff } from "./period-table.ts";
import { accumulate, chargesFrom } from "./rating.ts";
import { daysInMonth, formatLocalDate } from "./local-time.ts";
import { versionIndexAt } from "./validate-tariff.ts";

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

/**
 * Bills `month` (YYYY-MM in the tariff's zone). Energy of intervals (or parts of intervals) outside the month is
 * left to that month's bill. Days are priced by the version in force on each day: daily charges per day, a monthly
 * charge shared by days when a version changes mid-month (cumulative-floor rule, as for Wh). The minimum charge
 * applies to energy plus fixed charges (before credits and debits).
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

  // Days of the month per version in force.
  const dim = daysInMonth(y, m);
  const daysByVersion = new Map<number, number>();
  for (let d = 1; d <= dim; d++) {
    const v = versionIndexAt(tariff, formatLocalDate(y, m, d));
    if (v >= 0) daysByVersion.set(v, (daysByVersion.get(v) ?? 0) + 1);
  }
  const versions = [...daysByVersion.keys()].sort((a, b) => a - b);
  // A monthly amount is shared by days with the cumulative-floor rule: version v (whose days, contiguous since
  // versions are in date order, end at cumulative day count C) gets ⌊M·C/dim⌋ − ⌊M·C₋/dim⌋. Equal amounts sum to M.
  const monthlyShare = (v: number, monthlyMicro: number): number => {
    const total = monthlyMicro * 1000;
    // Days before the first version come first in the month and are charged nothing.
    let before = dim - [...daysByVersion.values()].reduce((a, b) => a + b, 0);
    for (const u of versions) { if (u === v) break; before += daysByVersion.get(u)!; }
    const upTo = before + daysByVersion.get(v)!;
    return Math.floor((total * upTo) / dim) - Math.floor((total * before) / dim);
  };
  let minimumNano = 0;
  for (const v of versions) {
    const ver = tariff.versions[v]!;
    const days = daysByVersion.get(v)!;
    const since = versions.length > 1 ? ` (from ${ver.effectiveFrom})` : "";
    if (ver.fixedChargeMicroUsdPerDay) {
      const nano = days * ver.fixedChargeMicroUsdPerDay * 1000;
      lines.push(line("fixed", `Daily basic charge: ${days} days × ${dollars(ver.fixedChargeMicroUsdPerDay)}${since}`, nano));
      chargesNano += nano;
    }
    if (ver.fixedChargeMicroUsdPerMonth) {
      const nano = monthlyShare(v, ver.fixedChargeMicroUsdPerMonth);
      lines.push(line("fixed", `Monthly customer charge${days < dim ? ` (${days} of ${dim} days)` : ""}${since}`, nano));
      chargesNano += nano;
    }
    if (ver.minimumChargeMicroUsdPerDay) minimumNano += days * ver.minimumChargeMicroUsdPerDay * 1000;
    if (ver.minimumChargeMicroUsdPerMonth) minimumNano += monthlyShare(v, ver.minimumChargeMicroUsdPerMonth);
  }
  if (minimumNano > chargesNano) {
    lines.push(line("minimum", `Minimum charge top-up (minimum $${(roundToCents(minimumNano) / 100).toFixed(2)})`, minimumNano - chargesNano));
  }
  for (const d of input.debits ?? []) lines.push(line("debit", d.description, d.nanoUsd));
  for (const cr of input.credits ?? []) lines.push(line("credit", cr.description, -cr.nanoUsd));
  const totalCents = lines.reduce((a, l) => a + l.cents, 0);
  return { lines, totalCents, totalWh: totalWh as Wh };
}
