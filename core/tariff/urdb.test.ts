import { test } from "uvu";
import * as assert from "uvu/assert";
import { exportUrdb, importUrdb } from "./urdb.ts";
import { validateTariff } from "./validate-tariff.ts";
import { rateIntervals } from "./rating.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { at, run } from "./test-support.ts";
import fixture from "./fixtures/urdb-pge-ev2-a.json";

const clone = (): Record<string, unknown> => structuredClone(fixture) as Record<string, unknown>;
const pathOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof TariffError) return e.path; throw e; }
  throw new Error("expected a TariffError");
};

test("a real-shaped URDB record imports as-is: dollars to µ$, labels, start date, minimum charge", () => {
  const t = importUrdb(fixture);
  assert.is(t.id, "5f0000000000000000ev2a01");
  assert.is(t.timeZone, "America/Los_Angeles");
  assert.is(t.utility, "Pacific Gas & Electric Co");
  const v = t.versions[0]!;
  // startdate 1709276400 is 2024-03-01 00:00 Mountain (07:00Z): still the 1st in Los Angeles by the +12 h rule.
  assert.is(v.effectiveFrom, "2024-03-01");
  assert.equal(v.energyratestructure[0], [{ rate: 585_120, adj: 34_880, unit: "kWh" }]);
  assert.is(v.periodNames[3], "Winter Peak");
  assert.is(v.energyweekdayschedule[6]![17], 0); // July 5 p.m.: Summer Peak
  assert.is(v.minimumChargeMicroUsdPerDay, 391_670);
  assert.is(v.fixedChargeMicroUsdPerMonth, 0);
  // And it rates: 1 kWh at 5 p.m. on 2024-07-02 = $0.62000.
  assert.is(rateIntervals(t, run("2024-07-02T17:00:00-07:00", 1, 3600, 1000)).totalNanoUsd, 620_000_000);
});

test("URDB round-trip: import → export → import gives the same tariff", () => {
  const t1 = importUrdb(fixture);
  const out = exportUrdb(t1);
  assert.is(out.items.length, 1);
  assert.is(out.items[0]!.energyratestructure[2]![0]!.rate, 0.27512);
  assert.equal(importUrdb(out), t1);
  // The examples too (their own ids, since they carry no URDB label).
  for (const ex of Object.values(EXAMPLE_TARIFFS)) {
    const back = importUrdb(exportUrdb(ex), { id: ex.id });
    assert.equal(back.versions, ex.versions);
  }
});

test("several records in the API envelope become versions by start date", () => {
  const a = clone(), b = clone();
  b.startdate = at("2024-09-01T06:00:00Z");
  b.label = "second";
  (b.energyratestructure as { rate: number }[][])[2]![0]!.rate = 0.3;
  const t = importUrdb({ items: [b, a] });
  assert.equal(t.versions.map((v) => [v.effectiveFrom, v.urdbLabel]), [["2024-03-01", "5f0000000000000000ev2a01"], ["2024-09-01", "second"]]);
  validateTariff(t);
  assert.equal(importUrdb(exportUrdb(t), { id: t.id }), t);
});

test("malformed URDB records are refused with the path of the bad field", () => {
  const cases: [string, (r: Record<string, unknown>) => void][] = [
    ["energyratestructure", (r) => { delete r.energyratestructure; }],
    ["energyratestructure[2][0].rate", (r) => { (r.energyratestructure as Record<string, unknown>[][])[2]![0]!.rate = "0.27"; }],
    ["energyratestructure[1][0].unit", (r) => { (r.energyratestructure as Record<string, unknown>[][])[1]![0]!.unit = "kWh/kW"; }],
    ["energyratestructure[0][0].max", (r) => { (r.energyratestructure as Record<string, unknown>[][])[0]![0]!.max = -5; }],
    ["energyweekdayschedule[4]", (r) => { (r.energyweekdayschedule as number[][])[4]!.pop(); }],
    ["energyweekdayschedule", (r) => { (r.energyweekdayschedule as number[][]).pop(); }],
    ["energyweekendschedule[5][17]", (r) => { (r.energyweekendschedule as number[][])[5]![17] = 6; }], // only periods 0..5
    ["energyweekdayschedule[0][3]", (r) => { (r.energyweekdayschedule as number[][])[0]![3] = 1.5; }],
    ["energytoulabels", (r) => { (r.energytoulabels as string[]).pop(); }],
    ["fixedchargeunits", (r) => { r.fixedchargeunits = "$/year"; }],
    ["mincharge", (r) => { r.mincharge = "0.39"; }],
    ["startdate", (r) => { r.startdate = "2024-03-01"; }],
    ["flatdemandstructure[0][0].rate", (r) => { r.flatdemandstructure = [[{ rate: 1.91, adj: 0 }]]; }],
  ];
  for (const [path, spoil] of cases) {
    const r = clone();
    spoil(r);
    assert.is(pathOf(() => importUrdb(r)), path, path);
  }
  const bad = clone();
  (bad.energyweekdayschedule as number[][])[5]![17] = 9;
  assert.is(pathOf(() => importUrdb({ items: [clone(), bad] })), "items[1].energyweekdayschedule[5][17]");
  assert.is(pathOf(() => importUrdb(fixture, { timeZone: "Mars/Olympus_Mons" })), "timeZone");
  assert.is(pathOf(() => importUrdb([1, 2])), "record");
  assert.is(pathOf(() => importUrdb({ items: [] })), "items");
});

