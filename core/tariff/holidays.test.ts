import { test } from "uvu";
import * as assert from "uvu/assert";
import { holidayList, NO_HOLIDAYS, usFederalHolidays } from "./holidays.ts";
import { rateIntervals } from "./rating.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { parseIso } from "../time/utc.ts";
import type { MeteredInterval } from "./types.ts";
import type { Wh } from "../units/energy.ts";

const fed = usFederalHolidays();

test("US federal holidays on their fixed dates and floating Mondays/Thursdays (2024)", () => {
  for (const d of ["2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
    "2024-10-14", "2024-11-11", "2024-11-28", "2024-12-25"]) assert.ok(fed.isHoliday(d), d);
  for (const d of ["2024-01-02", "2024-07-05", "2024-11-29", "2024-12-24"]) assert.not.ok(fed.isHoliday(d), d);
});

test("observed-day rules: Saturday → Friday before, Sunday → Monday after, across a year end", () => {
  assert.ok(fed.isHoliday("2026-07-03")); // July 4 2026 is a Saturday
  assert.ok(fed.isHoliday("2022-12-26")); // Christmas 2022 is a Sunday
  assert.ok(fed.isHoliday("2021-12-31")); // New Year's Day 2022 is a Saturday: observed Friday Dec 31 2021
  assert.ok(fed.isHoliday("2023-01-02")); // New Year's Day 2023 is a Sunday
  assert.ok(fed.isHoliday("2027-06-18")); // Juneteenth 2027 is a Saturday
  assert.not.ok(fed.isHoliday("2020-06-19")); // Juneteenth is federal from 2021 only
});

test("configurable: extra dates, a utility's subset, or an explicit list", () => {
  const sce = usFederalHolidays(["2024-12-24"], { only: ["New Year's Day", "Washington's Birthday", "Memorial Day",
    "Independence Day", "Labor Day", "Veterans Day", "Thanksgiving Day", "Christmas Day"] });
  assert.ok(sce.isHoliday("2024-12-24"));
  assert.ok(sce.isHoliday("2024-07-04"));
  assert.not.ok(sce.isHoliday("2024-01-15")); // no MLK Day
  assert.not.ok(sce.isHoliday("2024-06-19"));
  const list = holidayList(["2024-03-15"]);
  assert.ok(list.isHoliday("2024-03-15"));
  assert.not.ok(list.isHoliday("2024-07-04"));
  assert.throws(() => usFederalHolidays(["2024-02-30"]), (e: unknown) => e instanceof TariffError && e.path === "holidays.extra[0]");
  // @ts-expect-error an unknown holiday name is a type error and a runtime error
  assert.throws(() => usFederalHolidays([], { only: ["Festivus"] }), (e: unknown) => e instanceof TariffError && e.path === "holidays.only[0]");
});

test("a holiday is priced like a weekend: SCE TOU-D-PRIME, 5 p.m. on Thursday July 4 2024 is Mid-Peak, not On-Peak", () => {
  const iv: MeteredInterval[] = [{ start: parseIso("2024-07-04T17:00:00-07:00"), lengthS: 900, wh: 1000 as Wh }];
  assert.is(rateIntervals(EXAMPLE_TARIFFS.sceTouDPrime, iv, fed).byPeriod[0]!.periodName, "Summer Mid-Peak");
  assert.is(rateIntervals(EXAMPLE_TARIFFS.sceTouDPrime, iv).byPeriod[0]!.periodName, "Summer Mid-Peak"); // default calendar
  assert.is(rateIntervals(EXAMPLE_TARIFFS.sceTouDPrime, iv, NO_HOLIDAYS).byPeriod[0]!.periodName, "Summer On-Peak");
});

test.run();
