// A whole leap year (2028) of 15-minute meter data billed under the PG&E EV2-A example, Climate Credit included,
// against a hand calculation made from the tariff sheet's figures (docs/tariffs.md, examples/pge-ev2-a.ts) with
// constants and integer arithmetic only: no call into the rating code for the expected figures.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { monthBill } from "./month-bill.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import type { MeteredInterval } from "./types.ts";
import type { UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";

// --- The meter data ------------------------------------------------------------------------------------------
// Los Angeles in 2028: PST (UTC−8) until Sunday 2028-03-12 02:00, PDT (UTC−7) until Sunday 2028-11-05 02:00.
const HOUR = 3600;
const utcDay = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 1000;
/** Local midnight of a date: PDT from March 13 to November 5 (both midnights fall inside summer time). */
const midnight = (date: string): number => utcDay(date) + (date >= "2028-03-13" && date <= "2028-11-05" ? 7 : 8) * HOUR;
/** A local afternoon or evening hour (after 03:00): PDT from March 12 to November 4. */
const evening = (date: string, h: number, min = 0): number => utcDay(date) + h * HOUR + min * 60 + (date >= "2028-03-12" && date <= "2028-11-04" ? 7 : 8) * HOUR;

const YEAR_START = midnight("2028-01-01"); // 2028-01-01T08:00Z
const YEAR_END = utcDay("2029-01-01") + 8 * HOUR; // local midnight, PST
const SLOT = 900;

function dates(): string[] {
  const out: string[] = [];
  for (let t = utcDay("2028-01-01"); t < utcDay("2029-01-01"); t += 86_400) out.push(new Date(t * 1000).toISOString().slice(0, 10));
  return out;
}

/**
 * Every 15 minutes of the local year: a 100 Wh base load (400 W). On top, every day: the EV charges 4 real hours
 * from local midnight (+1700 Wh a slot), 18:00-18:30 +900 Wh a slot (peak), 21:00-22:00 +400 Wh a slot (partial
 * peak). On February 29, 14:30-15:30 is one 1-hour interval of 1001 Wh instead of four base slots.
 */
function meterData(): MeteredInterval[] {
  const wh = new Map<number, number>();
  for (let t = YEAR_START; t < YEAR_END; t += SLOT) wh.set(t, 100);
  const add = (start: number, slots: number, extra: number): void => {
    for (let k = 0; k < slots; k++) wh.set(start + k * SLOT, wh.get(start + k * SLOT)! + extra);
  };
  for (const d of dates()) {
    add(midnight(d), 16, 1700);
    add(evening(d, 18), 2, 900);
    add(evening(d, 21), 4, 400);
  }
  const leap = evening("2028-02-29", 14, 30);
  for (let k = 0; k < 4; k++) wh.delete(leap + k * SLOT);
  const out: MeteredInterval[] = [...wh].map(([start, w]) => ({ start: start as UtcSeconds, lengthS: SLOT, wh: w as Wh }));
  out.push({ start: leap as UtcSeconds, lengthS: HOUR, wh: 1001 as Wh });
  return out.sort((a, b) => a.start - b.start);
}

// --- The hand calculation -------------------------------------------------------------------------------------
// EV2-A (example): every day peak 16-21 (5 h), partial peak 15-16 and 21-24 (4 h), off-peak 0-15 (15 h).
// Summer June-September: $0.62 / $0.51 / $0.31; winter: $0.49 / $0.47 / $0.31 (prices in µ$/kWh below).
// A normal day: peak 5 h × 400 Wh + 2 × 900 = 3,800 Wh; partial 4 h × 400 + 4 × 400 = 3,200 Wh;
// off-peak 15 h × 400 + 16 × 1700 = 33,200 Wh. March loses the off-peak hour 02:00-03:00 on the 12th (−400 Wh);
// November repeats 01:00-02:00 on the 5th (+400 Wh). February 29: the 1-hour 1001 Wh interval replaces 2 base
// slots of each of off-peak and partial peak (−200 Wh each) and splits by time at 15:00 (cumulative floor,
// docs/tariffs.md): ⌊1001 × 1800 / 3600⌋ = 500 Wh off-peak, 501 Wh partial peak.
// Climate Credit −$55.17 in April and October. Minimum $0.39/day is far below every month's energy: no top-up.
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]; // 2028 is a leap year
const SUMMER = [6, 7, 8, 9];
const PRICE = { summer: [620_000, 510_000, 310_000], winter: [490_000, 470_000, 310_000] };
const NAMES = { summer: ["Summer Peak", "Summer Partial-Peak", "Summer Off-Peak"], winter: ["Winter Peak", "Winter Partial-Peak", "Winter Off-Peak"] };
const CLIMATE_CREDIT_CENTS = -5517;