test("URDB enddate: a superseded record stops at its enddate, and an expired record bills nothing after it", () => {
  const r = clone();
  r.enddate = 1735714800; // 2025-01-01 00:00 Mountain (07:00Z), URDB's usual midnight
  const t = importUrdb(r);
  assert.is(t.versions[0]!.effectiveUntil, "2025-01-01");
  assert.is(rateIntervals(t, run("2024-12-31T23:45:00-08:00", 1, 900, 1000)).totalWh, 1000);
  assert.throws(() => rateIntervals(t, run("2025-01-01T00:00:00-08:00", 1, 900, 1000)),
    (e: unknown) => e instanceof TariffError && /local date 2025-01-01\).*2024-03-01\.\.2024-12-31/.test(e.message));
  // Round trip keeps it; the successor record takes over on the same day.
  assert.equal(importUrdb(exportUrdb(t)), t);
  const next = clone();
  next.label = "successor";
  next.startdate = 1735714800;
  const both = importUrdb({ items: [r, next] });
  assert.equal(both.versions.map((v) => [v.effectiveFrom, v.effectiveUntil]), [["2024-03-01", "2025-01-01"], ["2025-01-01", undefined]]);
  assert.is(rateIntervals(both, run("2025-01-01T00:00:00-08:00", 1, 900, 1000)).totalWh, 1000);
  // A record ending after its successor starts would put two prices on a day: refused, in URDB terms.
  const late = clone();
  late.enddate = 1738393200; // 2025-02-01
  assert.is(pathOf(() => importUrdb({ items: [late, next] })), "items[0].enddate");
  const never = clone();
  never.enddate = 1709276400; // = its startdate
  assert.is(pathOf(() => importUrdb(never)), "enddate");
  never.enddate = "2025-01-01";
  assert.is(pathOf(() => importUrdb(never)), "enddate");
});

test("month charges travel in URDB records under offpeak_monthcharges (dollars, months 1-12), refused with URDB paths", () => {
  const r = clone();
  r.offpeak_monthcharges = [{ name: "California Climate Credit", months: [4, 10], charge: -55.17 }];
  const t = importUrdb(r);
  assert.equal(t.versions[0]!.monthCharges, [{ name: "California Climate Credit", months: [4, 10], microUsd: -55_170_000 }]);
  const out = exportUrdb(t);
  assert.equal(out.items[0]!.offpeak_monthcharges, [{ name: "California Climate Credit", months: [4, 10], charge: -55.17 }]);
  assert.equal(importUrdb(out), t);
  // The shipped PG&E examples carry the 2024 Climate Credit and keep it through URDB.
  assert.equal(exportUrdb(EXAMPLE_TARIFFS.pgeEv2A).items[0]!.offpeak_monthcharges, [{ name: "California Climate Credit", months: [4, 10], charge: -55.17 }]);
  const cases: [string, unknown][] = [
    ["offpeak_monthcharges", { name: "x" }],
    ["offpeak_monthcharges[0]", ["x"]],
    ["offpeak_monthcharges[0].name", [{ name: "", months: [4], charge: -1 }]],
    ["offpeak_monthcharges[0].months", [{ name: "x", months: 4, charge: -1 }]],
    ["offpeak_monthcharges[0].months[1]", [{ name: "x", months: [4, 13], charge: -1 }]],
    ["offpeak_monthcharges[0].months[0]", [{ name: "x", months: [0], charge: -1 }]],
    ["offpeak_monthcharges[0].months[1]", [{ name: "x", months: [4, 4], charge: -1 }]], // twice in one month
    ["offpeak_monthcharges[0].months", [{ name: "x", months: [], charge: -1 }]],
    ["offpeak_monthcharges[1].charge", [{ name: "x", months: [4], charge: -1 }, { name: "y", months: [5], charge: "-1" }]],
    ["offpeak_monthcharges[0].charge", [{ name: "x", months: [4], charge: 0 }]],
    ["offpeak_monthcharges[0].charge", [{ name: "x", months: [4], charge: 2e6 }]],
  ];
  for (const [path, v] of cases) {
    const bad = clone();
    bad.offpeak_monthcharges = v;
    assert.is(pathOf(() => importUrdb(bad)), path, `${path} ${JSON.stringify(v)}`);
  }
});

test("hand-built month charges and end dates are validated with versions[i] paths", () => {
  const t = structuredClone(EXAMPLE_TARIFFS.pgeEv2A);
  t.versions[0]!.monthCharges![0]!.microUsd = -55.17;
  assert.is(pathOf(() => validateTariff(t)), "versions[0].monthCharges[0].microUsd");
  const u = structuredClone(EXAMPLE_TARIFFS.pgeEv2A);
  u.versions[0]!.effectiveUntil = "2023-12-31";
  assert.is(pathOf(() => validateTariff(u)), "versions[0].effectiveUntil");
});

test("hand-built tariffs are validated too, with versions[i] paths", () => {
  const t = structuredClone(EXAMPLE_TARIFFS.pgeEv2A);
  t.versions[0]!.energyratestructure[1]![0]!.rate = 0.51; // dollars where µ$ belong
  assert.is(pathOf(() => validateTariff(t)), "versions[0].energyratestructure[1][0].rate");
  const u = structuredClone(EXAMPLE_TARIFFS.pgeEv2A);
  u.versions.push({ ...structuredClone(u.versions[0]!), effectiveFrom: "2023-01-01" });
  assert.is(pathOf(() => validateTariff(u)), "versions[1].effectiveFrom");
});

test.run();
