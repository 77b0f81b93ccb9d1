// Monthly bills (FR-34). Closing a month for an account posts the tariff's fixed charges and month charges/credits
// (e.g. a Climate Credit; priced by core/tariff's monthBill, prorated by the account's days of service) to the
// ledger, then gathers every not-yet-billed posting on the customer's ledger account up to the month's end: this
// month's lines by (kind, period, rate), and corrections to already-billed months as adjustment lines. Each line is
// rounded to the cent once (core/tariff roundToCents, half away from zero); the total is the sum of the lines.
// Every posting is billed exactly once: each bill marks the journal entries it took postings of, with the range of
// booked_at it billed (table bill_entries), and a posting under a mark is not billed again.
import type { SqlStore } from "../../../core/storage/index.ts";
import { monthBill, roundToCents, TariffError } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { SessionId } from "../../../core/ids/index.ts";
import { billSummarySchema, type BillLine, type BillLineKind, type BillSummary } from "../../protocol/index.ts";
import type { AccountBillingFacts, EnrollmentStore } from "../enrollment/enrollment-store.ts";
import { badRequest, conflict, notFound } from "../errors.ts";
import { REVENUE_FIXED, customerLedger, type NewEntry } from "../ledger/ledger.ts";
import { postEntries } from "../ledger/post-entries.ts";
import type { TariffCatalog } from "../tariffs/tariff-catalog.ts";
import { monthBounds, monthOf, type MonthBounds } from "./month-bounds.ts";

export interface MonthlyBillsDeps {
  db: SqlStore;
  clock: Clock;
  utilityId: string;
  timeZone: string;
  enrollment: EnrollmentStore;
  tariffs: TariffCatalog;
}

/** An account to bill, with its days of service when the caller gives them (else from enrollment). */
export interface CloseRequest { accountId: string; service?: ServiceDays }
/** First/last local days of service (inclusive), which prorate the fixed charges and bound the months billed. */
export interface ServiceDays { accountOpenedOn?: string; accountClosedOn?: string }
/** What closing the month did for one account: its bill, or why it has none. */
export type CloseOutcome = { accountId: string; bill: BillSummary } | { accountId: string; error: Error };

/** An account that passed the checks, with its fixed charges priced, ready to be billed in the batch's transaction. */
interface ReadyAccount {
  accountId: string;
  customerId: string;
  ledgerAccount: string;
  firstPremisesId: string | null;
  premisesEver: ReadonlySet<string>;
  programId: string | null;
  tariffId: string | null;
  fixedCharges: NewEntry[];
}

/** The account's unbilled postings of one entry and one bill-line key, summed by the database. */
interface UnbilledGroup {
  premises_id: string; entry_id: number; ledger_account: string; line_kind: string; period: string; tariff_id: string | null; price: number | null;
  /** The booked_at of postings before the month (corrections): kept apart, as each goes to its own month's line. */
  earlier_at: number | null;
  nano: number; wh: number; first_at: number; first_id: number; session_id: string | null;
  /** The end of the entry's latest billed range on the account, if a bill took any of its postings. */
  billed_before: number | null;
}

/**
 * PostgreSQL's memory for the batch's sums (SET LOCAL, this transaction only): a batch's ~25,000 postings hash in a few
 * MB, over the server's default 4 MB, which would have the planner sort them on disk instead. JIT is off for the same
 * transaction: the planner counts a group per posting, the cost crosses jit_above_cost, and compiling took 40 ms of a
 * 90 ms query (measured, 50 accounts × 480 postings).
 */
const PG_WORK_MEM = "32MB";
/** Marks per INSERT: 6 parameters each. */
const MARKS_PER_STATEMENT = 1000;

const KIND_TEXT: Record<string, string> = {
  "pev-debit": "PEV charging under the program",
  "default-rate-debit": "PEV charging at the premises default rate (no program binding)",
  "guest-debit": "Your PEV charging as a guest at another premises",
  "guest-credit": "Credit for a visiting PEV's charging at your premises",
  "roaming-debit": "Your PEV charging outside our territory (clearinghouse)",
  fixed: "Fixed charge",
};

