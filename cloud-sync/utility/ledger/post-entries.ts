// Many balanced journal entries in two statements (issue 15: month close posts every account's fixed charges of a
// batch at once): one multi-row INSERT of the entries, one of all their postings. The same rows and the same checks as
// Ledger.post, which writes one entry in two statements; the caller holds the transaction.
import type { SqlStore } from "../../../core/storage/index.ts";
import { checkBalanced, type NewEntry } from "./ledger.ts";

/** Rows per INSERT: 11 parameters a posting stays under SQLite's and PostgreSQL's parameter limits. */
const POSTINGS_PER_STATEMENT = 1000;

/** Writes the entries (all checked before any is written); returns their IDs in the order given. */
export async function postEntries(db: SqlStore, entries: readonly NewEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  entries.forEach(checkBalanced);
  // Both engines number the rows of one multi-row INSERT in the order of its VALUES (a sequence, SQLite's rowid), so
  // the returned IDs, sorted, are the entries' in order; RETURNING's own row order is not promised by SQLite.
  const returned = await db.all<{ id: number }>(`INSERT INTO journal_entries (premises_id, kind, session_id, revision, reverses_entry_id, at, memo)
    VALUES ${entries.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")} RETURNING id`,
  ...entries.flatMap((e) => [e.premisesId, e.kind, e.sessionId, e.revision, e.reversesEntryId ?? null, e.at, e.memo]));
  const ids = returned.map((r) => r.id).sort((a, b) => a - b);
  const rows = entries.flatMap((e, i) => e.postings.map((p) => [e.premisesId, ids[i]!, p.ledgerAccount, p.amountNano, p.energyWh, p.period,
    p.intervalStart, p.intervalStart ?? e.at, p.lineKind, p.tariffId, p.priceMicroUsdPerKWh]));
  for (let i = 0; i < rows.length; i += POSTINGS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + POSTINGS_PER_STATEMENT);
    await db.run(`INSERT INTO postings (premises_id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind, tariff_id, price)
      VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`, ...chunk.flat());
  }
  return ids;
}
