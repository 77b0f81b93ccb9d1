import { test } from "uvu";
import * as assert from "uvu/assert";
import { planCharging } from "./planner.ts";
import { EXAMPLE_TARIFFS } from "./examples/index.ts";
import { TariffError } from "./tariff-error.ts";
import { NO_HOLIDAYS } from "./holidays.ts";
import { at, hourlyTariff, seeded } from "./test-support.ts";
import { toIso, type UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";
import type { ChargePlan, PlanInput } from "./types.ts";

const ev2a = EXAMPLE_TARIFFS.pgeEv2A;
const plan = (p: Partial<PlanInput> & Pick<PlanInput, "pluggedAt" | "departAt" | "energyNeededWh">): ChargePlan =>
  planCharging({ maxPowerW: 7200, tariff: ev2a, ...p });
const sumWh = (p: ChargePlan): number => p.slots.reduce((a, s) => a + s.wh, 0);

test("charges in the cheapest hours: plugged at 6 p.m., 20 kWh by 7 a.m. → all in off-peak after midnight", () => {
  const p = plan({ pluggedAt: at("2024-01-09T18:00:00-08:00"), departAt: at("2024-01-10T07:00:00-08:00"), energyNeededWh: 20_000 as Wh });
  assert.ok(p.feasible);
  assert.is(p.plannedWh, 20_000);
  assert.is(sumWh(p), 20_000);
  // 7.2 kW × 15 min = 1800 Wh per slot: 11 full slots + 200 Wh, from midnight on (earliest of the equal prices).
  assert.is(p.slots.length, 12);
  assert.is(toIso(p.slots[0]!.start), "2024-01-10T08:00:00Z");
  assert.is(p.slots[11]!.wh, 200);
  assert.is(p.slots[11]!.powerW, 800); // 200 Wh spread over 15 min
  assert.ok(p.slots.every((s) => s.priceMicroUsdPerKWh === 310_000));
  assert.is(p.costNanoUsd, 20_000 * 310_000);
  // Immediately: 18:00-21:00 peak (3 h × 7.2 kW = 21.6 kWh ≥ 20): 20 kWh × $0.49.
  assert.is(p.immediateCostNanoUsd, 20_000 * 490_000);
});

test("ties prefer earlier slots; a minimum power shortens a partly used slot instead of going below it", () => {
  const p = plan({ pluggedAt: at("2024-01-10T00:00:00-08:00"), departAt: at("2024-01-10T06:00:00-08:00"), energyNeededWh: 2000 as Wh, minPowerW: 1400 });
  assert.equal(p.slots.map((s) => [toIso(s.start), toIso(s.end), s.wh, s.powerW]), [
    ["2024-01-10T08:00:00Z", "2024-01-10T08:15:00Z", 1800, 7200],
    // 200 Wh at 1400 W takes ⌈200·3600/1400⌉ = 515 s.
    ["2024-01-10T08:15:00Z", "2024-01-10T08:23:35Z", 200, 1400],
  ]);
});

test("plug-in and departure off the slot grid: slots are aligned to UTC multiples and cut at both ends and at price changes", () => {
  const p = plan({ pluggedAt: at("2024-01-09T14:50:00-08:00"), departAt: at("2024-01-09T15:20:00-08:00"), energyNeededWh: 100_000 as Wh, maxPowerW: 3600 });
  // 14:50-15:00 off-peak (600 Wh), 15:00-15:15 and 15:15-15:20 partial-peak (900 + 300 Wh): 1800 Wh possible.
  assert.equal(p.slots.map((s) => [toIso(s.start), s.wh, s.priceMicroUsdPerKWh]), [
    ["2024-01-09T22:50:00Z", 600, 310_000], ["2024-01-09T23:00:00Z", 900, 470_000], ["2024-01-09T23:15:00Z", 300, 470_000]]);
});

test("an infeasible need says what is possible: how much fits and when it could finish", () => {
  const p = plan({ pluggedAt: at("2024-01-10T05:00:00-08:00"), departAt: at("2024-01-10T07:00:00-08:00"), energyNeededWh: 20_000 as Wh });
  assert.not.ok(p.feasible);
  assert.is(p.plannedWh, 14_400); // 2 h × 7.2 kW
  assert.is(p.shortfallWh, 5_600);
  assert.is(toIso(p.earliestCompletion!), "2024-01-10T15:46:40Z"); // 05:00 + 20 kWh / 7.2 kW = 2 h 46 min 40 s
  assert.match(p.reason!, /at most 14400 Wh/);
  assert.match(p.reason!, /short by 5600 Wh/);
  assert.match(p.reason!, /2024-01-10T15:46:40Z/);
});

test("a price schedule from the utility overrides the tariff where it has prices", () => {
  // A cheap event price 19:00-20:00 (in the middle of peak) beats the off-peak night.
  const p = plan({
    pluggedAt: at("2024-01-09T18:00:00-08:00"), departAt: at("2024-01-10T07:00:00-08:00"), energyNeededWh: 7200 as Wh,
    priceSchedule: [{ start: at("2024-01-09T19:00:00-08:00"), end: at("2024-01-09T20:00:00-08:00"), priceMicroUsdPerKWh: 50_000 }],
  });
  assert.equal(p.slots.map((s) => toIso(s.start)), ["2024-01-10T03:00:00Z", "2024-01-10T03:15:00Z", "2024-01-10T03:30:00Z", "2024-01-10T03:45:00Z"]);
  assert.is(p.costNanoUsd, 7200 * 50_000);
  // Without a tariff, time the schedule does not cover is an error naming it.
  assert.throws(() => planCharging({ pluggedAt: at("2024-01-09T18:00:00-08:00"), departAt: at("2024-01-09T21:00:00-08:00"),
    energyNeededWh: 1 as Wh, maxPowerW: 7200, priceSchedule: [{ start: at("2024-01-09T19:00:00-08:00"), end: at("2024-01-09T20:00:00-08:00"), priceMicroUsdPerKWh: 1 }] }),
  (e: unknown) => e instanceof TariffError && e.path === "priceSchedule");
});

test("bad planner input names the field", () => {
  const base = { pluggedAt: at("2024-01-09T18:00:00-08:00"), departAt: at("2024-01-09T21:00:00-08:00"), energyNeededWh: 1 as Wh };
  const cases: [Partial<PlanInput>, string][] = [
    [{ departAt: base.pluggedAt }, "departAt"], [{ energyNeededWh: -1 as Wh }, "energyNeededWh"], [{ maxPowerW: 0 }, "maxPowerW"],
    [{ minPowerW: 8000 }, "minPowerW"], [{ slotS: 10 }, "slotS"], [{ tariff: undefined }, "tariff"],
  ];
  for (const [bad, path] of cases) assert.throws(() => plan({ ...base, ...bad }), (e: unknown) => e instanceof TariffError && e.path === path, path);
});

test("property: the plan never costs more than charging immediately, and delivers min(need, capacity) exactly", () => {
  const rnd = seeded(42);
  const tariffs = [ev2a, EXAMPLE_TARIFFS.sceTouDPrime, EXAMPLE_TARIFFS.premisesDefault, hourlyTariff()];
  for (let trial = 0; trial < 400; trial++) {
    const pluggedAt = (at("2024-01-01T00:00:00Z") + Math.floor(rnd() * 365 * 86400)) as UtcSeconds;
    const departAt = (pluggedAt + 600 + Math.floor(rnd() * 30 * 3600)) as UtcSeconds;
    const maxPowerW = 1400 + Math.floor(rnd() * 18_000);
    const need = Math.floor(rnd() * 80_000);
    const p = planCharging({
      pluggedAt, departAt, maxPowerW, minPowerW: rnd() < 0.5 ? 1400 : undefined, energyNeededWh: need as Wh,
      slotS: [300, 900, 3600][Math.floor(rnd() * 3)], tariff: tariffs[trial % tariffs.length], holidays: NO_HOLIDAYS,
    });
    assert.ok(p.costNanoUsd <= p.immediateCostNanoUsd, `trial ${trial}`);
    assert.is(sumWh(p), p.plannedWh);
    assert.is(p.plannedWh + p.shortfallWh, need);
    assert.is(p.feasible, p.shortfallWh === 0);
    for (const s of p.slots) {
      assert.ok(s.start >= pluggedAt && s.end <= departAt && s.end > s.start);
      assert.ok(s.powerW <= maxPowerW && (s.wh * 3600) <= s.powerW * (s.end - s.start));
    }
  }
});

test.run();
