import { test } from "uvu";
import * as assert from "uvu/assert";
import { isVin, parseVin, vinCheckDigit, VinError } from "./vin.ts";
import { IdError, parsePremisesId } from "./ids.ts";

const ruleOf = (s: string) => { try { parseVin(s); return "ok"; } catch (e) { return (e as VinError).rule; } };

test("FR-03: a valid VIN is accepted, trimmed and upper-cased", () => {
  assert.is(parseVin(" 1hgcm82633a004352 "), "1HGCM82633A004352");
  assert.is(parseVin("11111111111111111"), "11111111111111111");
  assert.is(vinCheckDigit("1M8GDM9AXKP042788"), "X", "check digit 10 is written X");
  assert.ok(isVin("1M8GDM9AXKP042788"));
});

test("FR-03: each rule that fails is named in the error", () => {
  assert.is(ruleOf("1HGCM82633A00435"), "length");
  assert.is(ruleOf("1HGCM82633A0043521"), "length");
  assert.is(ruleOf("1HGCM82633A00I352"), "alphabet");
  assert.is(ruleOf("1HGCM82633A0043-2"), "alphabet");
  assert.is(ruleOf("1HGCM82643A004352"), "check-digit");
  assert.throws(() => parseVin("1HGCM82643A004352"), /check digit \(position 9\) is 4, expected 3/);
  assert.throws(() => parseVin("1HGCM82633A00Q352"), /letter Q at position 14 is not allowed/);
  assert.throws(() => parseVin("ABC"), /must be 17 characters, got 3/);
});

test("IDs: a clear error for empty, too long or unsafe IDs", () => {
  assert.is(parsePremisesId("PREM-1001"), "PREM-1001");
  assert.throws(() => parsePremisesId(""), (e: Error) => e instanceof IdError && /must not be empty/.test(e.message));
  assert.throws(() => parsePremisesId("a".repeat(65)), /at most 64 characters/);
  assert.throws(() => parsePremisesId("PREM 1"), /invalid premises ID "PREM 1": may hold only/);
  assert.throws(() => parsePremisesId(42), /must be a string/);
});

test.run();
