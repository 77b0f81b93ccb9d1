// Premises-meter intervals: from the utility's own AMI channel, or from the hub's optional whole-home meter. Kept
// per (premises, UTC interval start), with the meter and channel that gave them. Intake is idempotent (issue 13):
//  - the same meter's same interval again, with the same length and energy: `duplicate`, nothing written;
//  - a different value from the AMI channel: a correction (the utility's metering system is the record; it replaces
//    the stored value, counted as `corrected`);
//  - a different value from a hub (a customer's device), or a hub's value for an interval AMI gave: a conflict (409
//    `interval-conflict` naming the interval), and nothing of the batch is stored.
// An interval is stored once whatever happens, so it is never counted twice.
import type { Database, Statement } from "bun:sqlite";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { ApiError, badRequest } from "../errors.ts";

export interface AmiInterval { start: UtcSeconds; lengthS: number; wh: number }
/** Which meter, through which channel. */
export interface IntervalSource { meterId: string; source: "ami" | "hub" }
/** What an intake did with each interval. */
export interface IntakeCounts { stored: number; duplicate: number; corrected: number }

export class AmiStore {
  private readonly upsert: Statement;
  private readonly sumSpan: Statement;
  private readonly coverSpan: Statement;
  private readonly spanRows: Statement;

  private readonly existing: Statement;

  constructor(private readonly db: Database, private readonly clock: { now(): UtcSeconds }) {
    this.upsert = db.prepare(`INSERT INTO ami_intervals (premises_id, interval_start, interval_s, energy_wh, received_at, meter_id, source) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (premises_id, interval_start) DO UPDATE SET interval_s = excluded.interval_s, energy_wh = excluded.energy_wh, received_at = excluded.received_at,
        meter_id = excluded.meter_id, source = excluded.source`);
    this.existing = db.prepare("SELECT interval_s, energy_wh, meter_id, source FROM ami_intervals WHERE premises_id = ? AND interval_start = ?");
    this.sumSpan = db.prepare("SELECT COALESCE(SUM(energy_wh), 0) AS wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start + interval_s <= ?");
    this.spanRows = db.prepare("SELECT interval_start, interval_s, energy_wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start");
    this.coverSpan = db.prepare("SELECT COALESCE(SUM(interval_s), 0) AS s FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start + interval_s <= ?");
  }

  /**
   * Stores intervals (each must start on a UTC multiple of its own length) under the rules above; all or nothing.
   * `from` defaults to the AMI channel (the utility's own metering system).
   */
  intake(premisesId: string, intervals: readonly AmiInterval[], from: IntervalSource = { meterId: "ami", source: "ami" }): IntakeCounts {
    const now = this.clock.now();
    intervals.forEach((iv, i) => {
      if (iv.start % iv.lengthS !== 0) throw badRequest(`interval starting ${iv.start} is not aligned to a UTC multiple of ${iv.lengthS} s`, `intervals[${i}].start`);
    });
    return this.db.transaction((): IntakeCounts => {
      const counts: IntakeCounts = { stored: 0, duplicate: 0, corrected: 0 };
      // One interval given twice in the same batch is judged against the first, like a re-delivery.
      const inBatch = new Map<number, { interval_s: number; energy_wh: number; meter_id: string | null; source: string | null }>();
      intervals.forEach((iv, i) => {
        const was = inBatch.get(iv.start) ?? (this.existing.get(premisesId, iv.start) as { interval_s: number; energy_wh: number; meter_id: string | null; source: string | null } | null);
        const sameMeter = was !== null && (was.meter_id === null || was.meter_id === from.meterId);
        if (was && sameMeter && was.interval_s === iv.lengthS && was.energy_wh === iv.wh) {
          counts.duplicate++;
          return;
        }
        if (was && from.source === "hub") {
          throw new ApiError("interval-conflict",
            `premises ${premisesId} already has ${was.energy_wh} Wh in ${was.interval_s} s at ${iv.start} from ${was.source ?? "ami"} meter ${was.meter_id ?? "?"}; ` +
            `${iv.wh} Wh in ${iv.lengthS} s from hub meter ${from.meterId} is refused (only the utility's AMI channel corrects an interval)`,
            `intervals[${i}].wh`, { stored: { wh: was.energy_wh, lengthS: was.interval_s, meterId: was.meter_id, source: was.source }, start: iv.start }, 409);
        }
        this.upsert.run(premisesId, iv.start, iv.lengthS, iv.wh, now, from.meterId, from.source);
        inBatch.set(iv.start, { interval_s: iv.lengthS, energy_wh: iv.wh, meter_id: from.meterId, source: from.source });
        if (was) counts.corrected++;
        else counts.stored++;
      });
      return counts;
    })();
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
