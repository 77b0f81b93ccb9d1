// Import and export of OpenEI Utility Rate Database (URDB, API v7) records. A record is taken as-is (field names
// and dollar floats as URDB publishes them); money becomes integer µ$ (nearest), tier limits integer Wh. What this
// engine cannot rate (demand charges, per-kW tier units, yearly fixed charges) is refused, naming the field,
// rather than silently under-billed. `{ items: [...] }` (the API's envelope) with several records = several versions.
import type { EnergyTier, MonthCharge, Tariff, TariffVersion } from "./types.ts";
import { TariffError } from "./tariff-error.ts";
import { dollarsFromMicroUsd, microUsdFromDollars } from "./money.ts";
import { checkTimeZone, localDateAt, localMidnightUtc, parseLocalDate } from "./local-time.ts";
import { validateTariff } from "./validate-tariff.ts";

export const DEFAULT_TIME_ZONE = "America/Los_Angeles";

/** The URDB fields this engine reads and writes (a real record has many more, which import ignores). */
export interface UrdbRecord {
  label?: string;
  uri?: string;
  utility?: string;
  name?: string;
  description?: string;
  source?: string;
  startdate?: number;
  enddate?: number | null;
  sector?: string;
  energyratestructure: { rate: number; adj?: number; max?: number; unit?: string }[][];
  energyweekdayschedule: number[][];
  energyweekendschedule: number[][];
  energytoulabels?: string[];
  fixedchargefirstmeter?: number;
  fixedchargeunits?: string;
  mincharge?: number;
  minchargeunits?: string;
  /** Not a URDB field: this engine's extension for MonthCharge (docs/tariffs.md); URDB readers ignore it. */
  offpeak_monthcharges?: UrdbMonthCharge[];
  [other: string]: unknown;
}

/** One month-specific charge in URDB style: dollars (negative = a credit), months 1-12. */
export interface UrdbMonthCharge { name: string; months: number[]; charge: number }

/** The extension key: prefixed so it can never collide with a field URDB adds later. */
export const MONTH_CHARGES_FIELD = "offpeak_monthcharges";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function dollarsField(v: unknown, path: string, allowNegative = false): number {
  if (!isNum(v)) throw new TariffError(path, `${JSON.stringify(v)} is not a number of dollars`);
  if (!allowNegative && v < 0) throw new TariffError(path, `${v} must not be negative`);
  return microUsdFromDollars(v);
}

function schedule(v: unknown, path: string): number[][] {
  if (!Array.isArray(v) || v.length !== 12) throw new TariffError(path, "must be 12 rows (January..December) of 24 hourly periods");
  return v.map((row: unknown, m) => {
    if (!Array.isArray(row) || row.length !== 24) throw new TariffError(`${path}[${m}]`, "must hold 24 hourly periods");
    return row.map((p: unknown, h) => {
      if (!isNum(p) || !Number.isInteger(p) || p < 0) throw new TariffError(`${path}[${m}][${h}]`, `${JSON.stringify(p)} is not a 0-based period index`);
      return p;
    });
  });
}

/** Demand charges change the bill by peak kW, which interval energy alone cannot price: refuse non-zero ones. */
function refuseDemandCharges(r: Obj, path: string): void {
  for (const f of ["demandratestructure", "flatdemandstructure", "coincidentratestructure"]) {
    const s = r[f];
    if (s === undefined || s === null) continue;
    if (!Array.isArray(s)) throw new TariffError(`${path}${f}`, "must be an array of periods");
    s.forEach((tiers: unknown, p) => {
      if (!Array.isArray(tiers)) throw new TariffError(`${path}${f}[${p}]`, "must be an array of tiers");
      tiers.forEach((t: unknown, k) => {
        const rate = isObj(t) ? (Number(t.rate ?? 0) + Number(t.adj ?? 0)) : NaN;
        if (rate !== 0) throw new TariffError(`${path}${f}[${p}][${k}].rate`, "demand charges are not supported by this engine (energy rates only)");
      });
    });
  }
}

