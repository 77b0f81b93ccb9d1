// Checks a Tariff built by hand or loaded from JSON, naming the first bad field. Rating validates each tariff
// once (the compiled form is cached), so a bad tariff fails loudly instead of pricing energy at a wrong period.
import type { Tariff, TariffVersion } from "./types.ts";
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
    if (i > 0 && v.effectiveFrom <= t.versions[i - 1]!.effectiveFrom) {
      throw new TariffError(`versions[${i}].effectiveFrom`, `${v.effectiveFrom} must come after the previous version's ${t.versions[i - 1]!.effectiveFrom}`);
    }
  });
}

/** Index of the version in force on a local date, or -1 before the first one. */
export function versionIndexAt(t: Tariff, localDate: string): number {
  let idx = -1;
  for (let i = 0; i < t.versions.length; i++) if (t.versions[i]!.effectiveFrom <= localDate) idx = i;
  return idx;
}

/** The version in force on a local date (YYYY-MM-DD), or undefined before the first one. */
export function versionAt(t: Tariff, localDate: string): TariffVersion | undefined {
  const i = versionIndexAt(t, localDate);
  return i < 0 ? undefined : t.versions[i];
}
