import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../core/time/index.ts";
import { demandToW, displaySummation, summationToWh, ZigbeeSeMeter, type MeteringFormat } from "./metering.ts";

const kwh3: MeteringFormat = { unitOfMeasure: 0, multiplier: 1, divisor: 1000, summationFormatting: 0x2b };

test("FR-20: summation × multiplier ÷ divisor in kWh becomes whole Wh, floored so differences never invent energy", () => {
  assert.is(summationToWh(12_345_678, kwh3), 12_345_678);
  assert.is(summationToWh(12_345, { ...kwh3, divisor: 100 }), 123_450);
  assert.is(summationToWh(7, { ...kwh3, divisor: 3 }), 2333, "2.333… kWh → 2333 Wh, floored");
  assert.is(summationToWh(2n ** 47n, { ...kwh3, divisor: 1000 }), 140_737_488_355_328, "UINT48 range exact");
  assert.is(summationToWh(5, { ...kwh3, multiplier: 10, divisor: 1 }), 50_000);
});

test("BCD unit of measure (0x80) and demand in W", () => {
  assert.is(summationToWh(0x1234, { ...kwh3, unitOfMeasure: 0x80, divisor: 10 }), 123_400);
  assert.throws(() => summationToWh(0x12a4, { ...kwh3, unitOfMeasure: 0x80 }), /not valid BCD/);
  assert.is(demandToW(7_200, kwh3), 7_200);
  assert.is(demandToW(-1_500, kwh3), -1_500, "export shows as negative demand");
  assert.is(displaySummation(12_345_678, kwh3), "12345.678 kWh");
});

test("bad metering configuration is refused by name", () => {
  assert.throws(() => summationToWh(1, { ...kwh3, unitOfMeasure: 0x01 }), /not kWh\/kW: not an electricity meter/);
  assert.throws(() => summationToWh(1, { ...kwh3, divisor: 0 }), /divisor 0/);
  assert.throws(() => summationToWh(-1, kwh3), /negative/);
});

test("ZigbeeSeMeter reads the device when no fresh report is held, and names the device on failure", async () => {
  const clock = new TestClock();
  const reads: string[][] = [];
  const m = new ZigbeeSeMeter({ label: "zigbee meter X/1", readAttributes: async (names) => {
    reads.push(names);
    return names.includes("multiplier") ? { unitOfMeasure: 0, multiplier: 1, divisor: 1000, summaFormatting: 0x2b } : { currentSummDelivered: 5000, instantaneousDemand: 1200 };
  } }, clock, 30_000);
  assert.equal(await m.read(), { energyWh: 5000, powerW: 1200, at: clock.now() });
  m.onAttributes({ currentSummDelivered: 5100 });
  assert.is((await m.read()).energyWh, 5100);
  assert.is(reads.length, 2, "a fresh report avoids a read");
  clock.advance(31_000);
  assert.is((await m.read()).energyWh, 5000, "stale report → read again");
  const broken = new ZigbeeSeMeter({ label: "zigbee meter Y/1", readAttributes: async () => { throw new Error("no response"); } }, clock);
  await broken.read().then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /zigbee meter Y\/1: timeout: reading .*no response/));
});

test.run();
