import { test } from "uvu";
import * as assert from "uvu/assert";
import { monthBill } from "./month-bill.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { at, run } from "./test-support.ts";
import type { MeteredInterval, Tariff, TariffVersion } from "./types.ts";
import type { Wh } from "../units/energy.ts";

/** For each local day d (1..days) of `ym`, intervals built by `perDay(date)`. */
function month(ym: string, days: number, perDay: (date: string) => MeteredInterval[]): MeteredInterval[] {
  return Array.from({ length: days }, (_, i) => perDay(`${ym}-${String(i + 1).padStart(2, "0")}`)).flat();
}
const offset = (date: string): string => (date >= "2024-03-10" && date < "2024-11-03" ? "-07:00" : "-08:00");
const local = (date: string, hhmm: string) => at(`${date}T${hhmm}:00${offset(date)}`);

test("FR-34: SCE TOU-D-PRIME (example), July 2024, hand-checked", () => {
  // July 2024: 31 days, July 1 is a Monday. Weekdays: 23, less Thursday July 4 (holiday) = 22; weekend+holiday days: 9.
  // Every night 00:00-02:00: 8 × 1800 Wh = 14.4 kWh, Summer Off-Peak. Every day 17:00-17:15: 500 Wh,
  // On-Peak on the 22 weekdays, Mid-Peak on the 9 other days.
  const ivs = month("2024-07", 31, (d) => [...run(local(d, "00:00"), 8, 900, 1800), ...run(local(d, "17:00"), 1, 900, 500)]);
  const b = monthBill({ tariff: EXAMPLE_TARIFFS.sceTouDPrime, month: "2024-07", intervals: ivs });
  const cents = Object.fromEntries(b.lines.map((l) => [l.periodName ?? l.kind, l.cents]));
  // On-Peak:  22 × 500 = 11,000 Wh × $0.61 = $6.71                      →   671 ¢
  // Mid-Peak:  9 × 500 =  4,500 Wh × $0.41 = $1.845 (half a cent: up)  →   185 ¢
  // Off-Peak: 31 × 14,400 = 446,400 Wh × $0.27 = $120.528               → 12053 ¢
  // Daily basic charge: 31 × $0.40 = $12.40                             →  1240 ¢
  assert.equal(cents, { "Summer On-Peak": 671, "Summer Mid-Peak": 185, "Summer Off-Peak": 12053, fixed: 1240 });
  assert.is(b.lines.find((l) => l.periodName === "Summer Mid-Peak")!.nanoUsd, 1_845_000_000);
  assert.is(b.totalWh, 461_900);
  assert.is(b.totalCents, 671 + 185 + 12053 + 1240); // 14149 ¢ = $141.49
});

test("FR-34: PG&E EV2-A (example), January 2024, hand-checked; and a low-use month hits the minimum", () => {
  // January 2024 (winter, every day alike): 00:00-04:00 16 × 1500 Wh = 24 kWh off-peak; 21:00-22:00 4 × 1000 Wh = 4 kWh
  // partial-peak; 18:00-18:15 250 Wh peak. × 31 days.
  const ivs = month("2024-01", 31, (d) => [
    ...run(local(d, "00:00"), 16, 900, 1500), ...run(local(d, "21:00"), 4, 900, 1000), ...run(local(d, "18:00"), 1, 900, 250)]);
  const b = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-01", intervals: ivs });
  // Off-peak 744,000 Wh × $0.31 = $230.64; partial-peak 124,000 Wh × $0.47 = $58.28; peak 7,750 Wh × $0.49 = $3.7975 → 380 ¢.
  // Minimum 31 × $0.39 = $12.09 is below $292.72: no top-up line.
  assert.equal(b.lines.map((l) => [l.kind, l.periodName, l.cents]), [
    ["energy", "Winter Peak", 380], ["energy", "Winter Partial-Peak", 5828], ["energy", "Winter Off-Peak", 23064]]);
  assert.is(b.totalCents, 29272);

  // February 2024 (29 days), 10 kWh off-peak only: $3.10 of energy; minimum 29 × $0.39 = $11.31 → top-up $8.21.
  const low = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-02", intervals: run(local("2024-02-10", "01:00"), 4, 900, 2500) });
  assert.equal(low.lines.map((l) => [l.kind, l.cents]), [["energy", 310], ["minimum", 821]]);
  assert.is(low.totalCents, 1131);
});