/** Wh × µ$/kWh = nano-dollars; to cents half away from zero (all energy amounts are positive). */
const cents = (wh: number, microPerKWh: number): number => Math.floor((wh * microPerKWh + 5_000_000) / 10_000_000);

function expected(month: number): { name: string; cents: number }[] {
  const d = DAYS[month - 1]!;
  let peak = 3800 * d, part = 3200 * d, off = 33200 * d;
  if (month === 3) off -= 400;
  if (month === 11) off += 400;
  if (month === 2) { off += -200 + 500; part += -200 + 501; }
  const season = SUMMER.includes(month) ? "summer" : "winter";
  const [pp, ppp, po] = PRICE[season];
  const [np, npp, no] = NAMES[season];
  const lines = [{ name: np!, cents: cents(peak, pp!) }, { name: npp!, cents: cents(part, ppp!) }, { name: no!, cents: cents(off, po!) }];
  if (month === 4 || month === 10) lines.push({ name: "California Climate Credit", cents: CLIMATE_CREDIT_CENTS });
  return lines;
}

test("FR-34: PG&E EV2-A (example) billed for leap year 2028, Climate Credit in the tariff, equals the hand calculation per line", () => {
  const ivs = meterData();
  // 366 days × 96 slots, −4 on March 12 (23 h), +4 on November 5 (25 h), −4 + 1 on February 29.
  assert.is(ivs.length, 366 * 96 - 4 + 4 - 3);
  let yearCents = 0;
  for (let month = 1; month <= 12; month++) {
    const ym = `2028-${String(month).padStart(2, "0")}`;
    const bill = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: ym, intervals: ivs });
    const got = bill.lines.map((l) => ({ name: l.periodName ?? l.description, cents: l.cents }));
    const want = expected(month);
    assert.equal(got.sort((a, b) => a.name.localeCompare(b.name)), want.sort((a, b) => a.name.localeCompare(b.name)), ym);
    assert.is(bill.totalCents, want.reduce((a, l) => a + l.cents, 0), `${ym} total`);
    yearCents += bill.totalCents;
  }
  // Written out for four months (the same arithmetic, by hand):
  // Feb: peak 110,200 Wh × 0.49 = $53.998 → 5400; partial 93,101 × 0.47 = $43.75747 → 4376; off 963,100 × 0.31 = $298.561 → 29856.
  assert.equal(expected(2).map((l) => l.cents), [5400, 4376, 29856]);
  // Mar: off-peak (31 × 33,200 − 400) = 1,028,800 Wh × 0.31 = $318.928 → 31893.
  assert.is(expected(3)[2]!.cents, 31893);
  // Apr: 5586 + 4512 + 30876 − 5517 = 35457; Nov: off-peak 996,400 Wh × 0.31 = $308.884 → 30888.
  assert.is(expected(4).reduce((a, l) => a + l.cents, 0), 35457);
  assert.is(expected(11)[2]!.cents, 30888);
  assert.is(yearCents, 496_434 + (4376 - 4362) + (29856 - 29847));
});

test("FR-34: the Climate Credit is a line of its own, once, on April and October bills only, even with no energy", () => {
  const t = EXAMPLE_TARIFFS.pgeEv2A;
  const apr = monthBill({ tariff: t, month: "2028-04", intervals: [] });
  // Minimum 30 × $0.39 = $11.70 tops up the empty energy; then the credit: 1170 − 5517 = −4347 ¢ (a credit balance).
  assert.equal(apr.lines.map((l) => [l.kind, l.description, l.cents]), [
    ["minimum", "Minimum charge top-up (minimum $11.70)", 1170], ["month-charge", "California Climate Credit", -5517]]);
  assert.is(apr.totalCents, -4347);
  assert.not.ok(monthBill({ tariff: t, month: "2028-05", intervals: [] }).lines.some((l) => l.kind === "month-charge"));
  assert.ok(monthBill({ tariff: t, month: "2028-10", intervals: [] }).lines.some((l) => l.kind === "month-charge" && l.cents === -5517));
});

test.run();