function versionFrom(r: Obj, path: string, timeZone: string): { v: TariffVersion; startdate: number } {
  refuseDemandCharges(r, path);
  const ers = r.energyratestructure;
  if (!Array.isArray(ers) || ers.length === 0) throw new TariffError(`${path}energyratestructure`, "must list at least one period of tiers");
  const energyratestructure: EnergyTier[][] = ers.map((tiers: unknown, p) => {
    const pp = `${path}energyratestructure[${p}]`;
    if (!Array.isArray(tiers) || tiers.length === 0) throw new TariffError(pp, "must list at least one tier");
    return tiers.map((t: unknown, k) => {
      const tp = `${pp}[${k}]`;
      if (!isObj(t)) throw new TariffError(tp, "must be an object {rate, adj, max, unit}");
      const tier: EnergyTier = {
        rate: dollarsField(t.rate, `${tp}.rate`),
        adj: t.adj === undefined || t.adj === null ? 0 : dollarsField(t.adj, `${tp}.adj`, true),
        unit: "kWh",
      };
      const unit = t.unit ?? "kWh";
      if (unit !== "kWh" && unit !== "kWh daily") {
        throw new TariffError(`${tp}.unit`, `${JSON.stringify(unit)} is not supported (only "kWh" and "kWh daily"; per-kW units need demand)`);
      }
      tier.unit = unit;
      if (t.max !== undefined && t.max !== null) {
        if (!isNum(t.max) || t.max <= 0) throw new TariffError(`${tp}.max`, `${JSON.stringify(t.max)} is not a positive number of kWh`);
        tier.maxWh = Math.round(t.max * 1000);
      }
      return tier;
    });
  });
  const energyweekdayschedule = schedule(r.energyweekdayschedule, `${path}energyweekdayschedule`);
  const energyweekendschedule = schedule(r.energyweekendschedule, `${path}energyweekendschedule`);
  let periodNames = ers.map((_, p) => `Period ${p + 1}`);
  if (r.energytoulabels !== undefined && r.energytoulabels !== null) {
    const l = r.energytoulabels;
    if (!Array.isArray(l) || l.length !== ers.length) throw new TariffError(`${path}energytoulabels`, `must name each of the ${ers.length} periods`);
    l.forEach((n: unknown, i) => { if (typeof n !== "string" || !n.trim()) throw new TariffError(`${path}energytoulabels[${i}]`, "must be a non-empty name"); });
    periodNames = l as string[];
  }
  const unixField = (f: "startdate" | "enddate"): number | undefined => {
    const x = r[f];
    if (x === undefined || x === null) return undefined;
    if (!isNum(x) || !Number.isInteger(x) || x < 0) throw new TariffError(`${path}${f}`, `${JSON.stringify(x)} is not Unix seconds`);
    return x;
  };
  const start = unixField("startdate");
  const startdate = start ?? 0;
  // URDB stores a date as some midnight (often US Mountain or UTC), not in the utility's zone:
  // taking the local date 12 hours later lands on the intended day from any US zone.
  const v: TariffVersion = {
    effectiveFrom: start === undefined ? "1970-01-01" : localDateAt(timeZone, start + 12 * 3600),
    energyratestructure, energyweekdayschedule, energyweekendschedule, periodNames,
  };
  // enddate: the record stops applying at that local day's midnight (a superseded record's enddate is its
  // successor's startdate). An expired record then bills nothing after it.
  const end = unixField("enddate");
  if (end !== undefined) v.effectiveUntil = localDateAt(timeZone, end + 12 * 3600);
  const mc = r[MONTH_CHARGES_FIELD];
  if (mc !== undefined && mc !== null) v.monthCharges = monthChargesFrom(mc, `${path}${MONTH_CHARGES_FIELD}`);
  if (typeof r.label === "string") v.urdbLabel = r.label;
  const charge = (amountField: string, unitField: string, perMonth: "fixedChargeMicroUsdPerMonth" | "minimumChargeMicroUsdPerMonth", perDay: "fixedChargeMicroUsdPerDay" | "minimumChargeMicroUsdPerDay"): void => {
    const amount = r[amountField];
    if (amount === undefined || amount === null) return;
    const micro = dollarsField(amount, `${path}${amountField}`);
    const unit = r[unitField] ?? "$/month";
    if (unit === "$/month") v[perMonth] = micro;
    else if (unit === "$/day") v[perDay] = micro;
    else throw new TariffError(`${path}${unitField}`, `${JSON.stringify(unit)} is not supported ("$/month" or "$/day")`);
  };
  charge("fixedchargefirstmeter", "fixedchargeunits", "fixedChargeMicroUsdPerMonth", "fixedChargeMicroUsdPerDay");
  charge("mincharge", "minchargeunits", "minimumChargeMicroUsdPerMonth", "minimumChargeMicroUsdPerDay");
  return { v, startdate };
}