test("FR-33/FR-34: premises default (PG&E E-TOU-C example), August 2024, with a guest credit and a debit, hand-checked", () => {
  // Every day 19:00-20:00 4 × 750 Wh = 3 kWh Summer Peak; 02:00-03:00 4 × 1250 Wh = 5 kWh Summer Off-Peak; 31 days.
  const ivs = month("2024-08", 31, (d) => [...run(local(d, "19:00"), 4, 900, 750), ...run(local(d, "02:00"), 4, 900, 1250)]);
  const b = monthBill({
    tariff: EXAMPLE_TARIFFS.premisesDefault, month: "2024-08", intervals: ivs,
    credits: [{ description: "Guest charging credit", nanoUsd: 5_005_000_000 }], // $5.005 → −501 ¢ (half away from zero)
    debits: [{ description: "Charging away from home", nanoUsd: 2_500_000_000 }],
  });
  // Peak 93,000 Wh × $0.60 = $55.80; off-peak 155,000 Wh × $0.50 = $77.50; minimum 31 × $0.39 = $12.09 not reached.
  assert.equal(b.lines.map((l) => [l.kind, l.cents]), [["energy", 5580], ["energy", 7750], ["debit", 250], ["credit", -501]]);
  assert.is(b.totalCents, 5580 + 7750 + 250 - 501); // 13079 ¢
});

test("month boundary: an interval across local midnight July 31 → August 1 is shared between the two bills", () => {
  const iv: MeteredInterval[] = [{ start: at("2024-07-31T23:30:00-07:00"), lengthS: 3600, wh: 1001 as Wh }];
  const july = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-07", intervals: iv });
  const aug = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-08", intervals: iv });
  assert.is(july.totalWh, 500); // ⌊1001·1800/3600⌋
  assert.is(aug.totalWh, 501);
  // A month is local: 2024-08-01T06:30Z is still July 31 in Los Angeles.
  assert.is(monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-07", intervals: run("2024-08-01T06:30:00Z", 1, 900, 7) }).totalWh, 7);
});

test("a rate change mid-month: energy and days priced by the version in force, monthly charge shared by days", () => {
  const flat = (rate: number) => ({
    periodNames: ["All hours"], energyratestructure: [[{ rate, adj: 0, unit: "kWh" as const }]],
    energyweekdayschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
    energyweekendschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
    fixedChargeMicroUsdPerMonth: 10_000_000, // $10/month
  });
  const t: Tariff = { id: "two", name: "two versions", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2024-01-01", ...flat(100_000) }, { effectiveFrom: "2024-04-11", ...flat(200_000) }] };
  const ivs = [...run(local("2024-04-05", "12:00"), 4, 900, 250), ...run(local("2024-04-20", "12:00"), 4, 900, 250)];
  const b = monthBill({ tariff: t, month: "2024-04", intervals: ivs });
  // April: 10 days at version 1 (1st-10th), 20 at version 2. Energy 1 kWh at $0.10 and 1 kWh at $0.20.
  // $10 monthly shared by days: 10/30 → $3.333333333 (⌊1e10·10/30⌋ n$), 20/30 → the rest, $6.666666667.
  assert.equal(b.lines.map((l) => [l.kind, l.nanoUsd, l.cents]), [
    ["energy", 100_000_000, 10], ["energy", 200_000_000, 20],
    ["fixed", 3_333_333_333, 333], ["fixed", 6_666_666_667, 667]]);
  assert.is(b.totalCents, 1030);
});

const flatVersion = (rate: number, extra: Partial<TariffVersion> = {}): Omit<TariffVersion, "effectiveFrom"> => ({
  periodNames: ["All hours"], energyratestructure: [[{ rate, adj: 0, unit: "kWh" as const }]],
  energyweekdayschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
  energyweekendschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
  fixedChargeMicroUsdPerMonth: 10_000_000, // $10/month
  ...extra,
});
const pathOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof TariffError) return e.path; throw e; }
  throw new Error("expected a TariffError");
};

