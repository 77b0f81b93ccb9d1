// Helpers shared by this folder's tests: a seeded random generator (property tests must be reproducible),
// interval builders and a small synthetic tariff.
import type { MeteredInterval, Tariff } from "./types.ts";
import type { UtcSeconds } from "../time/utc.ts";
import type { Wh } from "../units/energy.ts";
import { parseIso } from "../time/utc.ts";

/** mulberry32: tiny, good enough for test data, same sequence for the same seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const at = (iso: string): UtcSeconds => parseIso(iso);

/** `count` back-to-back intervals of `lengthS` from `start`, each with `wh` (or wh(i)). */
export function run(start: UtcSeconds | string, count: number, lengthS: number, wh: number | ((i: number) => number)): MeteredInterval[] {
  const s = typeof start === "string" ? at(start) : start;
  return Array.from({ length: count }, (_, i) => ({
    start: (s + i * lengthS) as UtcSeconds, lengthS, wh: (typeof wh === "number" ? wh : wh(i)) as Wh,
  }));
}

/** A 24-period tariff where period h is local hour h at h+1 $/kWh... scaled: price = (h + 1) × 10,000 µ$/kWh. */
export function hourlyTariff(extra: Partial<Tariff> = {}): Tariff {
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return {
    id: "test-hourly", name: "test: one period per local hour", timeZone: "America/Los_Angeles",
    versions: [{
      effectiveFrom: "2020-01-01",
      periodNames: hours.map((h) => `hour ${h}`),
      energyratestructure: hours.map((h) => [{ rate: (h + 1) * 10_000, adj: 0, unit: "kWh" as const }]),
      energyweekdayschedule: Array.from({ length: 12 }, () => [...hours]),
      energyweekendschedule: Array.from({ length: 12 }, () => [...hours]),
    }],
    ...extra,
  };
}
