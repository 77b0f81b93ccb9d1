// Planner speed: a 24-hour horizon at 15-minute resolution under an example EV rate, warm period tables.
// Goal (issue 3): ≤ 1 ms per plan.
import { EXAMPLE_TARIFFS, planCharging } from "../core/tariff/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import type { Wh } from "../core/units/index.ts";

const tariff = EXAMPLE_TARIFFS.pgeEv2A;
const base = Date.UTC(2024, 6, 1, 1) / 1000; // 18:00 PDT
const input = (i: number) => ({
  pluggedAt: (base + (i % 96) * 900) as UtcSeconds, departAt: (base + (i % 96) * 900 + 86400) as UtcSeconds,
  energyNeededWh: (20_000 + (i % 50) * 500) as Wh, maxPowerW: 7200, minPowerW: 1400, slotS: 900, tariff,
});
planCharging(input(0)); // warm-up: builds the period table for 2024
let n = 0, cost = 0;
const t0 = performance.now();
while (performance.now() - t0 < 2000) cost += planCharging(input(n++)).costNanoUsd;
const ms = (performance.now() - t0) / n;
console.log(`planner.24h_15min_ms: ${ms.toFixed(4)} ms`);
console.log(`planner.plans_per_s: ${Math.round(1000 / ms)} 1/s`);
if (!(cost > 0)) throw new Error("no plan cost computed");
