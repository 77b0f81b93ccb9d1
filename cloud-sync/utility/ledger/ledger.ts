// The double-entry ledger: journal entries of immutable postings whose amounts sum to zero.
// A correction is a reversal entry (every posting negated) followed by a new entry; nothing is ever edited,
// and triggers refuse UPDATE and DELETE on both tables (SQLite migration 2, PostgreSQL migration 1).
// Every entry belongs to one premises (the distribution key, docs/scale.md) and every lookup names it, so on a
// distributed PostgreSQL an entry and its postings sit on one shard. A posting's `booked_at` is its interval start,
// else its entry's time: what months are billed by and what partitions the postings table by month.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { JournalEntry, LedgerAccount, Posting } from "../types.ts";

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

export const customerLedger = (accountId: string): LedgerAccount => `customer:${accountId}`;
export const clearinghouseLedger = (utilityId: string): LedgerAccount => `clearinghouse:${utilityId}`;
export const REVENUE_ENERGY: LedgerAccount = "revenue:energy";
export const REVENUE_FIXED: LedgerAccount = "revenue:fixed";

export interface NewEntry {
  kind: JournalEntry["kind"];
  premisesId: string;
  sessionId: string | null;
  revision: number | null;
  reversesEntryId?: number | null;
  at: UtcSeconds;
  memo: string;
  postings: Posting[];
}

interface EntryRow { id: number; premises_id: string; kind: string; session_id: string | null; revision: number | null; reverses_entry_id: number | null; at: number; memo: string }
interface PostingRow {
  ledger_account: string; amount_nano: number; energy_wh: number; period: string; interval_start: number | null;
  line_kind: string; tariff_id: string | null; price: number | null;
}

/** Refuses an entry that does not balance to zero or has a fractional amount or energy (Ledger.post's rules). */
export function checkBalanced(e: NewEntry): void {
  if (e.postings.length < 2) throw new LedgerError(`entry "${e.memo}": a double-entry needs at least two postings`);
  let sum = 0;
  for (const p of e.postings) {
    if (!Number.isSafeInteger(p.amountNano)) throw new LedgerError(`entry "${e.memo}": amount ${p.amountNano} on ${p.ledgerAccount} is not a whole number of nano-dollars`);
    if (!Number.isSafeInteger(p.energyWh)) throw new LedgerError(`entry "${e.memo}": energy ${p.energyWh} on ${p.ledgerAccount} is not whole Wh`);
    sum += p.amountNano;
  }
  if (sum !== 0) throw new LedgerError(`entry "${e.memo}": postings sum to ${sum} nano-dollars, not zero`);
}

export class Ledger {
  constructor(private readonly db: SqlStore) {}

  /** Writes one balanced entry; the caller holds the transaction when several entries must land together. */
  async post(e: NewEntry): Promise<number> {
    checkBalanced(e);
    const entry = [e.premisesId, e.kind, e.sessionId, e.revision, e.reversesEntryId ?? null, e.at, e.memo];
    const rows = e.postings.map((p) => [p.ledgerAccount, p.amountNano, p.energyWh, p.period, p.intervalStart, p.intervalStart ?? e.at, p.lineKind, p.tariffId, p.priceMicroUsdPerKWh]);
    if (this.db.engine === "postgres") {
      // The entry and all its postings in one statement: one round trip per entry (issue 15). The first row's casts
      // type the VALUES list (parameters are otherwise untyped text there).
      const values = rows.map((_, i) => i === 0 ? "(?::text, ?::bigint, ?::bigint, ?::text, ?::bigint, ?::bigint, ?::text, ?::text, ?::bigint)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      return (await this.db.get<{ entry_id: number }>(`WITH e AS (INSERT INTO journal_entries (premises_id, kind, session_id, revision, reverses_entry_id, at, memo)
          VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING premises_id, id)
        INSERT INTO postings (premises_id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind, tariff_id, price)
        SELECT e.premises_id, e.id, v.* FROM e, (VALUES ${values}) AS v RETURNING entry_id`, ...entry, ...rows.flat()))!.entry_id;
    }
    const id = (await this.db.get<{ id: number }>("INSERT INTO journal_entries (premises_id, kind, session_id, revision, reverses_entry_id, at, memo) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      ...entry))!.id;
    // All of an entry's postings in one multi-row INSERT: one round trip however many intervals the session had.
    await this.db.run(`INSERT INTO postings (premises_id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind, tariff_id, price) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      ...rows.flatMap((r) => [e.premisesId, id, ...r]));
    return id;
  }

  /** Posts the exact negation of entry `entryId` (a correction); returns the reversal's ID. */
  async reverse(premisesId: string, entryId: number, at: UtcSeconds, memo: string): Promise<number> {
    const original = await this.entry(premisesId, entryId);
    if (!original) throw new LedgerError(`cannot reverse entry ${entryId}: no such entry at premises ${premisesId}`);
    if (await this.db.get("SELECT 1 AS one FROM journal_entries WHERE premises_id = ? AND reverses_entry_id = ?", premisesId, entryId)) {
      throw new LedgerError(`entry ${entryId} is already reversed`);
    }
    return this.post({
      kind: "reversal", premisesId, sessionId: original.sessionId, revision: original.revision, reversesEntryId: entryId, at, memo,
      postings: original.postings.map((p) => ({ ...p, amountNano: -p.amountNano, energyWh: -p.energyWh })),
    });
  }