export class MonthlyBills {
  constructor(private readonly d: MonthlyBillsDeps) {}

  async bill(accountId: string, month: string): Promise<BillSummary | null> {
    const r = await this.d.db.get<{ body: string }>("SELECT body FROM bills WHERE account_id = ? AND month = ?", accountId, month);
    return r ? (JSON.parse(r.body) as BillSummary) : null;
  }

  async bills(accountId: string, limit = 24): Promise<BillSummary[]> {
    const rows = await this.d.db.all<{ body: string }>("SELECT body FROM bills WHERE account_id = ? ORDER BY month DESC LIMIT ?", accountId, limit);
    return rows.map((r) => JSON.parse(r.body) as BillSummary);
  }

  /**
   * Closes `month` (YYYY-MM, utility time zone) for an account; the month must be over. The account's first/last days
   * of service (local dates, inclusive; from enrollment unless `service` gives them) prorate the fixed charges, and a
   * month outside them is refused (400), whether or not the premises' tariff has a fixed charge.
   */
  async close(accountId: string, month: string, given?: ServiceDays): Promise<BillSummary> {
    const [outcome] = await this.closeMany([{ accountId, ...(given ? { service: given } : {}) }], month);
    if ("error" in outcome!) throw outcome.error;
    return outcome.bill;
  }

  /**
   * Closes `month` for several accounts at once, as `close` does each (issue 15: month close at volume). The checks
   * and the fixed charges' prices come from a handful of reads for all of them; then one transaction posts every
   * fixed charge (two statements), reads every unbilled posting summed in SQL per entry and line (one statement),
   * and writes the bills and the billed-entry marks (one statement each, per thousand marks). An account that fails a
   * check gets its error and the others are billed. Should the batch's transaction fail (another close of one of the
   * accounts got there first), each account is closed alone, so the failure lands on the account it belongs to.
   */
  async closeMany(requests: readonly CloseRequest[], month: string): Promise<CloseOutcome[]> {
    const bounds = monthBounds(month, this.d.timeZone);
    const now = this.d.clock.now();
    if (requests.length === 0) return [];
    const ids = requests.map((r) => r.accountId);
    const facts = await this.d.enrollment.billingFacts(ids);
    const billed = new Set((await this.d.db.all<{ account_id: string }>(`SELECT account_id FROM bills WHERE account_id IN (${ids.map(() => "?").join(", ")}) AND month = ?`,
      ...ids, month)).map((r) => r.account_id));
    const outcomes = new Map<string, CloseOutcome>();
    const ready: ReadyAccount[] = [];
    for (const r of requests) {
      try {
        ready.push(await this.check(r, facts.get(r.accountId), bounds, now, billed.has(r.accountId)));
      } catch (e) {
        outcomes.set(r.accountId, { accountId: r.accountId, error: e as Error });
      }
    }
    if (ready.length > 0) {
      try {
        for (const bill of await this.d.db.transaction(() => this.billAll(ready, bounds, now))) outcomes.set(bill.accountId, { accountId: bill.accountId, bill });
      } catch (e) {
        if (ready.length > 1) {
          for (const a of ready) outcomes.set(a.accountId, (await this.closeMany(requests.filter((r) => r.accountId === a.accountId), month))[0]!);
        } else {
          const accountId = ready[0]!.accountId;
          const error = await this.bill(accountId, month) ? conflict(`the bill of ${month} for account ${accountId} is already closed`, "month") : e as Error;
          outcomes.set(accountId, { accountId, error });
        }
      }
    }
    return requests.map((r) => outcomes.get(r.accountId)!);
  }

