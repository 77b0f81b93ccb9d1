// Premises-meter intervals: from the utility's own AMI channel, or from the hub's optional whole-home meter. Kept
// per (premises, UTC interval start), with the meter and channel that gave them. Intake is idempotent (issue 13):
//  - the same meter's same interval again, with the same length and energy: `duplicate`, nothing written;
//  - a different value from the AMI channel: a correction (the utility's metering system is the record; it replaces
//    the stored value, counted as `corrected`);
//  - a different value from a hub (a customer's device), or a hub's value for an interval AMI gave: a conflict (409
//    `interval-conflict` naming the interval), and nothing of the batch is stored.
// An interval is stored once whatever happens, so it is never counted twice.
// Built for volume (issue 15): a batch's stored intervals are read in one range query, judged in memory, and only the
// new and corrected ones written. On PostgreSQL, from AMI_COPY_FROM intervals on: a range that held nothing yet (the
// usual AMI delivery: a new day or month) is COPied straight into ami_intervals; otherwise, or when a concurrent
// delivery for the same premises stored some of the range in the meantime (a unique violation, which rolls back to a
// savepoint and has the batch judged again against what is now stored), COPY into a staging table and one upsert.
// Below that, and on SQLite, 500-row multi-row upserts.
import { PostgresStore, type SqlStore } from "../../../core/storage/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";

/** From this many intervals on, PostgreSQL takes them by COPY (docs/scale.md: faster than multi-row). */
export const AMI_COPY_FROM = 2000;
const COLUMNS = ["premises_id", "interval_start", "interval_s", "energy_wh", "received_at", "meter_id", "source"] as const;
/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = "23505";
const isUniqueViolation = (e: unknown): boolean => (e as { errno?: unknown } | null)?.errno === UNIQUE_VIOLATION;
import { ApiError, badRequest } from "../errors.ts";

export interface AmiInterval { start: UtcSeconds; lengthS: number; wh: number }
/** Premises Wh over [start, start + lengthS) when AMI covers it fully, else null. */
export type AmiLookup = (start: UtcSeconds, lengthS: number) => number | null;
/** Which meter, through which channel. */
export interface IntervalSource { meterId: string; source: "ami" | "hub" }
/** What an intake did with each interval. */
export interface IntakeCounts { stored: number; duplicate: number; corrected: number }

export class AmiStore {
  constructor(private readonly db: SqlStore, private readonly clock: { now(): UtcSeconds }) {}

  /**
   * Stores intervals (each must start on a UTC multiple of its own length) under the rules above; all or nothing.
   * `from` defaults to the AMI channel (the utility's own metering system).
   */
  async intake(premisesId: string, intervals: readonly AmiInterval[], from: IntervalSource = { meterId: "ami", source: "ami" }): Promise<IntakeCounts> {
    const now = this.clock.now();
    intervals.forEach((iv, i) => {
      if (iv.start % iv.lengthS !== 0) throw badRequest(`interval starting ${iv.start} is not aligned to a UTC multiple of ${iv.lengthS} s`, `intervals[${i}].start`);
    });
    if (intervals.length === 0) return { stored: 0, duplicate: 0, corrected: 0 };
    return this.db.transaction(async (): Promise<IntakeCounts> => {
      for (let judgedAgain = false; ; judgedAgain = true) {
        const { counts, write, rangeWasEmpty } = await this.judge(premisesId, intervals, from);
        // In time order: two deliveries overlapping the same premises' range then meet on their first common interval
        // (the later waits there, then takes the unique violation) rather than each holding one the other needs.
        const rows = [...write.values()].sort((a, b) => a.start - b.start);
        if (!judgedAgain && rangeWasEmpty && this.db instanceof PostgresStore && rows.length >= AMI_COPY_FROM) {
          const db = this.db;
          try {
            await db.transaction(() => db.copyInto("ami_intervals", COLUMNS, rows.map((iv) => [premisesId, iv.start, iv.lengthS, iv.wh, now, from.meterId, from.source])));
            return counts;
          } catch (e) {
            if (!isUniqueViolation(e)) throw e;
            continue; // another delivery for this premises stored part of the range since we read it: judge again
          }
        }
        await this.write(premisesId, rows, from, now);
        return counts;
      }
    });
  }