test("FR-34: an account opened mid-month pays the monthly charge for its days of service only (days / days in month)", () => {
  const t: Tariff = { id: "flat10", name: "flat, $10/month", timeZone: "America/Los_Angeles", versions: [{ effectiveFrom: "2024-01-01", ...flatVersion(100_000) }] };
  // February 2024 has 29 days. Opened on the 10th: days 10..29 = 20 days. $10 × 20/29 = $6.8966 → 690 ¢.
  // Exactly: ⌊10¹⁰·29/29⌋ − ⌊10¹⁰·9/29⌋ = 10,000,000,000 − 3,103,448,275 = 6,896,551,725 n$.
  const opened = monthBill({ tariff: t, month: "2024-02", intervals: [], accountOpenedOn: "2024-02-10" });
  assert.equal(opened.lines.map((l) => [l.kind, l.description, l.nanoUsd, l.cents]), [["fixed", "Monthly customer charge (20 of 29 days)", 6_896_551_725, 690]]);
  // Opened the 10th, closed the 20th: 11 days, ⌊10¹⁰·20/29⌋ − ⌊10¹⁰·9/29⌋ = 3,793,103,449 n$ → 379 ¢ ($10 × 11/29 = $3.7931).
  const both = monthBill({ tariff: t, month: "2024-02", intervals: [], accountOpenedOn: "2024-02-10", accountClosedOn: "2024-02-20" });
  assert.equal(both.lines.map((l) => [l.nanoUsd, l.cents]), [[3_793_103_449, 379]]);
  // The parts of a month add up to the whole: 1st-9th plus 10th-29th is exactly $10.
  const before = monthBill({ tariff: t, month: "2024-02", intervals: [], accountClosedOn: "2024-02-09" });
  assert.is(before.lines[0]!.nanoUsd + opened.lines[0]!.nanoUsd, 10_000_000_000);
  // Opened before the month, or on its first day: the whole charge.
  assert.is(monthBill({ tariff: t, month: "2024-03", intervals: [], accountOpenedOn: "2024-02-10" }).totalCents, 1000);
  assert.is(monthBill({ tariff: t, month: "2024-03", intervals: [], accountOpenedOn: "2024-03-01" }).totalCents, 1000);
});

test("FR-34: daily charges and the minimum count days of service; energy before the opening day is refused", () => {
  const t = EXAMPLE_TARIFFS.sceTouDPrime; // $0.40/day
  // Opened 2024-07-20: days 20..31 = 12 days × $0.40 = $4.80.
  const b = monthBill({ tariff: t, month: "2024-07", intervals: run(local("2024-07-20", "01:00"), 4, 900, 250), accountOpenedOn: "2024-07-20" });
  assert.equal(b.lines.map((l) => [l.kind, l.cents]), [["energy", 27], ["fixed", 480]]); // 1 kWh × $0.27
  assert.is(b.lines[1]!.description, "Daily basic charge: 12 days × $0.40");
  // Energy on the 19th belongs to no account of this bill: refused, naming the interval.
  const early = [...run(local("2024-07-19", "23:45"), 1, 900, 100), ...run(local("2024-07-20", "01:00"), 4, 900, 250)];
  assert.is(pathOf(() => monthBill({ tariff: t, month: "2024-07", intervals: early, accountOpenedOn: "2024-07-20" })), "intervals[0]");
  // ... and energy after the closing day too.
  const late = run(local("2024-07-25", "12:00"), 1, 900, 100);
  assert.is(pathOf(() => monthBill({ tariff: t, month: "2024-07", intervals: late, accountClosedOn: "2024-07-24" })), "intervals[0]");
  // The minimum is prorated the same way: EV2-A opened 2024-02-25 (5 days of 29) with no energy: 5 × $0.39 = $1.95.
  const min = monthBill({ tariff: EXAMPLE_TARIFFS.pgeEv2A, month: "2024-02", intervals: [], accountOpenedOn: "2024-02-25" });
  assert.equal(min.lines.map((l) => [l.kind, l.cents]), [["minimum", 195]]);
});

