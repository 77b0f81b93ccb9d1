import { test } from "uvu";
import * as assert from "uvu/assert";
import { rateIntervals, splitWh } from "./rating.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { NO_HOLIDAYS } from "./holidays.ts";
import { at, hourlyTariff, run, seeded } from "./test-support.ts";
import type { MeteredInterval, Rating, Tariff } from "./types.ts";
import type { UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";

const ev2a = EXAMPLE_TARIFFS.pgeEv2A;
const hourly = hourlyTariff();
const whOf = (r: Rating, name: string): number => r.byPeriod.filter((p) => p.periodName === name).reduce((a, p) => a + p.wh, 0);

test("DST spring forward: 2024-03-10 has 23 local hours, 02:00-03:00 does not exist", () => {
  // Local midnight PST is 08:00Z; the next local midnight (PDT) is 23 h later: 92 quarter hours of 100 Wh.
  const day = run("2024-03-10T00:00:00-08:00", 92, 900, 100);
  assert.is(day[91]!.start + 900, at("2024-03-11T00:00:00-07:00"));
  const r = rateIntervals(ev2a, day);
  // EV2-A winter: off-peak 0-15 less the missing hour = 14 h = 56 intervals; partial-peak 15-16 and 21-24 = 4 h;
  // peak 16-21 = 5 h.
  assert.is(whOf(r, "Winter Off-Peak"), 5600);
  assert.is(whOf(r, "Winter Partial-Peak"), 1600);
  assert.is(whOf(r, "Winter Peak"), 2000);
  assert.is(r.totalWh, 9200);
  // Hour by hour: 01:45 PST is followed by 03:00 PDT.
  const h = rateIntervals(hourly, day);
  assert.is(whOf(h, "hour 2"), 0);
  assert.is(whOf(h, "hour 1"), 400);
  assert.is(whOf(h, "hour 3"), 400);
});

test("DST fall back: 2024-11-03 has 25 local hours, 01:00-02:00 happens twice", () => {
  const day = run("2024-11-03T00:00:00-07:00", 100, 900, 100);
  assert.is(day[99]!.start + 900, at("2024-11-04T00:00:00-08:00"));
  const r = rateIntervals(ev2a, day);
  assert.is(whOf(r, "Winter Off-Peak"), 6400); // 16 h: hour 1 counted twice
  assert.is(whOf(r, "Winter Partial-Peak"), 1600);
  assert.is(whOf(r, "Winter Peak"), 2000);
  const h = rateIntervals(hourly, day);
  assert.is(whOf(h, "hour 1"), 800); // 01:00 PDT and 01:00 PST
  assert.is(whOf(h, "hour 2"), 400);
});

test("an interval straddling a period boundary is split by time with the cumulative-floor rule", () => {
  // 15:30-16:30 PST on a Tuesday, 1001 Wh: half in Partial-Peak, half in Peak. ⌊1001·1800/3600⌋ = 500, rest 501.
  const r = rateIntervals(ev2a, [{ start: at("2024-01-09T15:30:00-08:00"), lengthS: 3600, wh: 1001 as Wh }]);
  assert.is(whOf(r, "Winter Partial-Peak"), 500);
  assert.is(whOf(r, "Winter Peak"), 501);
  // Three parts, 10:20-12:20 local: 40 min, 60 min, 20 min of 1000 Wh → ⌊333.3⌋=333, ⌊833.3⌋−333=500, 1000−833=167.
  const h = rateIntervals(hourly, [{ start: at("2024-05-01T10:20:00-07:00"), lengthS: 7200, wh: 1000 as Wh }]);
  assert.equal([whOf(h, "hour 10"), whOf(h, "hour 11"), whOf(h, "hour 12")], [333, 500, 167]);
  // Not aligned to any boundary: 16:59:00-17:01:00 → 60 s each side.
  const odd = rateIntervals(hourly, [{ start: at("2024-05-01T16:59:00-07:00"), lengthS: 120, wh: 3 as Wh }]);
  assert.equal([whOf(odd, "hour 16"), whOf(odd, "hour 17")], [1, 2]);
});

test("an interval across the spring-forward gap goes to the hours either side of it", () => {
  const h = rateIntervals(hourly, [{ start: at("2024-03-10T01:45:00-08:00"), lengthS: 1800, wh: 600 as Wh }]);
  assert.equal([whOf(h, "hour 1"), whOf(h, "hour 2"), whOf(h, "hour 3")], [300, 0, 300]);
});

test("intervals across local and UTC year ends are split and conserve energy", () => {
  // 23:50 Dec 31 → 00:10 Jan 1 local; and 15:55-16:05 PST, which crosses 00:00Z (where the period tables change).
  const r = rateIntervals(hourly, [
    { start: at("2024-12-31T23:50:00-08:00"), lengthS: 1200, wh: 90 as Wh },
    { start: at("2024-12-31T15:55:00-08:00"), lengthS: 600, wh: 10 as Wh },
  ]);
  assert.equal([whOf(r, "hour 23"), whOf(r, "hour 0"), whOf(r, "hour 15"), whOf(r, "hour 16")], [45, 45, 5, 5]);
  assert.is(r.totalWh, 100);
});

test("splitWh conserves the total exactly and stays within 1 Wh of the exact share", () => {
  const rnd = seeded(7);
  for (let n = 0; n < 2000; n++) {
    const total = Math.floor(rnd() * 100_000);
    const durs = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => 1 + Math.floor(rnd() * 3600));
    const parts = splitWh(total, durs);
    const L = durs.reduce((a, b) => a + b, 0);
    assert.is(parts.reduce((a, b) => a + b, 0), total);
    parts.forEach((p, i) => assert.ok(Math.abs(p - (total * durs[i]!) / L) < 1 && p >= 0 && Number.isInteger(p)));
  }
});

