import { test } from "uvu";
import * as assert from "uvu/assert";
import { costNanoUsd, dollarsFromMicroUsd, microUsdFromDollars, roundToCents } from "./money.ts";

test("roundToCents rounds half away from zero, once, from exact nano-dollars", () => {
  assert.is(roundToCents(0), 0);
  assert.is(roundToCents(4_999_999), 0); // 0.4999999 ¢
  assert.is(roundToCents(5_000_000), 1); // exactly half a cent rounds up
  assert.is(roundToCents(15_000_000), 2); // 1.5 ¢ → 2 (not banker's 2 by luck: see 2.5)
  assert.is(roundToCents(25_000_000), 3); // 2.5 ¢ → 3 (banker's would give 2)
  assert.is(roundToCents(-5_000_000), -1); // a half-cent credit rounds to −1 ¢, symmetric with the debit
  assert.ok(Object.is(roundToCents(-4_999_999), 0)); // not −0
  assert.is(roundToCents(1_845_000_000), 185); // $1.845 → $1.85
});

test("roundToCents refuses non-integers: no floating-point money", () => {
  assert.throws(() => roundToCents(1.5), /safe integer/);
  assert.throws(() => roundToCents(2 ** 53), /safe integer/);
});

test("costNanoUsd is Wh × µ$/kWh exactly and throws past 2^53", () => {
  assert.is(costNanoUsd(1000, 270_000), 270_000_000); // 1 kWh × $0.27 = 0.27 $ = 2.7e8 n$
  assert.throws(() => costNanoUsd(2 ** 40, 2 ** 20), /exact integer range/);
});

test("dollars from URDB floats become exact micro-dollars and back", () => {
  assert.is(microUsdFromDollars(0.10986), 109_860);
  assert.is(microUsdFromDollars(0.29), 290_000); // 0.29 * 1e6 is 289999.99999999994 in floating point
  assert.is(microUsdFromDollars(0.0000005), 1); // half a µ$ rounds away from zero
  assert.is(microUsdFromDollars(-0.00115), -1150);
  assert.is(microUsdFromDollars(460.86), 460_860_000);
  for (const m of [0, 1, 109_860, 290_000, 999_999, 123_456_789]) assert.is(microUsdFromDollars(dollarsFromMicroUsd(m)), m);
});

test.run();
