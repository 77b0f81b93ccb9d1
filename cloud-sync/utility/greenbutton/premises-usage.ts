// The premises (AMI) meter's intervals, as the utility's metering channel (or the hub's whole-home meter) delivered
// them: the whole premises' energy, from when the premises became its current account's (`account_since`, moved when
// the premises changes hands): the earlier occupant's usage is theirs, not the new account's. The head-end does not bill
// this energy itself (the utility's billing system does, at the regular rate), so these readings carry no cost.
import type { Database } from "bun:sqlite";
import type { UsageReading } from "./usage-model.ts";

export function premisesReadings(db: Database, premisesId: string, from: number, to: number): UsageReading[] {
  const held = db.query("SELECT account_since FROM premises WHERE id = ?").get(premisesId) as { account_since: number } | null;
  if (!held) return [];
  const rows = db.query(`SELECT interval_start, interval_s, energy_wh FROM ami_intervals
    WHERE premises_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start`)
    .all(premisesId, Math.max(from, held.account_since), to) as { interval_start: number; interval_s: number; energy_wh: number }[];
  return rows.map((r) => ({ start: r.interval_start, durationS: r.interval_s, wh: r.energy_wh, costNano: null, quality: null }));
}