  /** The account's checks (in `close`'s order of old) and its fixed charges, priced by core/tariff; throws the refusal. */
  private async check(r: CloseRequest, facts: AccountBillingFacts | undefined, bounds: MonthBounds, now: UtcSeconds, billed: boolean): Promise<ReadyAccount> {
    const { accountId } = r;
    const month = bounds.month;
    if (!facts) throw notFound("account", accountId, "accountId");
    const { account } = facts;
    const service = r.service ?? { ...(account.openedOn ? { accountOpenedOn: account.openedOn } : {}), ...(account.closedOn ? { accountClosedOn: account.closedOn } : {}) };
    if (service.accountOpenedOn && service.accountOpenedOn.slice(0, 7) > month) {
      throw badRequest(`month ${month} ends before the account opened on ${service.accountOpenedOn}: there is nothing to bill`, "month");
    }
    if (service.accountClosedOn && service.accountClosedOn.slice(0, 7) < month) {
      throw badRequest(`month ${month} begins after the account closed on ${service.accountClosedOn}: there is nothing to bill`, "month");
    }
    if (now < bounds.end) throw badRequest(`month ${month} is not over yet (it ends ${new Date(bounds.end * 1000).toISOString()})`, "month");
    if (billed) throw conflict(`the bill of ${month} for account ${accountId} is already closed`, "month");
    const ledgerAccount = customerLedger(accountId);
    // Fixed charges of each premises' governing tariff (its program's, else its regular rate), priced by core/tariff.
    let programId: string | null = null;
    let tariffId: string | null = null;
    const fixedCharges: NewEntry[] = [];
    for (const { premises: p, program } of facts.premises) {
      programId ??= program?.id ?? null;
      const tid = program?.tariffId ?? p.defaultTariffId;
      tariffId ??= tid;
      const tariff = await this.d.tariffs.get(tid);
      if (!tariff) continue;
      const tariffLines = (() => {
        try {
          return monthBill({ tariff, month, intervals: [], ...service }).lines;
        } catch (e) {
          // A month outside the account's service, or one its tariff has no version for: the operator's to fix.
          if (e instanceof TariffError) throw badRequest(`${p.id} (tariff ${tid}): ${e.message}`, e.path);
          throw e;
        }
      })();
      // Fixed charges and the tariff's month charges (a credit posts as a negative "fixed" line).
      const fixed = tariffLines.filter((l) => (l.kind === "fixed" || l.kind === "month-charge") && l.nanoUsd !== 0);
      if (fixed.length === 0) continue;
      const postings = fixed.map((l) => ({
        ledgerAccount, amountNano: l.nanoUsd, energyWh: 0, period: `${p.id}: ${l.description}`, intervalStart: bounds.start,
        lineKind: "fixed" as const, tariffId: tid, priceMicroUsdPerKWh: null,
      }));
      const sum = postings.reduce((a, x) => a + x.amountNano, 0);
      fixedCharges.push({
        kind: "session", premisesId: p.id, sessionId: null, revision: null, at: (bounds.end - 1) as UtcSeconds, memo: `fixed charges ${month} ${p.id}`,
        postings: [...postings, { ledgerAccount: REVENUE_FIXED, amountNano: -sum, energyWh: 0, period: "", intervalStart: bounds.start, lineKind: "contra", tariffId: tid, priceMicroUsdPerKWh: null }],
      });
    }
    return {
      accountId, customerId: account.customerId, ledgerAccount, firstPremisesId: facts.premises[0]?.premises.id ?? null,
      premisesEver: new Set(facts.premisesEver), programId, tariffId, fixedCharges,
    };
  }

