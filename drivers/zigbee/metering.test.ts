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

test("FR-20: a Multiplier or Divisor of 0, or the UINT24 non-value, is invalid, not taken as 1", () => {
  for (const [k, v, why] of [["divisor", 0, "0"], ["multiplier", 0, "0"], ["divisor", 0xffffff, "16777215"], ["multiplier", Number.NaN, "is the UINT24 non-value"]] as const) {
    assert.throws(() => summationToWh(1, { ...kwh3, [k]: v }), new RegExp(`${k} ${why} is invalid`), `${k} = ${v}`);
  }
  assert.throws(() => summationToWh(1, { ...kwh3, unitOfMeasure: Number.NaN }), /not kWh\/kW/, "the ENUM8 non-value is not kWh");
});

test("FR-20: the UINT48 summation non-value is not energy; a demand non-value is unknown power, not 0 W", () => {
  assert.throws(() => summationToWh(0xffffffffffff, kwh3), /UINT48 non-value 0xFFFFFFFFFFFF/);
  assert.throws(() => summationToWh(0xffffffffffffn, kwh3), /UINT48 non-value/);
  assert.is(summationToWh(0xfffffffffffe, { ...kwh3, divisor: 1000 }), 0xfffffffffffe, "one below is a value");
  assert.is(demandToW(Number.NaN, kwh3), null, "herdsman's NaN for 0x800000");
  assert.is(demandToW(-0x800000, kwh3), null, "the raw INT24 non-value");
  assert.is(demandToW(-0x7fffff, kwh3), -0x7fffff, "the lowest real demand");
});

test("FR-20: ZigbeeSeMeter refuses a 0 divisor from the device and reports a demand non-value as unknown", async () => {
  const clock = new TestClock();
  const format: Record<string, number> = { unitOfMeasure: 0, multiplier: 1, divisor: 0, summaFormatting: 0x2b };
  let values: Record<string, number> = { currentSummDelivered: 5000, instantaneousDemand: Number.NaN };
  const source = { label: "zigbee meter Z/1", readAttributes: async (names: string[]) => (names.includes("divisor") ? format : values) };
  const m = new ZigbeeSeMeter(source, clock, 0);
  await m.read().then(() => assert.unreachable("divisor 0 read as 1"), (e: Error) => assert.match(e.message, /divisor 0 is invalid/));
  m.onAttributes({ divisor: 1000 });
  const r = await m.read();
  assert.equal([r.energyWh, r.powerW, r.powerUnknown], [5000, 0, true], "power unknown, energy still counted");
  values = { currentSummDelivered: 0xffffffffffff, instantaneousDemand: 1200 };
  clock.advance(1);
  await m.read().then(() => assert.unreachable("non-value read as energy"), (e: Error) => assert.match(e.message, /UINT48 non-value/));
  values = { currentSummDelivered: 5100, instantaneousDemand: 1200 };
  clock.advance(1);
  const ok = await m.read();
  assert.equal([ok.energyWh, ok.powerW, ok.powerUnknown], [5100, 1200, undefined]);
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