function monthChargesFrom(v: unknown, path: string): MonthCharge[] {
  if (!Array.isArray(v)) throw new TariffError(path, "must be an array of { name, months, charge }");
  return v.map((x: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(x)) throw new TariffError(p, "must be an object { name, months, charge }");
    if (typeof x.name !== "string" || !x.name.trim()) throw new TariffError(`${p}.name`, "must be a non-empty name");
    if (!Array.isArray(x.months)) throw new TariffError(`${p}.months`, "must list months 1..12 (1 = January)");
    const months = x.months.map((m: unknown, k) => {
      if (!isNum(m) || !Number.isInteger(m) || m < 1 || m > 12) throw new TariffError(`${p}.months[${k}]`, `${JSON.stringify(m)} is not a month 1..12 (1 = January)`);
      return m;
    });
    return { name: x.name, months, microUsd: dollarsField(x.charge, `${p}.charge`, true) };
  });
}

/**
 * A Tariff from a URDB record, or from `{ items: [...] }` whose records are versions of one rate (ordered by
 * startdate). Throws TariffError with the path of the first bad field (e.g. `energyratestructure[2][0].rate`,
 * or `items[1].energyweekdayschedule[5][17]`).
 */
export function importUrdb(record: unknown, opts: { id?: string; timeZone?: string } = {}): Tariff {
  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  checkTimeZone(timeZone);
  let records: { r: Obj; path: string }[];
  if (isObj(record) && Array.isArray(record.items)) {
    if (record.items.length === 0) throw new TariffError("items", "holds no rate record");
    records = record.items.map((r: unknown, i) => {
      if (!isObj(r)) throw new TariffError(`items[${i}]`, "must be a URDB rate record (an object)");
      return { r, path: `items[${i}].` };
    });
  } else if (isObj(record)) {
    records = [{ r: record, path: "" }];
  } else {
    throw new TariffError("record", "must be a URDB rate record (an object) or { items: [...] }");
  }
  const versions = records
    .map(({ r, path }, idx) => ({ ...versionFrom(r, path, timeZone), idx }))
    .sort((a, b) => a.startdate - b.startdate);
  const first = records[0]!.r;
  const name = typeof first.name === "string" && first.name ? first.name : undefined;
  const label = typeof first.label === "string" && first.label ? first.label : undefined;
  const id = opts.id ?? label ?? name?.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  if (!id) throw new TariffError("label", "the record has neither label nor name: pass opts.id");
  const tariff: Tariff = { id, name: name ?? id, timeZone, versions: versions.map((x) => x.v) };
  if (typeof first.utility === "string") tariff.utility = first.utility;
  const source = typeof first.source === "string" ? first.source : typeof first.uri === "string" ? first.uri : undefined;
  if (source) tariff.source = source;
  if (typeof first.description === "string") tariff.description = first.description;
  try {
    validateTariff(tariff);
  } catch (e) {
    // Report in the record's own terms: versions[i].x → items[j].x (or x for a single record).
    if (e instanceof TariffError) {
      const m = /^versions\[(\d+)\]\.(.*)$/.exec(e.path);
      if (m) {
        const path = records.length > 1 ? `items[${versions[Number(m[1])]!.idx}].` : "";
        const field = m[2]!.replace(/^periodNames/, "energytoulabels").replace(/^effectiveFrom/, "startdate").replace(/^effectiveUntil/, "enddate")
          .replace(/^monthCharges(\[\d+\])\.microUsd/, `${MONTH_CHARGES_FIELD}$1.charge`).replace(/^monthCharges/, MONTH_CHARGES_FIELD);
        throw new TariffError(`${path}${field}`, e.message.slice(e.path.length + 2));
      }
    }
    throw e;
  }
  return tariff;
}

