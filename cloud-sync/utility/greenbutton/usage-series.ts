// Readings to ESPI MeterReadings: one series per interval length (a ReadingType has one intervalLength), and one
// reading per interval start, so a series never overlaps itself. Two readings of the same interval (two PEVs charging
// at once on two EUMDs) are summed: their energy, their cost (unknown if either is), their quality (mixed if they differ).
import { QUALITY } from "./espi-codes.ts";
import type { UsageReading, UsageSeries } from "./usage-model.ts";

export function toSeries(readings: readonly UsageReading[]): UsageSeries[] {
  const byLength = new Map<number, Map<number, UsageReading>>();
  for (const r of readings) {
    let slots = byLength.get(r.durationS);
    if (!slots) byLength.set(r.durationS, (slots = new Map()));
    const had = slots.get(r.start);
    slots.set(r.start, had ? merge(had, r) : { ...r });
  }
  return [...byLength.entries()]
    .sort(([a], [b]) => a - b)
    .map(([intervalS, slots]) => ({ intervalS, readings: [...slots.values()].sort((a, b) => a.start - b.start) }));
}

function merge(a: UsageReading, b: UsageReading): UsageReading {
  return {
    start: a.start, durationS: a.durationS, wh: a.wh + b.wh,
    costNano: a.costNano === null || b.costNano === null ? null : a.costNano + b.costNano,
    quality: a.quality === b.quality ? a.quality : a.quality === null ? b.quality : b.quality === null ? a.quality : QUALITY.mixed,
  };
}