  /** Inside the batch's transaction: posts the fixed charges, gathers each account's unbilled postings, writes the bills. */
  private async billAll(ready: readonly ReadyAccount[], bounds: MonthBounds, now: UtcSeconds): Promise<BillSummary[]> {
    const db = this.d.db;
    await postEntries(db, ready.flatMap((a) => a.fixedCharges));

    // Every unbilled posting of the accounts at their premises' shards, up to the month's end (booked_at), summed per
    // entry and bill-line key. Filtered on the premises only: also filtering on the ledger accounts, the planner takes
    // the two as independent and under-estimates the rows a hundredfold (and sorts where hashing is faster); the
    // utility's own side (contra) is left out here, other accounts' postings (a premises that changed hands) below.
    // A posting is billed when a mark of its entry and account reaches past its booked_at. The marks and the session are
    // looked up once per sum, in the select list (an index probe each; as a join, the planner, counting a group per
    // posting, would sort the whole marks table): a mark ends at the end of the month it billed, so this month's
    // postings of an entry are billed exactly when a mark ends after this month's start (a later month was closed
    // first), while a correction's postings from before the month keep their own booked_at (earlier_at) to compare.
    // (A mark carried over from bill_postings ends just after the last posting it billed; the entry has none between
    // that and its bill's month end, so the rule holds for it too.)
    const premises = [...new Set(ready.flatMap((a) => [...a.premisesEver]))];
    const byLedger = new Map(ready.map((a) => [a.ledgerAccount, a]));
    if (db.engine === "postgres") await db.exec(`SET LOCAL work_mem = '${PG_WORK_MEM}'; SET LOCAL jit = off`);
    const rows = premises.length === 0 ? [] : await db.all<UnbilledGroup>(`SELECT g.premises_id, g.entry_id, g.ledger_account, g.line_kind, g.period, g.tariff_id, g.price,
        g.earlier_at, g.nano, g.wh, g.first_at, g.first_id,
        (SELECT e.session_id FROM journal_entries e WHERE e.premises_id = g.premises_id AND e.id = g.entry_id) AS session_id,
        (SELECT MAX(b.billed_before) FROM bill_entries b WHERE b.premises_id = g.premises_id AND b.entry_id = g.entry_id
          AND b.ledger_account = g.ledger_account) AS billed_before
      FROM (SELECT p.premises_id, p.entry_id, p.ledger_account, p.line_kind, p.period, p.tariff_id, p.price,
          CASE WHEN p.booked_at < ? THEN p.booked_at END AS earlier_at,
          SUM(p.amount_nano) AS nano, SUM(p.energy_wh) AS wh, MIN(p.booked_at) AS first_at, MIN(p.id) AS first_id
        FROM postings p
        WHERE p.premises_id IN (${premises.map(() => "?").join(", ")}) AND p.booked_at < ? AND p.line_kind <> 'contra'
        GROUP BY p.premises_id, p.entry_id, p.ledger_account, p.line_kind, p.period, p.tariff_id, p.price, earlier_at) g`,
    bounds.start, ...premises, bounds.end);
    // Lines come in the order of their first posting, as they always have.
    rows.sort((a, b) => a.first_id - b.first_id);
    const rowsOf = new Map<ReadyAccount, UnbilledGroup[]>(ready.map((a) => [a, []]));
    for (const r of rows) {
      const a = byLedger.get(r.ledger_account);
      // Only the account's own premises (a premises that changed hands holds the other account's postings too).
      if (!a || !a.premisesEver.has(r.premises_id)) continue;
      if (r.billed_before !== null && r.billed_before > (r.earlier_at ?? bounds.start)) continue; // billed already
      rowsOf.get(a)!.push(r);
    }

    const summaries = ready.map((a) => this.summary(a, rowsOf.get(a)!, bounds, now));
    await db.run(`INSERT INTO bills (id, account_id, month, body, closed_at) VALUES ${summaries.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
      ...summaries.flatMap((b) => [b.billId, b.accountId, b.month, JSON.stringify(b), now]));
    // Each entry the bill took postings of is marked with the range of booked_at it billed.
    const marks = new Map<string, [string, number, string, number, number, string]>();
    for (const a of ready) {
      const billId = `bill-${a.accountId}-${bounds.month}`;
      for (const r of rowsOf.get(a)!) {
        const key = `${r.premises_id}\u0000${r.entry_id}\u0000${r.ledger_account}`;
        const m = marks.get(key);
        if (!m) marks.set(key, [r.premises_id, r.entry_id, r.ledger_account, r.first_at, bounds.end, billId]);
        else m[3] = Math.min(m[3], r.first_at);
      }
    }
    const markRows = [...marks.values()];
    for (let i = 0; i < markRows.length; i += MARKS_PER_STATEMENT) {
      const chunk = markRows.slice(i, i + MARKS_PER_STATEMENT);
      await db.run(`INSERT INTO bill_entries (premises_id, entry_id, ledger_account, billed_from, billed_before, bill_id) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
        ...chunk.flat());
    }
    return summaries;
  }

  /** The account's bill from its unbilled postings: this month's lines by (kind, period, tariff, rate), corrections by month. */
  private summary(a: ReadyAccount, rows: readonly UnbilledGroup[], bounds: MonthBounds, now: UtcSeconds): BillSummary {
    interface Group { kind: BillLineKind; description: string; nano: number; wh: number; price: number | null; sessions: Set<string> }
    const groups = new Map<string, Group>();
    for (const r of rows) {
      const earlier = r.earlier_at !== null;
      const corrected = earlier ? monthOf(r.earlier_at!, this.d.timeZone) : "";
      const kind: BillLineKind = earlier ? "adjustment" : (r.line_kind as BillLineKind);
      const key = earlier ? `adj|${corrected}|${r.line_kind}` : `${r.line_kind}|${r.period}|${r.tariff_id}|${r.price}`;
      let g = groups.get(key);
      if (!g) {
        const description = earlier
          ? `Correction to ${corrected}: ${KIND_TEXT[r.line_kind] ?? r.line_kind}`
          : r.line_kind === "fixed"
            ? r.period
            : `${KIND_TEXT[r.line_kind] ?? r.line_kind}: ${r.period}${r.tariff_id ? ` (${r.tariff_id})` : ""}${r.price !== null ? ` at ${(r.price / 1_000_000).toFixed(5)} USD/kWh` : ""}`;
        g = { kind, description, nano: 0, wh: 0, price: earlier ? null : r.price, sessions: new Set() };
        groups.set(key, g);
      }
      g.nano += r.nano;
      g.wh += r.wh;
      if (r.session_id) g.sessions.add(r.session_id);
    }
    // A posting and its exact reversal (a session held for review after it was posted) net to nothing: no line,
    // though both postings are still marked as billed.
    const lines: BillLine[] = [...groups.values()].filter((g) => g.nano !== 0 || g.wh !== 0).map((g) => ({
      kind: g.kind, description: g.description.slice(0, 300), postedAt: now, wh: g.wh, amountCents: roundToCents(g.nano),
      ...(g.sessions.size === 1 ? { sessionId: [...g.sessions][0]! as SessionId } : {}),
      ...(g.price !== null ? { priceMicroUsdPerKWh: g.price } : {}),
    }));
    const debitsCents = lines.filter((l) => l.amountCents > 0).reduce((x, l) => x + l.amountCents, 0);
    const creditsCents = -lines.filter((l) => l.amountCents < 0).reduce((x, l) => x + l.amountCents, 0);
    const pevWh = lines.filter((l) => ["pev-debit", "default-rate-debit", "guest-debit", "roaming-debit"].includes(l.kind)).reduce((x, l) => x + l.wh, 0);
    return billSummarySchema.parse({
      billId: `bill-${a.accountId}-${bounds.month}`, utilityId: this.d.utilityId, customerId: a.customerId, accountId: a.accountId,
      premisesId: a.firstPremisesId ?? a.accountId, month: bounds.month, periodStart: bounds.start, periodEnd: bounds.end, issuedAt: now,
      programId: a.programId, tariffId: a.tariffId, pevWh: Math.max(0, pevWh), debitsCents, creditsCents, totalCents: debitsCents - creditsCents, lines,
    });
  }
}