function exportVersion(t: Tariff, v: TariffVersion, i: number): UrdbRecord {
  const [y, m, d] = parseLocalDate(v.effectiveFrom)!;
  const r: UrdbRecord = {
    name: t.name,
    startdate: localMidnightUtc(t.timeZone, y, m, d),
    energyratestructure: v.energyratestructure.map((tiers) => tiers.map((x) => {
      const o: { rate: number; adj?: number; max?: number; unit?: string } = { unit: x.unit, rate: dollarsFromMicroUsd(x.rate), adj: dollarsFromMicroUsd(x.adj) };
      if (x.maxWh !== undefined) o.max = x.maxWh / 1000;
      return o;
    })),
    energyweekdayschedule: v.energyweekdayschedule.map((row) => [...row]),
    energyweekendschedule: v.energyweekendschedule.map((row) => [...row]),
    energytoulabels: [...v.periodNames],
  };
  if (v.effectiveUntil !== undefined) {
    const [ey, em, ed] = parseLocalDate(v.effectiveUntil)!;
    r.enddate = localMidnightUtc(t.timeZone, ey, em, ed);
  }
  if (v.monthCharges !== undefined) {
    r[MONTH_CHARGES_FIELD] = v.monthCharges.map((c) => ({ name: c.name, months: [...c.months], charge: dollarsFromMicroUsd(c.microUsd) }));
  }
  if (v.urdbLabel !== undefined) r.label = v.urdbLabel;
  if (t.utility !== undefined) r.utility = t.utility;
  if (t.source !== undefined) r.source = t.source;
  if (t.description !== undefined) r.description = t.description;
  const both = (a: number | undefined, b: number | undefined, field: string): void => {
    if (a !== undefined && b !== undefined) throw new TariffError(`versions[${i}].${field}`, "URDB holds either a monthly or a daily amount, not both");
  };
  both(v.fixedChargeMicroUsdPerMonth, v.fixedChargeMicroUsdPerDay, "fixedChargeMicroUsdPerDay");
  both(v.minimumChargeMicroUsdPerMonth, v.minimumChargeMicroUsdPerDay, "minimumChargeMicroUsdPerDay");
  if (v.fixedChargeMicroUsdPerMonth !== undefined) { r.fixedchargefirstmeter = dollarsFromMicroUsd(v.fixedChargeMicroUsdPerMonth); r.fixedchargeunits = "$/month"; }
  if (v.fixedChargeMicroUsdPerDay !== undefined) { r.fixedchargefirstmeter = dollarsFromMicroUsd(v.fixedChargeMicroUsdPerDay); r.fixedchargeunits = "$/day"; }
  if (v.minimumChargeMicroUsdPerMonth !== undefined) { r.mincharge = dollarsFromMicroUsd(v.minimumChargeMicroUsdPerMonth); r.minchargeunits = "$/month"; }
  if (v.minimumChargeMicroUsdPerDay !== undefined) { r.mincharge = dollarsFromMicroUsd(v.minimumChargeMicroUsdPerDay); r.minchargeunits = "$/day"; }
  return r;
}

/** The tariff back in URDB shape, one record per version, in the API's `{ items }` envelope. */
export function exportUrdb(tariff: Tariff): { items: UrdbRecord[] } {
  validateTariff(tariff);
  return { items: tariff.versions.map((v, i) => exportVersion(tariff, v, i)) };
}