test("a rate version change mid-interval: each version prices its own local days", () => {
  const flat = (rate: number) => ({
    periodNames: ["All hours"], energyratestructure: [[{ rate, adj: 0, unit: "kWh" as const }]],
    energyweekdayschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
    energyweekendschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
  });
  const t: Tariff = { id: "two", name: "two versions", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2024-01-01", ...flat(100_000) }, { effectiveFrom: "2024-07-15", ...flat(200_000) }] };
  const r = rateIntervals(t, [{ start: at("2024-07-14T23:30:00-07:00"), lengthS: 3600, wh: 1000 as Wh }]);
  assert.equal(r.byPeriod.map((p) => [p.effectiveFrom, p.wh, p.costNanoUsd]), [["2024-01-01", 500, 50_000_000], ["2024-07-15", 500, 100_000_000]]);
  assert.throws(() => rateIntervals(t, run("2023-12-31T23:00:00-08:00", 1, 900, 5)), (e: unknown) => e instanceof TariffError && e.path === "intervals[0].start" && /no version/.test(e.message));
});

test("tiers count the local month's energy in time order; daily tiers scale with the month's days", () => {
  const tiered = (unit: "kWh" | "kWh daily", maxWh: number): Tariff => ({ id: "tiered", name: "tiered", timeZone: "America/Los_Angeles", versions: [{
    effectiveFrom: "2024-01-01", periodNames: ["All"],
    energyratestructure: [[{ rate: 100_000, adj: 0, unit, maxWh }, { rate: 200_000, adj: 0, unit }]],
    energyweekdayschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
    energyweekendschedule: Array.from({ length: 12 }, () => new Array(24).fill(0)),
  }] });
  // 12 kWh in April (limit 10 kWh) then 5 kWh in May (fresh month): tier 1 = 10 + 5, tier 2 = 2.
  const ivs = [...run("2024-04-30T20:00:00-07:00", 12, 900, 1000), ...run("2024-05-02T20:00:00-07:00", 5, 900, 1000)].reverse();
  const r = rateIntervals(tiered("kWh", 10_000), ivs);
  assert.equal(r.byPeriod.map((p) => [p.tier, p.wh]), [[0, 15_000], [1, 2_000]]);
  // 1 kWh/day baseline × 30 April days = 30 kWh of tier 1.
  const d = rateIntervals(tiered("kWh daily", 1000), run("2024-04-10T00:00:00-07:00", 40, 3600, 1000));
  assert.equal(d.byPeriod.map((p) => [p.tier, p.wh]), [[0, 30_000], [1, 10_000]]);
});

test("the same meter interval given twice is refused, naming both intervals (never billed twice)", () => {
  const day = run("2024-07-02T00:00:00-07:00", 8, 900, 1000);
  const err = (ivs: MeteredInterval[], t: Tariff = ev2a): TariffError => {
    try { rateIntervals(t, ivs); } catch (e) { if (e instanceof TariffError) return e; throw e; }
    throw new Error("expected a TariffError");
  };
  // A retried upload: interval 3 again at the end.
  const dup = err([...day, { ...day[3]! }]);
  assert.is(dup.path, "intervals[8]");
  assert.match(dup.message, /\[2024-07-02T07:45:00Z, 2024-07-02T08:00:00Z\) duplicates intervals\[3\]/);
  // Out of order but distinct is fine; the same twice in a row is not.
  assert.is(rateIntervals(ev2a, [...day].reverse()).totalWh, 8000);
  assert.is(err([day[0]!, day[0]!, day[1]!]).path, "intervals[1]");
  // A zero-energy copy is still a second claim on the same quarter hour.
  assert.is(err([...day, { ...day[5]!, wh: 0 as Wh }]).path, "intervals[8]");
});

test("overlapping intervals are refused with the overlap named; touching intervals are fine", () => {
  const a: MeteredInterval = { start: at("2024-07-02T10:00:00Z"), lengthS: 3600, wh: 2000 as Wh };
  const shifted: MeteredInterval = { start: (a.start + 1) as UtcSeconds, lengthS: 900, wh: 10 as Wh }; // one second in
  const after: MeteredInterval = { start: (a.start + 3600) as UtcSeconds, lengthS: 900, wh: 10 as Wh };
  assert.is(rateIntervals(ev2a, [a, after]).totalWh, 2010);
  for (const ivs of [[a, shifted], [shifted, a], [after, shifted, a]]) {
    try { rateIntervals(ev2a, ivs); assert.unreachable("overlap accepted"); } catch (e) {
      assert.instance(e, TariffError);
      assert.match((e as TariffError).message, /overlaps intervals\[\d\] .* over \[2024-07-02T10:00:01Z, 2024-07-02T10:15:01Z\)/);
    }
  }
  // A long interval hiding a short one further on (not adjacent in start order) is caught too.
  const long: MeteredInterval = { start: at("2024-07-02T00:00:00Z"), lengthS: 6 * 3600, wh: 600 as Wh };
  const inside = run("2024-07-02T01:00:00Z", 1, 900, 5);
  const between = run("2024-07-02T00:30:00Z", 1, 60, 1);
  assert.throws(() => rateIntervals(ev2a, [long, ...between, ...inside]), (e: unknown) => e instanceof TariffError && e.path === "intervals[1]");
  // The tiered path checks the same.
  const tiered = structuredClone(hourly);
  tiered.versions[0]!.energyratestructure[0] = [{ rate: 10_000, adj: 0, maxWh: 1000, unit: "kWh" }, { rate: 20_000, adj: 0, unit: "kWh" }];
  assert.throws(() => rateIntervals(tiered, [a, shifted]), (e: unknown) => e instanceof TariffError && e.path === "intervals[1]");
});

test("an expired rate version bills nothing after its effectiveUntil: rating there is an error naming the date", () => {
  const t = structuredClone(ev2a);
  t.id = "ev2a-expiring";
  t.versions[0]!.effectiveUntil = "2025-01-01";
  assert.is(rateIntervals(t, run("2024-12-31T23:00:00-08:00", 4, 900, 100)).totalWh, 400);
  try { rateIntervals(t, run("2025-01-01T00:00:00-08:00", 1, 900, 100)); assert.unreachable(); } catch (e) {
    assert.instance(e, TariffError);
    assert.is((e as TariffError).path, "intervals[0].start");
    assert.match((e as TariffError).message, /local date 2025-01-01\); its versions cover 2024-01-01\.\.2024-12-31/);
  }
  // A later version resumes billing after a gap; the gap itself still bills nothing. (A new object: a rated
  // tariff is immutable, its tables are cached.)
  const { effectiveUntil: _, ...open } = structuredClone(t.versions[0]!);
  const u: Tariff = { ...t, versions: [t.versions[0]!, { ...open, effectiveFrom: "2025-03-01" }] };
  assert.is(rateIntervals(u, run("2025-03-01T00:00:00-08:00", 1, 900, 100)).totalWh, 100);
  assert.throws(() => rateIntervals(u, run("2025-02-28T23:45:00-08:00", 2, 900, 100)), /2024-01-01\.\.2024-12-31, 2025-03-01 onwards/);
});

