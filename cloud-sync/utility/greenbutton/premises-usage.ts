// The premises (AMI) meter's intervals, as the utility's metering channel (or the hub's whole-home meter) delivered
// them: the whole premises' energy, from when the premises became its current account's (`account_since`, moved when
// the premises changes hands): the earlier occupant's usage is theirs, not the new account's. The head-end does not bill
// this energy itself (the utility's billing system does, at the regular rate), so these readings carry no cost.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { UsageReading } from "./usage-model.ts";

export async function premisesReadings(db: SqlStore, premisesId: string, from: number, to: number): Promise<UsageReading[]> {
  const held = await db.get<{ account_since: number }>("SELECT account_since FROM premises WHERE id = ?", premisesId);
  if (!held) return [];
  const rows = await db.all<{ interval_start: number; interval_s: number; energy_wh: number }>(`SELECT interval_start, interval_s, energy_wh FROM ami_intervals
    WHERE premises_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start`, premisesId, Math.max(from, held.account_since), to);
  return rows.map((r) => ({ start: r.interval_start, durationS: r.interval_s, wh: r.energy_wh, costNano: null, quality: null }));
}
