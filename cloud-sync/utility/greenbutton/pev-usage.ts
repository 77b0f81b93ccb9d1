// The PEV sub-metered usage of an account: the EUMD intervals of every session the ledger debits to it and has not
// reversed — its PEVs charging at home (program rate) or as a guest who pays, fallback charging at its premises at
// the regular rate, a guest it pays for. Reading the ledger, not the session list, is what keeps the download to the
// account's own data: a posting exists only where intake decided, from the utility's records at the time (enrollment,
// binding, who pays), that this account pays. Guest credits (a visitor's energy through this account's EUMD, credited
// at its regular rate) are the visitor's charging, already in the premises usage; they are not listed here.
//
// Cost per interval: each interval rated alone by core/tariff at the tariff the ledger posted with. Shown only when
// the session's intervals add up to exactly what the ledger holds (always, for the untiered time-of-use rates the
// programs use); a tiered tariff or a tariff changed since would not, and then the cost is left out, not guessed.
import type { Database } from "bun:sqlite";
import { rateIntervals, type Tariff } from "../../../core/tariff/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import type { BillLineKind, IntervalQuality, SessionReport } from "../../protocol/index.ts";
import { customerLedger } from "../ledger/ledger.ts";
import { QUALITY, type QualityCode } from "./espi-codes.ts";
import type { UsageReading } from "./usage-model.ts";

/** The bill lines that charge an account for PEV energy metered by an EUMD. */
export const PEV_DEBIT_KINDS: readonly BillLineKind[] = ["pev-debit", "default-rate-debit", "guest-debit"];

/** Sessions are looked up with a day's slack on both sides; intervals are then cut to [from, to) exactly. */
const SLACK_S = 86_400;

const QUALITY_OF: Record<IntervalQuality, QualityCode | null> = {
  ok: null, partial: null, estimated: QUALITY.estimated,
  // Only a session an operator released after review is posted with these (FR-15).
  suspect: QUALITY.verified, reset: QUALITY.verified,
};

export function pevReadings(db: Database, tariffs: { get(id: string): Tariff | null }, accountId: string, from: number, to: number): UsageReading[] {
  const kinds = PEV_DEBIT_KINDS.map(() => "?").join(", ");
  const rows = db.query(`SELECT e.id AS entry_id, s.body AS body, MIN(p.tariff_id) AS tariff_id, COUNT(DISTINCT p.tariff_id) AS tariffs,
      SUM(p.amount_nano) AS nano
    FROM postings p
    JOIN journal_entries e ON e.id = p.entry_id
    JOIN sessions s ON s.session_id = e.session_id AND s.revision = e.revision
    WHERE p.ledger_account = ? AND p.line_kind IN (${kinds}) AND e.kind = 'session'
      AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.id)
      AND s.started_at < ? AND (s.ended_at IS NULL OR s.ended_at > ?)
    GROUP BY e.id ORDER BY e.id`)
    .all(customerLedger(accountId), ...PEV_DEBIT_KINDS, to + SLACK_S, from - SLACK_S) as
    { entry_id: number; body: string; tariff_id: string | null; tariffs: number; nano: number }[];

  const out: UsageReading[] = [];
  for (const row of rows) {
    const report = JSON.parse(row.body) as SessionReport;
    const tariff = row.tariffs === 1 && row.tariff_id ? tariffs.get(row.tariff_id) : null;
    const costs = tariff ? intervalCosts(tariff, report, row.nano) : null;
    report.intervals.forEach((iv, i) => {
      if (iv.start < from || iv.start >= to) return;
      out.push({ start: iv.start, durationS: iv.lengthS, wh: iv.wh, costNano: costs ? costs[i]! : null, quality: QUALITY_OF[iv.quality] });
    });
  }
  return out;
}

/** Each interval's cost, or null when they do not add up to what the ledger posted for the session. */
function intervalCosts(tariff: Tariff, report: SessionReport, postedNano: number): number[] | null {
  const costs = report.intervals.map((iv) =>
    iv.wh > 0 ? rateIntervals(tariff, [{ start: iv.start, lengthS: iv.lengthS, wh: iv.wh as Wh }]).totalNanoUsd : 0);
  return costs.reduce((a, c) => a + c, 0) === postedNano ? costs : null;
}
