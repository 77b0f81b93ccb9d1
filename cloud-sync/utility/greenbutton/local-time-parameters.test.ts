// ESPI LocalTimeParameters from IANA zones. The US values are the ones published Green Button sample files carry for
// US zones (dstStartRule 360E2000, dstEndRule B40E2000); every rule is also decoded here, bit by bit as the schema's
// DstRuleType describes it, and must give the zone's real transitions (Intl) for seven years.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { offsetSpans } from "../../../core/tariff/index.ts";
import { localTimeParameters, NO_DST_RULE } from "./local-time-parameters.ts";

/** The local date a DstRuleType names in `year` (month, day), per schema/espi.xsd's description of the bits. */
function ruleDate(rule: string, year: number): { month: number; day: number; hour: number; seconds: number } {
  const v = Number.parseInt(rule, 16);
  const seconds = v & 0xfff, hour = (v >>> 12) & 0x1f, weekday = (v >>> 17) & 0x7, dom = (v >>> 20) & 0x1f, op = (v >>> 25) & 0x7, month = (v >>> 28) & 0xf;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const wd = (d: number) => { const x = new Date(Date.UTC(year, month - 1, d)).getUTCDay(); return x === 0 ? 7 : x; };
  const matching = Array.from({ length: days }, (_, i) => i + 1).filter((d) => wd(d) === weekday);
  const day = op === 0 ? dom : op === 7 ? matching[matching.length - 1]! : op === 1 ? matching.find((d) => d >= dom)! : matching[op - 2]!;
  return { month, day, hour, seconds };
}

function realTransitions(zone: string, year: number, standard: number, dst: number) {
  const spans = offsetSpans(zone, Date.UTC(year, 0, 1) / 1000, Date.UTC(year + 1, 0, 1) / 1000).slice(1);
  const local = (t: number, off: number) => { const d = new Date((t + off) * 1000); return { month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), seconds: d.getUTCMinutes() * 60 + d.getUTCSeconds() }; };
  const start = spans.find((s) => s.offset === standard + dst)!, end = spans.find((s) => s.offset === standard)!;
  return { start: local(start.from, standard), end: local(end.from, standard + dst) };
}

test("US Pacific: UTC−8, DST +1 h from the second Sunday of March to the first Sunday of November at 02:00", () => {
  assert.equal(localTimeParameters("America/Los_Angeles", 2024), { tzOffsetS: -28_800, dstOffsetS: 3600, dstStartRule: "360E2000", dstEndRule: "B40E2000" });
  assert.equal(localTimeParameters("America/New_York", 2026), { tzOffsetS: -18_000, dstOffsetS: 3600, dstStartRule: "360E2000", dstEndRule: "B40E2000" });
});

test("the EU's last Sunday is written as 'last', not as the 4th Sunday that it happens to be in some years", () => {
  assert.equal(localTimeParameters("Europe/Berlin", 2024), { tzOffsetS: 3600, dstOffsetS: 3600, dstStartRule: "3E0E2000", dstEndRule: "AE0E3000" });
});

test("zones without DST: the rules are FFFFFFFF (disabled) and the offset is the zone's", () => {
  assert.equal(localTimeParameters("Asia/Tokyo", 2024), { tzOffsetS: 32_400, dstOffsetS: 0, dstStartRule: NO_DST_RULE, dstEndRule: NO_DST_RULE });
  assert.equal(localTimeParameters("America/Phoenix", 2024).dstStartRule, NO_DST_RULE);
});

test("decoded rules give the real transitions for seven years (north and south, whole and half-hour zones)", () => {
  for (const zone of ["America/Los_Angeles", "America/Denver", "Europe/London", "Europe/Berlin", "Australia/Sydney", "Pacific/Auckland", "America/St_Johns"]) {
    for (let year = 2024; year < 2031; year++) {
      const p = localTimeParameters(zone, 2024);
      const real = realTransitions(zone, year, p.tzOffsetS, p.dstOffsetS);
      assert.equal(ruleDate(p.dstStartRule, year), real.start, `${zone} ${year} start`);
      assert.equal(ruleDate(p.dstEndRule, year), real.end, `${zone} ${year} end`);
    }
  }
});

test.run();