  async entry(premisesId: string, id: number): Promise<JournalEntry | null> {
    const r = await this.db.get<EntryRow>("SELECT * FROM journal_entries WHERE premises_id = ? AND id = ?", premisesId, id);
    return r ? this.toEntry(r) : null;
  }

  /**
   * Entries of a session that stand (neither reversals nor reversed), at the premises that may hold them: the
   * session's own and, for guest-pays, the guest's (docs/scale.md).
   */
  async standingEntries(sessionId: string, premisesIds: readonly string[]): Promise<JournalEntry[]> {
    if (premisesIds.length === 0) return [];
    const rows = await this.db.all<EntryRow>(`SELECT * FROM journal_entries e WHERE e.premises_id IN (${premisesIds.map(() => "?").join(", ")})
      AND e.session_id = ? AND e.kind != 'reversal'
      AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.premises_id = e.premises_id AND r.reverses_entry_id = e.id) ORDER BY e.id`, ...premisesIds, sessionId);
    return Promise.all(rows.map((r) => this.toEntry(r)));
  }

  /** Every entry of a session at the given premises, oldest first. */
  async entriesOfSession(sessionId: string, premisesIds: readonly string[]): Promise<JournalEntry[]> {
    if (premisesIds.length === 0) return [];
    const rows = await this.db.all<EntryRow>(`SELECT * FROM journal_entries WHERE premises_id IN (${premisesIds.map(() => "?").join(", ")}) AND session_id = ? ORDER BY id`,
      ...premisesIds, sessionId);
    return Promise.all(rows.map((r) => this.toEntry(r)));
  }

  /** An account's balance over every premises (an operator's audit read). */
  async balanceNano(account: LedgerAccount): Promise<number> {
    return (await this.db.get<{ s: number }>("SELECT COALESCE(SUM(amount_nano), 0) AS s FROM postings WHERE ledger_account = ? -- multi-shard: operator audit", account))!.s;
  }

  /** The ledger's invariant: every posting ever made sums to zero. */
  async totalNano(): Promise<number> {
    return (await this.db.get<{ s: number }>("SELECT COALESCE(SUM(amount_nano), 0) AS s FROM postings -- multi-shard: operator audit"))!.s;
  }

  /**
   * Postings on `account` booked in [from, to) (by interval start when they have one, else by entry time) at the
   * account's premises: one partition range, the premises' shards.
   */
  async postingsOf(account: LedgerAccount, premisesIds: readonly string[], from: UtcSeconds, to: UtcSeconds): Promise<LedgerLine[]> {
    if (premisesIds.length === 0) return [];
    const rows = await this.db.all<PostingRow & { entry_id: number; kind: string; session_id: string | null; at: number }>(`SELECT p.ledger_account, p.amount_nano, p.energy_wh, p.period, p.interval_start, p.line_kind, p.tariff_id, p.price, p.entry_id, e.kind, e.session_id, e.at
      FROM postings p JOIN journal_entries e ON e.premises_id = p.premises_id AND e.id = p.entry_id
      WHERE p.premises_id IN (${premisesIds.map(() => "?").join(", ")}) AND p.ledger_account = ? AND p.booked_at >= ? AND p.booked_at < ? ORDER BY p.id`,
    ...premisesIds, account, from, to);
    return rows.map((r) => ({ ...toPosting(r), entryId: r.entry_id, kind: r.kind as JournalEntry["kind"], sessionId: r.session_id, at: r.at as UtcSeconds }));
  }

  private async toEntry(r: EntryRow): Promise<JournalEntry> {
    const postings = (await this.db.all<PostingRow>("SELECT ledger_account, amount_nano, energy_wh, period, interval_start, line_kind, tariff_id, price FROM postings WHERE premises_id = ? AND entry_id = ? ORDER BY id", r.premises_id, r.id)).map(toPosting);
    return {
      id: r.id, premisesId: r.premises_id, kind: r.kind as JournalEntry["kind"], sessionId: r.session_id, revision: r.revision,
      reversesEntryId: r.reverses_entry_id, at: r.at as UtcSeconds, memo: r.memo, postings,
    };
  }
}

const toPosting = (r: PostingRow): Posting => ({
  ledgerAccount: r.ledger_account, amountNano: r.amount_nano, energyWh: r.energy_wh, period: r.period,
  intervalStart: r.interval_start as UtcSeconds | null, lineKind: r.line_kind as Posting["lineKind"],
  tariffId: r.tariff_id, priceMicroUsdPerKWh: r.price,
});

/** A posting with its entry's facts, as bills read them. */
export type LedgerLine = Posting & { entryId: number; kind: JournalEntry["kind"]; sessionId: string | null; at: UtcSeconds };