test("FR-31, FR-34: no bill for a month the account was not open; bad account dates name the field", () => {
  const t = EXAMPLE_TARIFFS.sceTouDPrime;
  assert.throws(() => monthBill({ tariff: t, month: "2024-06", intervals: [], accountOpenedOn: "2024-07-01" }),
    (e: unknown) => e instanceof TariffError && e.path === "month" && /2024-06 ends before the account opened on 2024-07-01/.test(e.message));
  assert.throws(() => monthBill({ tariff: t, month: "2024-08", intervals: [], accountClosedOn: "2024-07-31" }),
    (e: unknown) => e instanceof TariffError && e.path === "month" && /closed on 2024-07-31/.test(e.message));
  assert.is(pathOf(() => monthBill({ tariff: t, month: "2024-07", intervals: [], accountOpenedOn: "2024-07-10", accountClosedOn: "2024-07-09" })), "accountClosedOn");
  assert.is(pathOf(() => monthBill({ tariff: t, month: "2024-07", intervals: [], accountOpenedOn: "2024-02-30" })), "accountOpenedOn");
  assert.is(pathOf(() => monthBill({ tariff: t, month: "2024-07", intervals: [], accountClosedOn: "July 4" })), "accountClosedOn");
  // Opened and closed on the same day: one day.
  assert.is(monthBill({ tariff: t, month: "2024-07", intervals: [], accountOpenedOn: "2024-07-04", accountClosedOn: "2024-07-04" }).totalCents, 40);
});

test("a month partly without a valid tariff version is an error naming the dates, unless the account was closed by then", () => {
  const t: Tariff = { id: "ends", name: "ends mid-April", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2024-01-01", effectiveUntil: "2024-04-16", ...flatVersion(100_000) }] };
  assert.throws(() => monthBill({ tariff: t, month: "2024-04", intervals: [] }),
    (e: unknown) => e instanceof TariffError && e.path === "month" && /in force on 2024-04-16\.\.2024-04-30 \(its versions cover 2024-01-01\.\.2024-04-15\)/.test(e.message));
  assert.throws(() => monthBill({ tariff: t, month: "2024-05", intervals: [] }), /2024-05-01\.\.2024-05-31/);
  // Before the first version, likewise (this used to bill those days nothing).
  assert.throws(() => monthBill({ tariff: t, month: "2023-12", intervals: [] }), /2023-12-01\.\.2023-12-31/);
  // Closed on the 15th: every day of service has a rate. $10 × 15/30 = $5.00.
  assert.is(monthBill({ tariff: t, month: "2024-04", intervals: [], accountClosedOn: "2024-04-15" }).totalCents, 500);
});

test("month charges: the version in force on the last day of service decides; charges are billed whole, not prorated", () => {
  const credit = { name: "Spring credit", months: [4], microUsd: -20_000_000 };
  const t: Tariff = { id: "credit-from-11th", name: "credit added mid-April", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2024-01-01", ...flatVersion(100_000) }, { effectiveFrom: "2024-04-11", ...flatVersion(100_000, { monthCharges: [credit] }) }] };
  const apr = monthBill({ tariff: t, month: "2024-04", intervals: [] });
  // $10 shared 10/30 and 20/30 (333 + 667 ¢), then the $20 credit.
  assert.equal(apr.lines.map((l) => [l.kind, l.cents]), [["fixed", 333], ["fixed", 667], ["month-charge", -2000]]);
  assert.is(apr.totalCents, -1000);
  // Closed on the 5th, under the first version: no credit (and 5 days of the charge, ⌊10¹⁰·5/30⌋ n$ → 167 ¢).
  assert.equal(monthBill({ tariff: t, month: "2024-04", intervals: [], accountClosedOn: "2024-04-05" }).lines.map((l) => [l.kind, l.cents]), [["fixed", 167]]);
  // Opened on the 29th: the whole credit (2 days of the charge: 67 ¢).
  assert.equal(monthBill({ tariff: t, month: "2024-04", intervals: [], accountOpenedOn: "2024-04-29" }).lines.map((l) => [l.kind, l.cents]), [["fixed", 67], ["month-charge", -2000]]);
  assert.not.ok(monthBill({ tariff: t, month: "2024-05", intervals: [] }).lines.some((l) => l.kind === "month-charge"));
});

test("bad bill input names the field", () => {
  const t = EXAMPLE_TARIFFS.pgeEv2A;
  assert.throws(() => monthBill({ tariff: t, month: "2024-13", intervals: [] }), (e: unknown) => e instanceof TariffError && e.path === "month");
  assert.throws(() => monthBill({ tariff: t, month: "2024-01", intervals: [], credits: [{ description: "x", nanoUsd: 1.5 }] }),
    (e: unknown) => e instanceof TariffError && e.path === "credits[0].nanoUsd");
});

test.run();