  /** Reads what is stored over the batch's range and judges each interval against it (the rules at the top). */
  private async judge(premisesId: string, intervals: readonly AmiInterval[], from: IntervalSource): Promise<{ counts: IntakeCounts; write: Map<number, AmiInterval>; rangeWasEmpty: boolean }> {
    type Stored = { interval_s: number; energy_wh: number; meter_id: string | null; source: string | null };
    let lo = Infinity, hi = -Infinity;
    for (const iv of intervals) { lo = Math.min(lo, iv.start); hi = Math.max(hi, iv.start); }
    const stored = new Map<number, Stored>();
    for (const r of await this.db.all<Stored & { interval_start: number }>(
      "SELECT interval_start, interval_s, energy_wh, meter_id, source FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start <= ?",
      premisesId, lo, hi)) stored.set(r.interval_start, r);
    const rangeWasEmpty = stored.size === 0;
    const counts: IntakeCounts = { stored: 0, duplicate: 0, corrected: 0 };
    // One interval given twice in the same batch is judged against the first, like a re-delivery.
    const write = new Map<number, AmiInterval>();
    intervals.forEach((iv, i) => {
      const was = stored.get(iv.start) ?? null;
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
      write.set(iv.start, iv);
      stored.set(iv.start, { interval_s: iv.lengthS, energy_wh: iv.wh, meter_id: from.meterId, source: from.source });
      if (was) counts.corrected++;
      else counts.stored++;
    });
    return { counts, write, rangeWasEmpty };
  }

  /** Upserts the judged intervals: COPY and one upsert on PostgreSQL from AMI_COPY_FROM on, else multi-row upserts. */
  private async write(premisesId: string, rows: readonly AmiInterval[], from: IntervalSource, now: number): Promise<void> {
    const db = this.db;
    const update = `ON CONFLICT (premises_id, interval_start) DO UPDATE SET interval_s = excluded.interval_s, energy_wh = excluded.energy_wh,
      received_at = excluded.received_at, meter_id = excluded.meter_id, source = excluded.source`;
    if (db instanceof PostgresStore && rows.length >= AMI_COPY_FROM) {
      await db.exec(`CREATE TEMP TABLE IF NOT EXISTS ami_stage (premises_id TEXT, interval_start BIGINT, interval_s BIGINT,
        energy_wh BIGINT, received_at BIGINT, meter_id TEXT, source TEXT) ON COMMIT DELETE ROWS`);
      await db.copyInto("ami_stage", COLUMNS, rows.map((iv) => [premisesId, iv.start, iv.lengthS, iv.wh, now, from.meterId, from.source]));
      await db.run(`INSERT INTO ami_intervals (premises_id, interval_start, interval_s, energy_wh, received_at, meter_id, source)
        SELECT premises_id, interval_start, interval_s, energy_wh, received_at, meter_id, source FROM ami_stage WHERE premises_id = ? ${update}`, premisesId);
      await db.exec("TRUNCATE ami_stage");
      return;
    }
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await db.run(`INSERT INTO ami_intervals (premises_id, interval_start, interval_s, energy_wh, received_at, meter_id, source) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")} ${update}`,
        ...chunk.flatMap((iv) => [premisesId, iv.start, iv.lengthS, iv.wh, now, from.meterId, from.source]));
    }
  }

  /**
   * A lookup over every AMI interval of the premises in [from, to), read with one query: what session intake uses
   * to correlate all of a session's intervals at once.
   */
  async lookupFor(premisesId: string, from: number, to: number): Promise<AmiLookup> {
    const rows = await this.db.all<{ interval_start: number; interval_s: number; energy_wh: number }>(
      "SELECT interval_start, interval_s, energy_wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start < ? ORDER BY interval_start", premisesId, from, to);
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
  async energyOver(premisesId: string, start: UtcSeconds, lengthS: number): Promise<number | null> {
    const end = start + lengthS;
    const r = (await this.db.get<{ s: number; wh: number }>(
      "SELECT COALESCE(SUM(interval_s), 0) AS s, COALESCE(SUM(energy_wh), 0) AS wh FROM ami_intervals WHERE premises_id = ? AND interval_start >= ? AND interval_start + interval_s <= ?",
      premisesId, start, end))!;
    if (r.s < lengthS) return null;
    return r.wh;
  }
}
