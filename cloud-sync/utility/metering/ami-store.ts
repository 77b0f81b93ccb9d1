// AMI premises-meter intervals, delivered to the utility through its own metering channel (not the hub).
// Kept per (premises, UTC interval start); a re-delivery of the same interval replaces it (AMI corrections).
import type { Database, Statement } from "bun:sqlite";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { badRequest } from "../errors.ts";

export interface AmiInterval { start: UtcSeconds; lengthS: number; wh: number }

export class AmiStore {
  private readonly upsert: Statement;
  private readonly sumSpan: Statement;
  private readonly coverSpan: Statement;
  private readonly spanRows: Statement;

  constructor(private readonly db: Database, private readonly clock: { now(): UtcSeconds }) {
    this.upsert = db.prepare(`INSERT INTO ami_intervals (premises_id, interval_start, interval_s, energy_wh, received_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (premises_id, interval_start) DO UPDATE SET interval_s = excluded.interval_s, energy_wh = excluded.energy_wh, received_at = excluded.received_at`);
    this.sumSpan = db.prepare("SELECT COALESCE(SUM(energy_wh), 0) AS wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start + interval_s <= ?");
    this.spanRows = db.prepare("SELECT interval_start, interval_s, energy_wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start");
    this.coverSpan = db.prepare("SELECT COALESCE(SUM(interval_s), 0) AS s FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start + interval_s <= ?");
  }

  /** Stores intervals; each must start on a UTC multiple of its own length. */
  intake(premisesId: string, intervals: readonly AmiInterval[]): number {
    const now = this.clock.now();
    intervals.forEach((iv, i) => {
      if (iv.start % iv.lengthS !== 0) throw badRequest(`interval starting ${iv.start} is not aligned to a UTC multiple of ${iv.lengthS} s`, `intervals[${i}].start`);
    });
    this.db.transaction(() => {
      for (const iv of intervals) this.upsert.run(premisesId, iv.start, iv.lengthS, iv.wh, now);
    })();
    return intervals.length;
  }

  /**
   * A lookup over every AMI interval of the premises in [from, to), read with one query: what session intake uses
   * to correlate all of a session's intervals at once.
   */
  lookupFor(premisesId: string, from: number, to: number): (start: UtcSeconds, lengthS: number) => number | null {
    const rows = this.spanRows.all(premisesId, from, to) as { interval_start: number; interval_s: number; energy_wh: number }[];
    if (rows.length === 0) return () => null;
    return (start, lengthS) => {
      const end = start + lengthS;
      let covered = 0, wh = 0;
      for (const r of rows) {
        if (r.interval_start >= start && r.interval_start + r.interval_s <= end) {
          covered += r.interval_s;
          wh += r.energy_wh;
        }
      }
      return covered < lengthS ? null : wh;
    };
  }

  /**
   * Premises Wh over [start, start + lengthS) when AMI intervals cover it fully, else null.
   * Works whether the AMI interval is shorter than the EUMD's (summed) or equal; a longer AMI interval
   * cannot be split fairly, so the span counts as unchecked.
   */
  energyOver(premisesId: string, start: UtcSeconds, lengthS: number): number | null {
    const end = start + lengthS;
    const covered = (this.coverSpan.get(premisesId, start, end) as { s: number }).s;
    if (covered < lengthS) return null;
    return (this.sumSpan.get(premisesId, start, end) as { wh: number }).wh;
  }
}
