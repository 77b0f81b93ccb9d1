import { test } from "uvu";
import * as assert from "uvu/assert";
import { nextCheaperStart, priceAt } from "./price.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { at, hourlyTariff } from "./test-support.ts";
import { toIso } from "../time/utc.ts";

const sce = EXAMPLE_TARIFFS.sceTouDPrime;

test("priceAt gives the current price and the span it holds for", () => {
  const p = priceAt(sce, at("2024-07-02T17:30:00-07:00")); // a Tuesday in summer
  assert.is(p.periodName, "Summer On-Peak");
  assert.is(p.priceMicroUsdPerKWh, 610_000);
  assert.is(toIso(p.since), "2024-07-02T23:00:00Z"); // 16:00 PDT
  assert.is(toIso(p.until), "2024-07-03T04:00:00Z"); // 21:00 PDT
  // Off-peak from Friday 21:00 runs to Saturday 16:00, then the weekend's Mid-Peak.
  const f = priceAt(sce, at("2024-07-05T23:00:00-07:00"));
  assert.is(f.periodName, "Summer Off-Peak");
  assert.is(toIso(f.until), "2024-07-06T23:00:00Z");
});

test("priceAt across DST: the winter off-peak night of 2024-11-03 runs from midnight to 15:00: 15 local hours but 16 real ones", () => {
  const p = priceAt(EXAMPLE_TARIFFS.pgeEv2A, at("2024-11-03T01:30:00-08:00")); // the second 01:30
  assert.is(p.periodName, "Winter Off-Peak");
  assert.is(toIso(p.since), "2024-11-03T07:00:00Z"); // midnight PDT (partial-peak 21-24 before it)
  assert.is(toIso(p.until), "2024-11-03T23:00:00Z"); // 15:00 PST
  assert.is(p.until - p.since, 16 * 3600); // 15 local hours + the repeated one
});

test("nextCheaperStart finds when the price next drops, or null", () => {
  const n = nextCheaperStart(sce, at("2024-07-02T17:30:00-07:00"))!;
  assert.is(n.periodName, "Summer Off-Peak");
  assert.is(toIso(n.since), "2024-07-03T04:00:00Z");
  // Winter 2 p.m. is Super Off-Peak, the lowest price of the year: nothing is cheaper within the horizon.
  assert.is(nextCheaperStart(sce, at("2024-01-09T14:00:00-08:00")), null);
  // In the hourly test tariff, at 05:30 the next cheaper hour is midnight.
  assert.is(toIso(nextCheaperStart(hourlyTariff(), at("2024-05-01T05:30:00-07:00"))!.since), "2024-05-02T07:00:00Z");
});

test("priceAt refuses a moment before the tariff's first version, naming it", () => {
  assert.throws(() => priceAt(hourlyTariff(), at("2019-06-01T00:00:00Z")), (e: unknown) => e instanceof TariffError && /no version/.test(e.message));
  assert.throws(() => priceAt(sce, 1.5 as never), (e: unknown) => e instanceof TariffError && e.path === "t");
});

test("an expiring tariff: the price holds only until effectiveUntil, and there is no price after it", () => {
  const ending = { ...sce, id: "sce-ending", versions: [{ ...sce.versions[0]!, effectiveUntil: "2024-08-01" }] };
  const p = priceAt(ending, at("2024-07-31T22:00:00-07:00")); // summer off-peak, would run to 16:00 the next day
  assert.is(toIso(p.until), "2024-08-01T07:00:00Z"); // local midnight: the record's end
  assert.throws(() => priceAt(ending, at("2024-08-01T00:00:00-07:00")), /local date 2024-08-01\); its versions cover 2024-01-01\.\.2024-07-31/);
  // From 17:00 on-peak, the next cheaper span starts at 21:00 and ends with the record, not at 16:00 the next day.
  const n = nextCheaperStart(ending, at("2024-07-31T17:00:00-07:00"))!;
  assert.equal([toIso(n.since), toIso(n.until)], ["2024-08-01T04:00:00Z", "2024-08-01T07:00:00Z"]);
  // From the last off-peak minutes, nothing cheaper comes: the gap has no price at all.
  assert.is(nextCheaperStart(ending, at("2024-07-31T23:30:00-07:00")), null);
});

test.run();
