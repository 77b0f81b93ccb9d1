// Monthly bills (FR-34). Closing a month for an account posts the tariff's fixed charges and month charges/credits
// (e.g. a Climate Credit; priced by core/tariff's monthBill, prorated by the account's days of service) to the
// ledger, then gathers every not-yet-billed posting on the customer's ledger account up to the month's end: this
// month's lines by (kind, period, rate), and corrections to already-billed months as adjustment lines. Each line is
// rounded to the cent once (core/tariff roundToCents, half away from zero); the total is the sum of the lines.
// Every posting is billed exactly once (table bill_postings).
import type { SqlStore } from "../../../core/storage/index.ts";
import { monthBill, roundToCents, TariffError } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { SessionId } from "../../../core/ids/index.ts";
import { billSummarySchema, type BillLine, type BillLineKind, type BillSummary } from "../../protocol/index.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import { badRequest, conflict, notFound } from "../errors.ts";
import { REVENUE_FIXED, customerLedger, type Ledger } from "../ledger/ledger.ts";
import type { TariffCatalog } from "../tariffs/tariff-catalog.ts";
import { monthBounds, monthOf } from "./month-bounds.ts";

export interface MonthlyBillsDeps {
  db: SqlStore;
  clock: Clock;
  utilityId: string;
  timeZone: string;
  enrollment: EnrollmentStore;
  ledger: Ledger;
  tariffs: TariffCatalog;
}

