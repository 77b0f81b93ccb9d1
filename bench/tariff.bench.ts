// Rating speed: a year of 15-minute intervals (35,136 in 2024) rated under an example EV rate, warm tables.
// Goal (issue 3): ≥ 10 million intervals per second on one core.
import { EXAMPLE_TARIFFS, rateIntervals, type MeteredInterval } from "../core/tariff/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import type { Wh } from "../core/units/index.ts";

const start = Date.UTC(2024, 0, 1, 8) / 1000;
const n = 366 * 96;
const year: MeteredInterval[] = Array.from({ length: n }, (_, i) => ({
  start: (start + i * 900) as UtcSeconds, lengthS: 900, wh: ((i * 7919) % 2000) as Wh,
}));
const tariff = EXAMPLE_TARIFFS.sceTouDPrime;

let t0 = performance.now();
rateIntervals(tariff, year); // builds and caches the period tables (2024, 2025)
const coldMs = performance.now() - t0;

let reps = 0;
let checksum = 0;
t0 = performance.now();
while (performance.now() - t0 < 3000) {
  checksum += rateIntervals(tariff, year).totalNanoUsd;
  reps++;
}
const s = (performance.now() - t0) / 1000;
console.log(`rating.intervals_per_s: ${Math.round((reps * n) / s)} 1/s`);
console.log(`rating.year_15min_ms: ${((s * 1000) / reps).toFixed(3)} ms`);
console.log(`rating.first_year_table_build_ms: ${coldMs.toFixed(1)} ms`);
if (checksum <= 0) throw new Error("no cost computed");
