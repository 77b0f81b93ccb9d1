// Checks a Tariff built by hand or loaded from JSON, naming the first bad field. Rating validates each tariff
// once (the compiled form is cached), so a bad tariff fails loudly instead of pricing energy at a wrong period.
import type { MonthCharge, Tariff, TariffVersion } from "./types.ts";
import { TariffError } from "./tariff-error.ts";
import { checkTimeZone, parseLocalDate } from "./local-time.ts";

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

function checkSchedule(s: unknown, path: string, periods: number): void {
  if (!Array.isArray(s) || s.length !== 12) throw new TariffError(path, "must be 12 rows, one per month (January first)");
  s.forEach((row: unknown, m) => {
    if (!Array.isArray(row) || row.length !== 24) throw new TariffError(`${path}[${m}]`, "must be 24 periods, one per local hour");
    row.forEach((p: unknown, h) => {
      if (!isInt(p) || p < 0 || p >= periods) {
        throw new TariffError(`${path}[${m}][${h}]`, `${JSON.stringify(p)} is not a period index 0..${periods - 1} of energyratestructure`);
      }
    });
  });
}

function checkMoney(v: unknown, path: string): void {
  if (v !== undefined && (!isInt(v) || v < 0)) throw new TariffError(path, `${JSON.stringify(v)} must be a whole, non-negative number of micro-dollars`);
}

export function validateVersion(v: TariffVersion, path: string): void {
  if (typeof v !== "object" || v === null) throw new TariffError(path, "must be an object");
  if (typeof v.effectiveFrom !== "string" || !parseLocalDate(v.effectiveFrom)) {
    throw new TariffError(`${path}.effectiveFrom`, `${JSON.stringify(v.effectiveFrom)} is not a local date YYYY-MM-DD`);
  }
  if (v.effectiveUntil !== undefined) {
    if (typeof v.effectiveUntil !== "string" || !parseLocalDate(v.effectiveUntil)) {
      throw new TariffError(`${path}.effectiveUntil`, `${JSON.stringify(v.effectiveUntil)} is not a local date YYYY-MM-DD`);
    }
    if (v.effectiveUntil <= v.effectiveFrom) {
      throw new TariffError(`${path}.effectiveUntil`, `${v.effectiveUntil} must come after effectiveFrom ${v.effectiveFrom} (the version would never apply)`);
    }
  }
  const ers = v.energyratestructure;
  if (!Array.isArray(ers) || ers.length === 0) throw new TariffError(`${path}.energyratestructure`, "must list at least one period");
  if (ers.length > 250) throw new TariffError(`${path}.energyratestructure`, "more than 250 periods");
  ers.forEach((tiers, p) => {
    const pp = `${path}.energyratestructure[${p}]`;
    if (!Array.isArray(tiers) || tiers.length === 0) throw new TariffError(pp, "must list at least one tier");
    let prevMax = 0;
    tiers.forEach((t, i) => {
      const tp = `${pp}[${i}]`;
      if (typeof t !== "object" || t === null) throw new TariffError(tp, "must be an object");
      if (!isInt(t.rate)) throw new TariffError(`${tp}.rate`, `${JSON.stringify(t.rate)} must be whole micro-dollars per kWh`);
      if (!isInt(t.adj)) throw new TariffError(`${tp}.adj`, `${JSON.stringify(t.adj)} must be whole micro-dollars per kWh`);
      if (t.rate + t.adj < 0) throw new TariffError(`${tp}.adj`, "rate + adj is negative: a tier cannot pay the customer for energy");
      if (t.unit !== "kWh" && t.unit !== "kWh daily") throw new TariffError(`${tp}.unit`, `${JSON.stringify(t.unit)} is not supported (kWh or kWh daily)`);
      if (i > 0 && t.unit !== tiers[0]!.unit) throw new TariffError(`${tp}.unit`, "all tiers of a period must use the same unit");
      const last = i === tiers.length - 1;
      if (t.maxWh === undefined) {
        if (!last) throw new TariffError(`${tp}.maxWh`, "only the last tier may be unlimited");
      } else {
        if (!isInt(t.maxWh) || t.maxWh <= prevMax) throw new TariffError(`${tp}.maxWh`, `${JSON.stringify(t.maxWh)} must be a whole number of Wh above the previous tier's`);
        prevMax = t.maxWh;
      }
    });
  });
  checkSchedule(v.energyweekdayschedule, `${path}.energyweekdayschedule`, ers.length);
  checkSchedule(v.energyweekendschedule, `${path}.energyweekendschedule`, ers.length);
  if (!Array.isArray(v.periodNames) || v.periodNames.length !== ers.length) {
    throw new TariffError(`${path}.periodNames`, `must name each of the ${ers.length} periods`);
  }
  v.periodNames.forEach((n, i) => {
    if (typeof n !== "string" || n.trim() === "") throw new TariffError(`${path}.periodNames[${i}]`, "must be a non-empty name");
  });
  checkMoney(v.fixedChargeMicroUsdPerMonth, `${path}.fixedChargeMicroUsdPerMonth`);
  checkMoney(v.fixedChargeMicroUsdPerDay, `${path}.fixedChargeMicroUsdPerDay`);
  checkMoney(v.minimumChargeMicroUsdPerMonth, `${path}.minimumChargeMicroUsdPerMonth`);
  checkMoney(v.minimumChargeMicroUsdPerDay, `${path}.minimumChargeMicroUsdPerDay`);
  checkMonthCharges(v.monthCharges, `${path}.monthCharges`);
}