interface UnbilledRow {
  id: number; premises_id: string; booked_at: number; amount_nano: number; energy_wh: number; period: string; interval_start: number | null; line_kind: string;
  tariff_id: string | null; price: number | null; at: number; session_id: string | null;
}

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
  async close(accountId: string, month: string, given?: { accountOpenedOn?: string; accountClosedOn?: string }): Promise<BillSummary> {
    const account = await this.d.enrollment.account(accountId);
    if (!account) throw notFound("account", accountId, "accountId");
    const bounds = monthBounds(month, this.d.timeZone);
    const service = given ?? { ...(account.openedOn ? { accountOpenedOn: account.openedOn } : {}), ...(account.closedOn ? { accountClosedOn: account.closedOn } : {}) };
    if (service.accountOpenedOn && service.accountOpenedOn.slice(0, 7) > month) {
      throw badRequest(`month ${month} ends before the account opened on ${service.accountOpenedOn}: there is nothing to bill`, "month");
    }
    if (service.accountClosedOn && service.accountClosedOn.slice(0, 7) < month) {
      throw badRequest(`month ${month} begins after the account closed on ${service.accountClosedOn}: there is nothing to bill`, "month");
    }
    const now = this.d.clock.now();
    if (now < bounds.end) throw badRequest(`month ${month} is not over yet (it ends ${new Date(bounds.end * 1000).toISOString()})`, "month");
    if (await this.bill(accountId, month)) throw conflict(`the bill of ${month} for account ${accountId} is already closed`, "month");
    const premises = await this.d.enrollment.premisesOfAccount(accountId);
    const ledgerAccount = customerLedger(accountId);

    return await this.d.db.transaction(async (): Promise<BillSummary> => {
      // Fixed charges of each premises' governing tariff (its program's, else its regular rate), priced by core/tariff.
      let programId: string | null = null;
      let tariffId: string | null = null;
      for (const p of premises) {
        const program = await this.d.enrollment.programAtPremises(p.id);
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
        await this.d.ledger.post({
          kind: "session", premisesId: p.id, sessionId: null, revision: null, at: (bounds.end - 1) as UtcSeconds, memo: `fixed charges ${month} ${p.id}`,
          postings: [...postings, { ledgerAccount: REVENUE_FIXED, amountNano: -sum, energyWh: 0, period: "", intervalStart: bounds.start, lineKind: "contra", tariffId: tid, priceMicroUsdPerKWh: null }],
        });
      }

      // The account's postings not yet on a bill, read at its premises' shards, up to the month's end (booked_at).
      const at = await this.d.enrollment.premisesEverOfAccount(accountId);
      const rows = at.length === 0 ? [] : await this.d.db.all<UnbilledRow>(`SELECT p.id, p.premises_id, p.booked_at, p.amount_nano, p.energy_wh, p.period, p.interval_start, p.line_kind, p.tariff_id, p.price, e.at, e.session_id
        FROM postings p JOIN journal_entries e ON e.premises_id = p.premises_id AND e.id = p.entry_id
        WHERE p.premises_id IN (${at.map(() => "?").join(", ")}) AND p.ledger_account = ? AND p.booked_at < ?
          AND NOT EXISTS (SELECT 1 FROM bill_postings b WHERE b.premises_id = p.premises_id AND b.posting_id = p.id) ORDER BY p.id`, ...at, ledgerAccount, bounds.end);

      interface Group { kind: BillLineKind; description: string; nano: number; wh: number; price: number | null; sessions: Set<string> }
      const groups = new Map<string, Group>();
      for (const r of rows) {
        const t = r.interval_start ?? r.at;
        const earlier = t < bounds.start;
        const kind: BillLineKind = earlier ? "adjustment" : (r.line_kind as BillLineKind);
        const key = earlier ? `adj|${monthOf(t, this.d.timeZone)}|${r.line_kind}` : `${r.line_kind}|${r.period}|${r.tariff_id}|${r.price}`;
        let g = groups.get(key);
        if (!g) {
          const description = earlier
            ? `Correction to ${monthOf(t, this.d.timeZone)}: ${KIND_TEXT[r.line_kind] ?? r.line_kind}`
            : r.line_kind === "fixed"
              ? r.period
              : `${KIND_TEXT[r.line_kind] ?? r.line_kind}: ${r.period}${r.tariff_id ? ` (${r.tariff_id})` : ""}${r.price !== null ? ` at ${(r.price / 1_000_000).toFixed(5)} USD/kWh` : ""}`;
          g = { kind, description, nano: 0, wh: 0, price: earlier ? null : r.price, sessions: new Set() };
          groups.set(key, g);
        }
        g.nano += r.amount_nano;
        g.wh += r.energy_wh;
        if (r.session_id) g.sessions.add(r.session_id);
      }
      // A posting and its exact reversal (a session held for review after it was posted) net to nothing: no line,
      // though both postings are still marked as billed below.
      const lines: BillLine[] = [...groups.values()].filter((g) => g.nano !== 0 || g.wh !== 0).map((g) => ({
        kind: g.kind, description: g.description.slice(0, 300), postedAt: now, wh: g.wh, amountCents: roundToCents(g.nano),
        ...(g.sessions.size === 1 ? { sessionId: [...g.sessions][0]! as SessionId } : {}),
        ...(g.price !== null ? { priceMicroUsdPerKWh: g.price } : {}),
      }));
      const debitsCents = lines.filter((l) => l.amountCents > 0).reduce((a, l) => a + l.amountCents, 0);
      const creditsCents = -lines.filter((l) => l.amountCents < 0).reduce((a, l) => a + l.amountCents, 0);
      const pevWh = lines.filter((l) => ["pev-debit", "default-rate-debit", "guest-debit", "roaming-debit"].includes(l.kind)).reduce((a, l) => a + l.wh, 0);
      const billId = `bill-${accountId}-${month}`;
      const summary = billSummarySchema.parse({
        billId, utilityId: this.d.utilityId, customerId: account.customerId, accountId, premisesId: premises[0]?.id ?? accountId,
        month, periodStart: bounds.start, periodEnd: bounds.end, issuedAt: now, programId, tariffId,
        pevWh: Math.max(0, pevWh), debitsCents, creditsCents, totalCents: debitsCents - creditsCents, lines,
      });
      await this.d.db.run("INSERT INTO bills (id, account_id, month, body, closed_at) VALUES (?, ?, ?, ?, ?)", billId, accountId, month, JSON.stringify(summary), now);
      // Every posting on the bill is marked billed, 500 to a statement.
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await this.d.db.run(`INSERT INTO bill_postings (premises_id, posting_id, booked_at, bill_id) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`,
          ...chunk.flatMap((r) => [r.premises_id, r.id, r.booked_at, billId]));
      }
      return summary;
    });
  }
}
