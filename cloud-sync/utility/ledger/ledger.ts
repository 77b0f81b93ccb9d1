// The double-entry ledger: journal entries of immutable postings whose amounts sum to zero.
// A correction is a reversal entry (every posting negated) followed by a new entry; nothing is ever edited,
// and SQLite triggers refuse UPDATE and DELETE on both tables (migration 2).
import type { Database, Statement } from "bun:sqlite";
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
  sessionId: string | null;
  revision: number | null;
  reversesEntryId?: number | null;
  at: UtcSeconds;
  memo: string;
  postings: Posting[];
}

interface EntryRow { id: number; kind: string; session_id: string | null; revision: number | null; reverses_entry_id: number | null; at: number; memo: string }
interface PostingRow {
  ledger_account: string; amount_nano: number; energy_wh: number; period: string; interval_start: number | null;
  line_kind: string; tariff_id: string | null; price: number | null;
}

export class Ledger {
  private readonly insertEntry: Statement;
  private readonly insertPosting: Statement;
  private readonly selectPostings: Statement;

  constructor(private readonly db: Database) {
    this.insertEntry = db.prepare("INSERT INTO journal_entries (kind, session_id, revision, reverses_entry_id, at, memo) VALUES (?, ?, ?, ?, ?, ?)");
    this.insertPosting = db.prepare("INSERT INTO postings (entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, line_kind, tariff_id, price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.selectPostings = db.prepare("SELECT ledger_account, amount_nano, energy_wh, period, interval_start, line_kind, tariff_id, price FROM postings WHERE entry_id = ? ORDER BY id");
  }

  /** Writes one balanced entry; the caller holds the transaction when several entries must land together. */
  post(e: NewEntry): number {
    if (e.postings.length < 2) throw new LedgerError(`entry "${e.memo}": a double-entry needs at least two postings`);
    let sum = 0;
    for (const p of e.postings) {
      if (!Number.isSafeInteger(p.amountNano)) throw new LedgerError(`entry "${e.memo}": amount ${p.amountNano} on ${p.ledgerAccount} is not a whole number of nano-dollars`);
      if (!Number.isSafeInteger(p.energyWh)) throw new LedgerError(`entry "${e.memo}": energy ${p.energyWh} on ${p.ledgerAccount} is not whole Wh`);
      sum += p.amountNano;
    }
    if (sum !== 0) throw new LedgerError(`entry "${e.memo}": postings sum to ${sum} nano-dollars, not zero`);
    const id = Number(this.insertEntry.run(e.kind, e.sessionId, e.revision, e.reversesEntryId ?? null, e.at, e.memo).lastInsertRowid);
    for (const p of e.postings) this.insertPosting.run(id, p.ledgerAccount, p.amountNano, p.energyWh, p.period, p.intervalStart, p.lineKind, p.tariffId, p.priceMicroUsdPerKWh);
    return id;
  }

  /** Posts the exact negation of entry `entryId` (a correction); returns the reversal's ID. */
  reverse(entryId: number, at: UtcSeconds, memo: string): number {
    const original = this.entry(entryId);
    if (!original) throw new LedgerError(`cannot reverse entry ${entryId}: no such entry`);
    if (this.db.query("SELECT 1 FROM journal_entries WHERE reverses_entry_id = ?").get(entryId)) {
      throw new LedgerError(`entry ${entryId} is already reversed`);
    }
    return this.post({
      kind: "reversal", sessionId: original.sessionId, revision: original.revision, reversesEntryId: entryId, at, memo,
      postings: original.postings.map((p) => ({ ...p, amountNano: -p.amountNano, energyWh: -p.energyWh })),
    });
  }

  entry(id: number): JournalEntry | null {
    const r = this.db.query("SELECT * FROM journal_entries WHERE id = ?").get(id) as EntryRow | null;
    return r ? this.toEntry(r) : null;
  }

  /** Entries of a session that stand (neither reversals nor reversed). */
  standingEntries(sessionId: string): JournalEntry[] {
    const rows = this.db.query(`SELECT * FROM journal_entries e WHERE session_id = ? AND kind != 'reversal'
      AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.id) ORDER BY id`).all(sessionId) as EntryRow[];
    return rows.map((r) => this.toEntry(r));
  }

  entriesOfSession(sessionId: string): JournalEntry[] {
    const rows = this.db.query("SELECT * FROM journal_entries WHERE session_id = ? ORDER BY id").all(sessionId) as EntryRow[];
    return rows.map((r) => this.toEntry(r));
  }

  balanceNano(account: LedgerAccount): number {
    return (this.db.query("SELECT COALESCE(SUM(amount_nano), 0) AS s FROM postings WHERE ledger_account = ?").get(account) as { s: number }).s;
  }

  /** The ledger's invariant: every posting ever made sums to zero. */
  totalNano(): number {
    return (this.db.query("SELECT COALESCE(SUM(amount_nano), 0) AS s FROM postings").get() as { s: number }).s;
  }

  /** Postings on `account` whose entry falls in [from, to) — by interval start when it has one, else by entry time. */
  postingsOf(account: LedgerAccount, from: UtcSeconds, to: UtcSeconds): LedgerLine[] {
    const rows = this.db.query(`SELECT p.ledger_account, p.amount_nano, p.energy_wh, p.period, p.interval_start, p.line_kind, p.tariff_id, p.price, p.entry_id, e.kind, e.session_id, e.at
      FROM postings p JOIN journal_entries e ON e.id = p.entry_id
      WHERE p.ledger_account = ? AND COALESCE(p.interval_start, e.at) >= ? AND COALESCE(p.interval_start, e.at) < ? ORDER BY p.id`)
      .all(account, from, to) as (PostingRow & { entry_id: number; kind: string; session_id: string | null; at: number })[];
    return rows.map((r) => ({ ...toPosting(r), entryId: r.entry_id, kind: r.kind as JournalEntry["kind"], sessionId: r.session_id, at: r.at as UtcSeconds }));
  }

  private toEntry(r: EntryRow): JournalEntry {
    const postings = (this.selectPostings.all(r.id) as PostingRow[]).map(toPosting);
    return {
      id: r.id, kind: r.kind as JournalEntry["kind"], sessionId: r.session_id, revision: r.revision,
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
