// Month close for every account (issue 15): accounts are read in pages (keyset on the account ID, never all at
// once) and billed by parallel workers, a batch of accounts at a time (MonthlyBills.closeMany: a handful of statements
// and one transaction for the batch, the postings summed in SQL — no month of intervals is held in memory), and on
// PostgreSQL the workers use the pool's connections. An account already billed for the month is skipped (a re-run
// after a crash finishes the rest); one that fails is reported with the reason and does not stop the others.
import type { SqlStore } from "../../../core/storage/index.ts";
import { ApiError } from "../../protocol/index.ts";
import type { MonthlyBills } from "./monthly-bills.ts";

export interface MonthCloseOptions { pageSize?: number; workers?: number; batchSize?: number }
export interface MonthCloseResult {
  month: string;
  closed: number;
  skipped: number;
  failedCount: number;
  /** The first 100 failures, with the reason. */
  failed: { accountId: string; error: string }[];
}

/**
 * A batch of 100 accounts a transaction: a handful of statements whatever its size, so larger batches carry the round
 * trips better (bench, docs/scale.md: 25 accounts half as fast as 100 on PostgreSQL); 200 gained nothing.
 */
export const MONTH_CLOSE_DEFAULTS = { pageSize: 500, workers: 4, batchSize: 100 } as const;

export async function closeMonth(db: SqlStore, bills: MonthlyBills, month: string, o: MonthCloseOptions = {}): Promise<MonthCloseResult> {
  const pageSize = o.pageSize ?? MONTH_CLOSE_DEFAULTS.pageSize;
  const workers = Math.max(1, o.workers ?? MONTH_CLOSE_DEFAULTS.workers);
  const result: MonthCloseResult = { month, closed: 0, skipped: 0, failedCount: 0, failed: [] };
  const batchSize = Math.max(1, o.batchSize ?? MONTH_CLOSE_DEFAULTS.batchSize);
  // Batches are cut from pages as workers ask for them, so no worker waits for a page's last batch; small pages (or
  // a small last page) are shared out so every worker gets some.
  let after = "";
  let done = false;
  const queue: string[][] = [];
  let reading: Promise<void> | null = null;
  const readPage = async () => {
    // Open accounts, and those closed within or after the month (their last bill).
    const page = await db.all<{ id: string }>("SELECT id FROM accounts WHERE id > ? AND (status = 'active' OR closed_on >= ?) ORDER BY id LIMIT ?",
      after, `${month}-01`, pageSize);
    if (page.length === 0) {
      done = true;
      return;
    }
    after = page[page.length - 1]!.id;
    const size = Math.min(batchSize, Math.ceil(page.length / workers));
    for (let i = 0; i < page.length; i += size) queue.push(page.slice(i, i + size).map((r) => r.id));
  };
  const nextBatch = async (): Promise<string[] | null> => {
    while (queue.length === 0 && !done) {
      reading ??= readPage().finally(() => { reading = null; });
      await reading;
    }
    return queue.shift() ?? null;
  };
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
      for (const outcome of await bills.closeMany(batch.map((accountId) => ({ accountId })), month)) {
        if ("bill" in outcome) {
          result.closed++;
          continue;
        }
        const e = outcome.error;
        // A month not yet over is the operator's error for every account: stop at the first.
        if (e instanceof ApiError && e.path === "month" && /not over yet/.test(e.message)) throw e;
        if (e instanceof ApiError && e.status === 409) {
          result.skipped++; // billed by an earlier run, or meanwhile by another
          continue;
        }
        result.failedCount++;
        if (result.failed.length < 100) result.failed.push({ accountId: outcome.accountId, error: e.message });
      }
    }
  }));
  return result;
}
