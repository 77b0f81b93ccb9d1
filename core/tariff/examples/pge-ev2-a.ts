// EXAMPLE rate, not for real bills: shaped after Pacific Gas and Electric's residential Electric Schedule EV2
// (EV2-A, home charging), as published by PG&E in 2024 (https://www.pge.com/tariffs/ , "EV2"). Same hours every
// day of the year, weekends and holidays included: peak 4-9 p.m., partial-peak 3-4 p.m. and 9 p.m.-midnight,
// off-peak midnight-3 p.m. Prices are rounded to the cent and approximate; the minimum is the schedule's
// minimum delivery charge, rounded to $0.39/day, applied here to the whole bill. The California Climate Credit
// (−$55.17 on the April and October bills, 2024) is a month charge of the tariff.
import type { Tariff } from "../types.ts";
import { day, JUNE_TO_SEPTEMBER, year } from "./schedule-grid.ts";
import { PGE_CLIMATE_CREDIT_2024 } from "./pge-climate-credit.ts";

const S_PEAK = 0, S_PART = 1, S_OFF = 2, W_PEAK = 3, W_PART = 4, W_OFF = 5;
const days = year(
  JUNE_TO_SEPTEMBER,
  day(S_OFF, [15, 16, S_PART], [16, 21, S_PEAK], [21, 24, S_PART]),
  day(W_OFF, [15, 16, W_PART], [16, 21, W_PEAK], [21, 24, W_PART]),
);

export const pgeEv2A: Tariff = {
  id: "pge-ev2-a",
  name: "EXAMPLE: PG&E EV2-A (shaped after, rounded)",
  utility: "Pacific Gas & Electric Co",
  timeZone: "America/Los_Angeles",
  source: "https://www.pge.com/tariffs/ (Electric Schedule EV2, rate EV2-A, 2024; figures rounded)",
  example: true,
  versions: [{
    effectiveFrom: "2024-01-01",
    periodNames: ["Summer Peak", "Summer Partial-Peak", "Summer Off-Peak", "Winter Peak", "Winter Partial-Peak", "Winter Off-Peak"],
    energyratestructure: [
      [{ rate: 620_000, adj: 0, unit: "kWh" }],
      [{ rate: 510_000, adj: 0, unit: "kWh" }],
      [{ rate: 310_000, adj: 0, unit: "kWh" }],
      [{ rate: 490_000, adj: 0, unit: "kWh" }],
      [{ rate: 470_000, adj: 0, unit: "kWh" }],
      [{ rate: 310_000, adj: 0, unit: "kWh" }],
    ],
    energyweekdayschedule: days,
    energyweekendschedule: days.map((r) => [...r]),
    minimumChargeMicroUsdPerDay: 390_000,
    monthCharges: [PGE_CLIMATE_CREDIT_2024],
  }],
};
