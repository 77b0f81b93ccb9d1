// Month partitions of the two tables that grow with every interval (PostgreSQL only; SQLite has no partitions):
// ami_intervals by interval_start and postings by booked_at. The head-end makes them ahead of need, at start and
// once a day: from the month before `now` through PARTITION_MONTHS_AHEAD months on. Rows outside every partition
// land in the DEFAULT partition, so intake never fails for want of one.
import type { SqlStore } from "../../../core/storage/index.ts";

export const PARTITIONED_TABLES = ["ami_intervals", "postings"] as const;
export const PARTITION_MONTHS_AHEAD = 12;

/** Creates the missing month partitions around `now` (UTC seconds); returns how many it created. */
export async function ensureMonthPartitions(db: SqlStore, now: number): Promise<number> {
  if (db.engine !== "postgres") return 0;
  let made = 0;
  for (const table of PARTITIONED_TABLES) {
    made += (await db.get<{ n: number }>("SELECT offpeak_month_partitions(?, ?, ?) AS n", table, now - 31 * 86_400, PARTITION_MONTHS_AHEAD + 2))!.n;
  }
  return made;
}