test("bad intervals are refused with the path of the bad field", () => {
  const good = run("2024-05-01T00:00:00-07:00", 3, 900, 10);
  const cases: [MeteredInterval, string][] = [
    [{ ...good[1]!, wh: -1 as Wh }, "intervals[1].wh"],
    [{ ...good[1]!, wh: 1.5 as Wh }, "intervals[1].wh"],
    [{ ...good[1]!, lengthS: 0 }, "intervals[1].lengthS"],
    [{ ...good[1]!, start: 1.5 as UtcSeconds }, "intervals[1].start"],
  ];
  for (const [bad, path] of cases) {
    assert.throws(() => rateIntervals(ev2a, [good[0]!, bad, good[2]!]), (e: unknown) => e instanceof TariffError && e.path === path, path);
  }
});

test("the same session rated under the program rate and under the premises default rate (BR-4)", () => {
  const session = run("2024-08-06T22:00:00-07:00", 16, 900, 1800); // 22:00-02:00, 28.8 kWh
  const program = rateIntervals(ev2a, session); // 22-24 partial-peak 14.4 kWh × 0.51 + 0-2 off-peak 14.4 × 0.31
  const fallback = rateIntervals(EXAMPLE_TARIFFS.premisesDefault, session); // all off-peak: 28.8 × 0.50
  assert.is(program.totalNanoUsd, 14_400 * 510_000 + 14_400 * 310_000);
  assert.is(fallback.totalNanoUsd, 28_800 * 500_000);
});

