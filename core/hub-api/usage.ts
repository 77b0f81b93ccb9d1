// The dashboard's Usage page: GET /api/v1/dashboard/usage?month=YYYY-MM, daily charging energy by price period,
// and the bills the hub synced from the utility (FR-34, FR-35).

export interface PeriodUsage { periodName: string; wh: number; nanoUsd: number }

/** A day's cost and its split by price period, or why it could not be priced. */
export type DayPricing = { nanoUsd: number; byPeriod: PeriodUsage[]; unpriced: null } | { nanoUsd: null; byPeriod: null; unpriced: string };

export type UsageDay = { date: string; wh: number } & DayPricing;

export type BillLineKindName = "pev-debit" | "default-rate-debit" | "guest-credit" | "guest-debit" | "roaming-debit" | "fixed" | "reversal" | "adjustment";

export interface BillLineView {
  kind: BillLineKindName;
  description: string;
  postedAt: number;
  sessionId?: string;
  wh: number;
  /** Positive = owed by the customer, negative = credit. */
  amountCents: number;
  rateMicroUsdPerKWh?: number;
}

/** A monthly bill as the utility issued it (cloud-sync/protocol bills.ts validates it on arrival). */
export interface BillView {
  billId: string;
  utilityId: string;
  customerId: string;
  accountId: string;
  premisesId: string;
  /** `YYYY-MM` in the utility's time zone; periodStart/End are its UTC bounds. */
  month: string;
  periodStart: number;
  periodEnd: number;
  issuedAt: number;
  programId: string | null;
  tariffId: string | null;
  pevWh: number;
  debitsCents: number;
  creditsCents: number;
  totalCents: number;
  lines: BillLineView[];
}

export interface UsageView {
  month: string;
  timeZone: string;
  /** The premises' default tariff: what sessions not bound to a program are priced at. */
  tariffName: string;
  totalWh: number;
  totalNanoUsd: number | null;
  /** Why the month has no total: the first day that could not be priced. */
  unpriced: string | null;
  days: UsageDay[];
  /** The tariff's charges and credits for the month as a whole (e.g. a Climate Credit in April), nano-dollars. */
  monthCharges: MonthChargeView[];
  /** The charging cost plus the month charges: what the month's PEV bill is estimated at; null when unpriced. */
  estimateNanoUsd: number | null;
  bills: BillView[];
}

export interface MonthChargeView { description: string; nanoUsd: number }
