// The tariff model, shaped after the OpenEI Utility Rate Database (URDB) so that real URDB records import
// with their own field names. Money is integers only: prices in micro-dollars per kWh (µ$/kWh), fixed
// charges in micro-dollars, costs in nano-dollars (Wh × µ$/kWh = 10⁻³ kWh × 10⁻⁶ $/kWh = 10⁻⁹ $).
import type { UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";

/**
 * One tier of one period's energy rate. `rate + adj` is what a kWh costs (URDB splits the base rate and
 * adjustments; bills show the sum). `maxWh` is the tier's upper limit of energy (absent on the last tier),
 * counted per billing month (`unit: "kWh"`) or per day of the month (`unit: "kWh daily"`, URDB's baseline style).
 */
export interface EnergyTier {
  rate: number; // µ$/kWh, integer
  adj: number; // µ$/kWh, integer, may be negative (a credit)
  maxWh?: number; // integer Wh; absent = unlimited
  unit: "kWh" | "kWh daily";
}

/**
 * A charge (positive) or credit (negative) billed once in given calendar months, whatever the usage: e.g. PG&E's
 * California Climate Credit, a credit on the April and October bills. URDB has no such field (docs/tariffs.md).
 */
export interface MonthCharge {
  /** The bill line's text, e.g. "California Climate Credit". */
  name: string;
  /** 1-based calendar months (1 = January) whose bill carries it, each at most once. */
  months: number[];
  /** Integer µ$ per bill; negative = a credit. Not prorated for a partial month (docs/tariffs.md). */
  microUsd: number;
}

/**
 * A version of a rate, in force from `effectiveFrom` (a local date in the tariff's zone) until the next one, or
 * until `effectiveUntil` if that comes first (then the days up to the next version have no rate: an error to bill).
 */
export interface TariffVersion {
  /** Local date YYYY-MM-DD in the tariff's time zone; the version applies from that day's local midnight. */
  effectiveFrom: string;
  /** Local date YYYY-MM-DD: the first day the version no longer applies (URDB `enddate`); absent = open-ended. */
  effectiveUntil?: string;
  /** energyratestructure[period][tier]. */
  energyratestructure: EnergyTier[][];
  /** 12 months × 24 local hours of 0-based period indices, for weekdays. */
  energyweekdayschedule: number[][];
  /** 12 × 24, for weekends and holidays. */
  energyweekendschedule: number[][];
  /** One display name per period ("Off-Peak", "On-Peak", ...). */
  periodNames: string[];
  fixedChargeMicroUsdPerMonth?: number;
  fixedChargeMicroUsdPerDay?: number;
  /** A minimum bill: if energy plus fixed charges come to less, the difference is billed as a "minimum" line. */
  minimumChargeMicroUsdPerMonth?: number;
  minimumChargeMicroUsdPerDay?: number;
  /** Charges and credits of particular calendar months (not in URDB: exported as `offpeak_monthcharges`). */
  monthCharges?: MonthCharge[];
  /** The URDB record's label (its ID at OpenEI), kept for traceability. */
  urdbLabel?: string;
}

export interface Tariff {
  id: string;
  name: string;
  /** IANA zone the schedules are read in; default America/Los_Angeles. */
  timeZone: string;
  /** Sorted by effectiveFrom, strictly increasing. */
  versions: TariffVersion[];
  utility?: string;
  /** Where the figures come from (a tariff sheet URL or a URDB URI). */
  source?: string;
  /** True for the shipped example rates: shaped after a published tariff, figures rounded, not for real bills. */
  example?: boolean;
  description?: string;
}

/** Which days a time-of-use rate treats like weekends, besides Saturdays and Sundays. */
export interface HolidayCalendar {
  isHoliday(localDate: string): boolean;
}

/** Metered energy over [start, start + lengthS). */
export interface MeteredInterval {
  start: UtcSeconds;
  lengthS: number;
  wh: Wh;
}

/** Energy and cost of one (rate version, period, tier): a line of a rating or a bill. */
export interface PeriodCharge {
  period: number;
  periodName: string;
  wh: Wh;
  costNanoUsd: number;
  /** rate + adj of this tier, µ$/kWh. */
  priceMicroUsdPerKWh: number;
  tier: number;
  /** effectiveFrom of the rate version that priced it. */
  effectiveFrom: string;
}

export interface Rating {
  byPeriod: PeriodCharge[];
  totalWh: Wh;
  totalNanoUsd: number;
}

/** The price in force at a moment, and the span of time around it during which it stays the same. */
export interface PriceAt {
  period: number;
  periodName: string;
  priceMicroUsdPerKWh: number;
  since: UtcSeconds;
  until: UtcSeconds;
}

/** `month-charge`: a tariff's MonthCharge (negative for a credit); `credit`/`debit`: amounts the caller passes. */
export type BillLineKind = "energy" | "fixed" | "minimum" | "month-charge" | "credit" | "debit";

export interface BillLine {
  kind: BillLineKind;
  description: string;
  period?: number;
  periodName?: string;
  wh?: Wh;
  priceMicroUsdPerKWh?: number;
  nanoUsd: number;
  /** nanoUsd rounded once to the cent by roundToCents. */
  cents: number;
}

export interface MonthBillInput {
  tariff: Tariff;
  /** YYYY-MM, a calendar month in the tariff's zone. */
  month: string;
  intervals: readonly MeteredInterval[];
  /** Positive amounts the customer is credited (shown as negative lines), e.g. guest charging (FR-33). */
  credits?: readonly { description: string; nanoUsd: number }[];
  /** Positive amounts the customer is charged besides energy, e.g. guest charging at someone else's premises. */
  debits?: readonly { description: string; nanoUsd: number }[];
  holidays?: HolidayCalendar;
  /**
   * First day of service (local date YYYY-MM-DD, inclusive): days before it carry no fixed charge or minimum, and
   * energy before it is refused. A month that ends before it cannot be billed. Absent = open before the month.
   */
  accountOpenedOn?: string;
  /** Last day of service (local date, inclusive); absent = still open. A month after it cannot be billed. */
  accountClosedOn?: string;
}

export interface MonthBill {
  lines: BillLine[];
  totalCents: number;
  totalWh: Wh;
}

/** A price the utility sends for a span of time (e.g. a day-ahead or event price), overriding the tariff. */
export interface PriceScheduleEntry {
  start: UtcSeconds;
  end: UtcSeconds;
  priceMicroUsdPerKWh: number;
}

export interface PlanInput {
  pluggedAt: UtcSeconds;
  departAt: UtcSeconds;
  energyNeededWh: Wh;
  maxPowerW: number;
  /** The lowest steady power the charger/vehicle accepts (J1772: 6 A). A partly used slot runs at ≥ this and stops early. */
  minPowerW?: number;
  /** Slot length, seconds; slots are aligned to UTC multiples of it (default 900). */
  slotS?: number;
  tariff?: Tariff;
  priceSchedule?: readonly PriceScheduleEntry[];
  holidays?: HolidayCalendar;
}

export interface PlannedSlot {
  start: UtcSeconds;
  end: UtcSeconds;
  wh: Wh;
  /** The steady power to charge at over [start, end). */
  powerW: number;
  priceMicroUsdPerKWh: number;
}

export interface ChargePlan {
  slots: PlannedSlot[];
  feasible: boolean;
  plannedWh: Wh;
  shortfallWh: Wh;
  costNanoUsd: number;
  /** Cost of the same energy charged at full power from plug-in on: what the plan is compared against. */
  immediateCostNanoUsd: number;
  /** When infeasible: what can be done instead. */
  reason?: string;
  /** When infeasible: the earliest moment the full need could be met at full power. */
  earliestCompletion?: UtcSeconds;
}
