// EXAMPLE rate, not for real bills: the premises' default rate (what fallback charging is billed at, BR-4/BR-6),
// shaped after Pacific Gas and Electric's residential Electric Schedule E-TOU-C, as published by PG&E in 2024
// (https://www.pge.com/tariffs/ , "E-TOU-C"): peak 4-9 p.m. every day, off-peak otherwise. Prices rounded and
// approximate; the baseline credit of the real schedule is left out; minimum delivery charge rounded to $0.39/day;
// the California Climate Credit (−$55.17 in April and October, 2024) as a month charge.
import type { Tariff } from "../types.ts";
import { day, JUNE_TO_SEPTEMBER, year } from "./schedule-grid.ts";
import { PGE_CLIMATE_CREDIT_2024 } from "./pge-climate-credit.ts";

const S_PEAK = 0, S_OFF = 1, W_PEAK = 2, W_OFF = 3;
const days = year(JUNE_TO_SEPTEMBER, day(S_OFF, [16, 21, S_PEAK]), day(W_OFF, [16, 21, W_PEAK]));

export const pgeETouC: Tariff = {
  id: "pge-e-tou-c",
  name: "EXAMPLE: PG&E E-TOU-C premises default (shaped after, rounded)",
  utility: "Pacific Gas & Electric Co",
  timeZone: "America/Los_Angeles",
  source: "https://www.pge.com/tariffs/ (Electric Schedule E-TOU-C, 2024; figures rounded, no baseline credit)",
  example: true,
  versions: [{
    effectiveFrom: "2024-01-01",
    periodNames: ["Summer Peak", "Summer Off-Peak", "Winter Peak", "Winter Off-Peak"],
    energyratestructure: [
      [{ rate: 600_000, adj: 0, unit: "kWh" }],
      [{ rate: 500_000, adj: 0, unit: "kWh" }],
      [{ rate: 490_000, adj: 0, unit: "kWh" }],
      [{ rate: 460_000, adj: 0, unit: "kWh" }],
    ],
    energyweekdayschedule: days,
    energyweekendschedule: days.map((r) => [...r]),
    minimumChargeMicroUsdPerDay: 390_000,
    monthCharges: [PGE_CLIMATE_CREDIT_2024],
  }],
};
