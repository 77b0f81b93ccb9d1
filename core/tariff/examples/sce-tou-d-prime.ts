// EXAMPLE rate, not for real bills: shaped after Southern California Edison's residential Schedule TOU-D, option
// PRIME (the EV / battery / heat-pump time-of-use plan), as published by SCE in 2024
// (https://www.sce.com/residential/rates/Time-Of-Use-Residential-Rate-Plans; tariff book at
// https://www.sce.com/regulatory/tariff-books/rates-pricing-choices). Periods and hours follow the schedule;
// prices are rounded to the cent and approximate; the $0.40 daily basic charge is as published then.
// Holidays (SCE's list) are priced like weekends.
import type { Tariff } from "../types.ts";
import { day, JUNE_TO_SEPTEMBER, year } from "./schedule-grid.ts";

const SUMMER_ON = 0, SUMMER_MID = 1, SUMMER_OFF = 2, WINTER_MID = 3, WINTER_OFF = 4, WINTER_SUPER_OFF = 5;
const winterDay = day(WINTER_OFF, [8, 16, WINTER_SUPER_OFF], [16, 21, WINTER_MID]);

export const sceTouDPrime: Tariff = {
  id: "sce-tou-d-prime",
  name: "EXAMPLE: SCE TOU-D-PRIME (shaped after, rounded)",
  utility: "Southern California Edison Co",
  timeZone: "America/Los_Angeles",
  source: "https://www.sce.com/residential/rates/Time-Of-Use-Residential-Rate-Plans (Schedule TOU-D, option PRIME, 2024; figures rounded)",
  example: true,
  versions: [{
    effectiveFrom: "2024-01-01",
    periodNames: ["Summer On-Peak", "Summer Mid-Peak", "Summer Off-Peak", "Winter Mid-Peak", "Winter Off-Peak", "Winter Super Off-Peak"],
    energyratestructure: [
      [{ rate: 610_000, adj: 0, unit: "kWh" }],
      [{ rate: 410_000, adj: 0, unit: "kWh" }],
      [{ rate: 270_000, adj: 0, unit: "kWh" }],
      [{ rate: 570_000, adj: 0, unit: "kWh" }],
      [{ rate: 250_000, adj: 0, unit: "kWh" }],
      [{ rate: 240_000, adj: 0, unit: "kWh" }],
    ],
    energyweekdayschedule: year(JUNE_TO_SEPTEMBER, day(SUMMER_OFF, [16, 21, SUMMER_ON]), winterDay),
    energyweekendschedule: year(JUNE_TO_SEPTEMBER, day(SUMMER_OFF, [16, 21, SUMMER_MID]), winterDay),
    fixedChargeMicroUsdPerDay: 400_000,
  }],
};
