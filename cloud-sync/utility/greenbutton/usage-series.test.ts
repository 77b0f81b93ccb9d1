// Readings to ESPI MeterReadings: a series per interval length, one reading per start (two EUMDs metering at once).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { QUALITY } from "./espi-codes.ts";
import { toSeries } from "./usage-series.ts";

test("readings of two PEVs in the same interval become one reading; other lengths get their own series", () => {
  const s = toSeries([
    { start: 1800, durationS: 900, wh: 300, costNano: 60_000_000, quality: null },
    { start: 900, durationS: 900, wh: 100, costNano: 20_000_000, quality: null },
    { start: 900, durationS: 900, wh: 200, costNano: 40_000_000, quality: QUALITY.estimated },
    { start: 0, durationS: 3600, wh: 1000, costNano: null, quality: null },
    { start: 1800, durationS: 900, wh: 50, costNano: null, quality: QUALITY.verified },
    { start: 2700, durationS: 900, wh: 10, costNano: 1, quality: QUALITY.estimated },
    { start: 2700, durationS: 900, wh: 20, costNano: 2, quality: QUALITY.verified },
  ]);
  assert.equal(s, [
    { intervalS: 900, readings: [
      { start: 900, durationS: 900, wh: 300, costNano: 60_000_000, quality: QUALITY.estimated },
      { start: 1800, durationS: 900, wh: 350, costNano: null, quality: QUALITY.verified },
      { start: 2700, durationS: 900, wh: 30, costNano: 3, quality: QUALITY.mixed },
    ] },
    { intervalS: 3600, readings: [{ start: 0, durationS: 3600, wh: 1000, costNano: null, quality: null }] },
  ]);
});

test.run();