test("property: rating is additive (parts = whole) and conserves energy, over random sessions of 2024", () => {
  const rnd = seeded(20240310);
  const lengths = [60, 300, 900, 1800, 3600, 5400, 7200];
  const key = (r: Rating) => new Map(r.byPeriod.map((p) => [`${p.effectiveFrom}/${p.period}/${p.tier}`, [p.wh, p.costNanoUsd]]));
  for (const tariff of [ev2a, EXAMPLE_TARIFFS.sceTouDPrime, hourly]) {
    for (let trial = 0; trial < 40; trial++) {
      let t = at("2024-01-01T00:00:00Z") + Math.floor(rnd() * 360 * 86400);
      const ivs: MeteredInterval[] = [];
      const n = 1 + Math.floor(rnd() * 200);
      for (let i = 0; i < n; i++) {
        const lengthS = lengths[Math.floor(rnd() * lengths.length)]!;
        ivs.push({ start: t as UtcSeconds, lengthS, wh: Math.floor(rnd() * 3000) as Wh });
        t += lengthS + (rnd() < 0.2 ? Math.floor(rnd() * 5000) : 0);
      }
      const whole = rateIntervals(tariff, ivs, NO_HOLIDAYS);
      const cut = Math.floor(rnd() * n);
      const a = rateIntervals(tariff, ivs.slice(0, cut), NO_HOLIDAYS), b = rateIntervals(tariff, ivs.slice(cut), NO_HOLIDAYS);
      const sum = key(a);
      for (const [k, [wh, c]] of key(b)) { const x = sum.get(k) ?? [0, 0]; sum.set(k, [x[0]! + wh!, x[1]! + c!]); }
      assert.equal(sum, key(whole));
      assert.is(whole.totalWh, ivs.reduce((s, iv) => s + iv.wh, 0));
      assert.is(a.totalNanoUsd + b.totalNanoUsd, whole.totalNanoUsd);
    }
  }
});

test.run();
