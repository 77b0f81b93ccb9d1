// core/tariff: time-of-use tariffs (URDB-shaped), exact rating, month bills and the cheapest-hours charge planner.
// One engine for the hub (estimates, planning) and the utility head-end (bills). Pure: no I/O.
export type {
  EnergyTier, MonthCharge, TariffVersion, Tariff, HolidayCalendar, MeteredInterval, PeriodCharge, Rating, PriceAt,
  BillLineKind, BillLine, MonthBillInput, MonthBill, PriceScheduleEntry, PlanInput, PlannedSlot, ChargePlan,
} from "./types.ts";
export { TariffError } from "./tariff-error.ts";
export { roundToCents, NANO_USD_PER_CENT, microUsdFromDollars, dollarsFromMicroUsd, costNanoUsd } from "./money.ts";
export { usFederalHolidays, holidayList, NO_HOLIDAYS, DEFAULT_HOLIDAYS, US_FEDERAL_HOLIDAY_NAMES, type UsFederalHolidayName } from "./holidays.ts";
export { validateTariff, versionAt } from "./validate-tariff.ts";
export { importUrdb, exportUrdb, DEFAULT_TIME_ZONE, MONTH_CHARGES_FIELD, type UrdbRecord, type UrdbMonthCharge } from "./urdb.ts";
export { rateIntervals, splitWh, checkNoOverlap } from "./rating.ts";
export { priceAt, nextCheaperStart, PRICE_HORIZON_S } from "./price.ts";
export { monthBill } from "./month-bill.ts";
export { planCharging } from "./planner.ts";
export { EXAMPLE_TARIFFS, tariffById } from "./examples/index.ts";
export * from "./local-time.ts";
export { PGE_CLIMATE_CREDIT_2024 } from "./examples/pge-climate-credit.ts";