/** At most $1M per line either way: far above any real month charge, and keeps bill sums exact. */
const MAX_MONTH_CHARGE_MICRO_USD = 1e12;

function checkMonthCharges(list: unknown, path: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new TariffError(path, "must be an array of { name, months, microUsd }");
  list.forEach((c: unknown, i) => {
    const p = `${path}[${i}]`;
    if (typeof c !== "object" || c === null) throw new TariffError(p, "must be an object { name, months, microUsd }");
    const mc = c as Partial<MonthCharge>;
    if (typeof mc.name !== "string" || mc.name.trim() === "") throw new TariffError(`${p}.name`, "must be a non-empty name (the bill line's text)");
    if (mc.name.length > 200) throw new TariffError(`${p}.name`, "longer than 200 characters");
    if (!Array.isArray(mc.months) || mc.months.length === 0) throw new TariffError(`${p}.months`, "must list at least one month 1..12");
    mc.months.forEach((m: unknown, k) => {
      if (!isInt(m) || m < 1 || m > 12) throw new TariffError(`${p}.months[${k}]`, `${JSON.stringify(m)} is not a month 1..12 (1 = January)`);
      if (mc.months!.indexOf(m) !== k) throw new TariffError(`${p}.months[${k}]`, `month ${m} is listed twice: a charge is billed at most once a month`);
    });
    if (!isInt(mc.microUsd) || mc.microUsd === 0 || Math.abs(mc.microUsd) > MAX_MONTH_CHARGE_MICRO_USD) {
      throw new TariffError(`${p}.microUsd`, `${JSON.stringify(mc.microUsd)} must be whole micro-dollars, non-zero (negative = a credit), at most $1,000,000 either way`);
    }
  });
}

/** Throws TariffError naming the first bad field. */
export function validateTariff(t: Tariff): void {
  if (typeof t !== "object" || t === null) throw new TariffError("tariff", "must be an object");
  if (typeof t.id !== "string" || t.id === "") throw new TariffError("id", "must be a non-empty string");
  if (typeof t.name !== "string" || t.name === "") throw new TariffError("name", "must be a non-empty string");
  if (typeof t.timeZone !== "string") throw new TariffError("timeZone", "must be an IANA zone name");
  checkTimeZone(t.timeZone);
  if (!Array.isArray(t.versions) || t.versions.length === 0) throw new TariffError("versions", "must hold at least one version");
  t.versions.forEach((v, i) => {
    validateVersion(v, `versions[${i}]`);
    const prev = t.versions[i - 1];
    if (prev && v.effectiveFrom <= prev.effectiveFrom) {
      throw new TariffError(`versions[${i}].effectiveFrom`, `${v.effectiveFrom} must come after the previous version's ${prev.effectiveFrom}`);
    }
    // Two versions in force on one day would make the price ambiguous: refuse rather than pick one.
    if (prev?.effectiveUntil !== undefined && prev.effectiveUntil > v.effectiveFrom) {
      throw new TariffError(`versions[${i - 1}].effectiveUntil`, `${prev.effectiveUntil} is after the next version's effectiveFrom ${v.effectiveFrom}: versions must not overlap`);
    }
  });
}

/**
 * Index of the version in force on a local date, or -1 where none is: before the first one, or after a version's
 * effectiveUntil and before the next one's effectiveFrom (an expired record bills nothing; rating that day fails).
 */
export function versionIndexAt(t: Tariff, localDate: string): number {
  let idx = -1;
  for (let i = 0; i < t.versions.length; i++) if (t.versions[i]!.effectiveFrom <= localDate) idx = i;
  if (idx >= 0) {
    const until = t.versions[idx]!.effectiveUntil;
    if (until !== undefined && localDate >= until) return -1;
  }
  return idx;
}

/** The local-date spans [from, until) covered by a version, merged where they touch; `until` null = open-ended. */
export function coverage(t: Tariff): { from: string; until: string | null }[] {
  const out: { from: string; until: string | null }[] = [];
  t.versions.forEach((v, i) => {
    const next = t.versions[i + 1]?.effectiveFrom ?? null;
    const until = v.effectiveUntil !== undefined && (next === null || v.effectiveUntil < next) ? v.effectiveUntil : next;
    const last = out[out.length - 1];
    if (last && last.until === v.effectiveFrom) last.until = until;
    else out.push({ from: v.effectiveFrom, until });
  });
  return out;
}

/** Coverage as text for error messages: "2024-01-01..2024-12-31, 2025-03-01 onwards" (inclusive last days). */
export function coverageText(t: Tariff): string {
  return coverage(t).map(({ from, until }) => until === null ? `${from} onwards` : `${from}..${dayBefore(until)}`).join(", ");
}

/** The local date before a YYYY-MM-DD date. */
export function dayBefore(date: string): string {
  const [y, m, d] = parseLocalDate(date)!;
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** The version in force on a local date (YYYY-MM-DD), or undefined where none is. */
export function versionAt(t: Tariff, localDate: string): TariffVersion | undefined {
  const i = versionIndexAt(t, localDate);
  return i < 0 ? undefined : t.versions[i];
}
