// Everything this head-end exchanges with the clearinghouse: publishing our roaming PEVs' VINs, looking up a
// foreign VIN's home utility at binding, sending queued CDRs (durable in cdrs_out; a 4xx refusal dead-letters one
// with the reason, a 5xx or an unreachable clearinghouse is retried with a growing delay), and
// taking in CDRs for our own PEVs that charged elsewhere (FR-30): debit the customer, credit the clearinghouse.
import type { SqlStore } from "../../../core/storage/index.ts";
import { microUsdFromDollars } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import { parseIso, type UtcSeconds } from "../../../core/time/index.ts";
import type { CdrDelivery, OcpiCdr } from "../../protocol/index.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import { ApiError, conflict } from "../errors.ts";
import { clearinghouseLedger, customerLedger, type Ledger } from "../ledger/ledger.ts";
import { ClearinghouseError, type ClearinghouseClient } from "./clearinghouse-client.ts";
import type { CdrOut, RoamingFailure } from "./cdr-out.ts";

export type FlushResult = { tokens: number; cdrs: number; errors: RoamingFailure[] };

/** A 4xx the clearinghouse will answer again for the same CDR (408 and 429 only ask to come back later). */
const isRefusal = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** Clock difference allowed between the visited premises' hub and ours when a CDR is checked against the PEV's time. */
const CDR_OVERLAP_TOLERANCE_S = 300;

/** A foreign VIN's home, once looked up, is trusted for a day before asking the clearinghouse again. */
const FOREIGN_CACHE_S = 86_400;

export class RoamingSync {
  /** Settles when the flush in progress ends (never rejects); null when none runs. */
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: SqlStore,
    private readonly clock: Clock,
    private readonly enrollment: EnrollmentStore,
    private readonly ledger: Ledger,
    private readonly client: ClearinghouseClient | null,
    /** Holds a posted session for review (its home utility refused the CDR): the host is not credited on it. */
    private readonly holdSession: (premisesId: string, sessionId: string, reason: string) => Promise<boolean> = async () => false,
  ) {}

  /** Marks a VIN for publication at the clearinghouse (done by flush()). */
  async markRoaming(vin: string): Promise<void> {
    await this.db.run("INSERT INTO roaming_tokens (vin, published_at) VALUES (?, NULL) ON CONFLICT (vin) DO UPDATE SET published_at = NULL, refused = NULL", vin);
  }

  async foreignHomeOf(vin: string): Promise<string | null> {
    const now = this.clock.now();
    const cached = await this.db.get<{ utility_id: string; checked_at: number }>("SELECT utility_id, checked_at FROM foreign_pevs WHERE vin = ?", vin);
    if (cached && now - cached.checked_at < FOREIGN_CACHE_S) return cached.utility_id;
    if (!this.client) return cached?.utility_id ?? null;
    try {
      const home = await this.client.homeOf(vin);
      if (home) {
        const party = home.ocpi ? `${home.ocpi.countryCode}*${home.ocpi.partyId}` : null;
        await this.db.run(`INSERT INTO foreign_pevs (vin, utility_id, checked_at, ocpi_party) VALUES (?, ?, ?, ?)
          ON CONFLICT (vin) DO UPDATE SET utility_id = excluded.utility_id, checked_at = excluded.checked_at, ocpi_party = excluded.ocpi_party`, vin, home.utilityId, now, party);
      }
      return home?.utilityId ?? null;
    } catch {
      // Clearinghouse down: an older answer is better than none; no answer means "not enrolled" (BR-4 fallback).
      return cached?.utility_id ?? null;
    }
  }

  /**
   * Publishes pending tokens and sends pending CDRs; returns what this call sent. Safe to call concurrently with
   * intake. Flushes run one at a time: the background loop, the after-change trigger and the operator's "flush now"
   * would otherwise read the same pending rows and send each token and CDR twice. A call made while another flush
   * runs waits for it, then sends whatever is still pending, so everything pending when it was called has been tried
   * when it returns.
   */
  async flush(): Promise<FlushResult> {
    const client = this.client;
    if (!client) return { tokens: 0, cdrs: 0, errors: [] };
    while (this.flushing) await this.flushing;
    const run = this.sendPending(client);
    const settled = run.then(() => undefined, () => undefined);
    this.flushing = settled;
    try {
      return await run;
    } finally {
      if (this.flushing === settled) this.flushing = null;
    }
  }

  /** Resolves once no flush runs (before closing the database under it). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * The last flush's failures and when it ran (null before the first flush): /healthz reports a clearinghouse that
   * refuses or cannot be reached, instead of roaming failing silently.
   */
  lastFlush: { at: number; errors: RoamingFailure[] } | null = null;

  private async sendPending(client: ClearinghouseClient): Promise<FlushResult> {
    let tokens = 0, cdrs = 0;
    const errors: RoamingFailure[] = [];
    const failure = (kind: RoamingFailure["kind"], id: string, e: unknown): RoamingFailure =>
      ({ kind, id, status: e instanceof ClearinghouseError ? e.status : null, error: (e as Error).message.slice(0, 500) });
    for (const { vin } of await this.db.all<{ vin: string }>("SELECT vin FROM roaming_tokens WHERE published_at IS NULL AND refused IS NULL LIMIT 500")) {
      try {
        await client.putToken(vin);
        await this.db.run("UPDATE roaming_tokens SET published_at = ? WHERE vin = ?", this.clock.now(), vin);
        tokens++;
      } catch (e) {
        const f = failure("token", vin, e);
        errors.push(f);
        // Another utility holds the VIN (409) or it is no VIN (400): asking again every flush changes nothing. An
        // unregistered key (401) or a failure (5xx, unreachable) is retried on the next flush.
        if (e instanceof ClearinghouseError && isRefusal(e.status) && e.status !== 401) {
          await this.db.run("UPDATE roaming_tokens SET refused = ? WHERE vin = ?", f.error, vin);
        }
      }
    }
    // Oldest first: a credit CDR goes out before the replacement CDR queued after it.
    const pending = await this.db.all<{ premises_id: string; cdr_id: string; home_utility_id: string; body: string; attempts: number }>(
      "SELECT premises_id, cdr_id, home_utility_id, body, attempts FROM cdrs_out WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT 500 -- multi-shard: background sender",
      this.clock.now());
    for (const p of pending) {
      try {
        const r = await client.postCdr(JSON.parse(p.body) as OcpiCdr, p.home_utility_id);
        await this.db.run("UPDATE cdrs_out SET state = 'sent', sent_at = ?, last_error = ?, clearinghouse_id = ? WHERE premises_id = ? AND cdr_id = ?", this.clock.now(), r.duplicate ? `clearinghouse already held it as ${r.id}` : null, r.id, p.premises_id, p.cdr_id);
        cdrs++;
      } catch (e) {
        const f = failure("cdr", p.cdr_id, e);
        errors.push(f);
        const why = f.error;
        if (e instanceof ClearinghouseError && isRefusal(e.status)) {
          // Refused (an implausible amount, an unknown token): sending it again changes nothing. Kept, with the
          // reason, for the operator; never retried.
          await this.db.run("UPDATE cdrs_out SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE premises_id = ? AND cdr_id = ?", why, p.premises_id, p.cdr_id);
        } else {
          // Failed for now (5xx, unreachable, timeout): retried after 5 s × 2^attempts, at most an hour.
          // (Worked out here: SQLite's two-argument MIN is PostgreSQL's LEAST.)
          await this.db.run("UPDATE cdrs_out SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE premises_id = ? AND cdr_id = ?",
            why, this.clock.now() + Math.min(3600, 5 * 2 ** Math.min(p.attempts, 10)), p.premises_id, p.cdr_id);
        }
      }
    }
    await this.learnOutcomes(client);
    this.lastFlush = { at: this.clock.now(), errors };
    return { tokens, cdrs, errors };
  }

  /**
   * Asks the clearinghouse what became of the CDRs we sent (issue 13): one its home utility refused (e.g. the PEV was
   * charging at home at the time) was billed here on the host hub's word alone, so the session is held for review and
   * the host's credit reversed. A refused credit CDR is only recorded (the session is already void). Unknown outcomes
   * are asked again on the next flush.
   */
  private async learnOutcomes(client: ClearinghouseClient): Promise<void> {
    if (!client.cdrState) return;
    const sent = await this.db.all<{ premises_id: string; cdr_id: string; session_id: string; home_utility_id: string; clearinghouse_id: string; credit_of: string | null }>(
      `SELECT premises_id, cdr_id, session_id, home_utility_id, clearinghouse_id, credit_of FROM cdrs_out
        WHERE state = 'sent' AND home_outcome IS NULL AND clearinghouse_id IS NOT NULL ORDER BY seq LIMIT 500 -- multi-shard: background sender`);
    for (const s of sent) {
      let state;
      try {
        state = await client.cdrState(s.clearinghouse_id);
      } catch {
        continue; // asked again on the next flush
      }
      if (state.state === "delivered") {
        await this.db.run("UPDATE cdrs_out SET home_outcome = 'delivered' WHERE premises_id = ? AND cdr_id = ?", s.premises_id, s.cdr_id);
      } else if (state.state === "dead") {
        const why = `home utility ${s.home_utility_id} refused the roaming ${s.credit_of ? "credit " : ""}CDR: ${state.lastError ?? "no reason given"}`.slice(0, 500);
        await this.db.transaction(async () => {
          await this.db.run("UPDATE cdrs_out SET home_outcome = 'refused', last_error = ? WHERE premises_id = ? AND cdr_id = ?", why, s.premises_id, s.cdr_id);
          if (!s.credit_of) await this.holdSession(s.premises_id, s.session_id, why);
        });
      }
    }
  }

  /**
   * A CDR for one of our PEVs, charged in another utility's territory (FR-30): bill our customer for it. A credit CDR
   * (OCPI 2.2.1) reverses a CDR this utility billed from the same sender: the customer is credited what it was charged.
   */
  async receiveCdr(d: CdrDelivery): Promise<{ entryId: number }> {
    const vin = d.cdr.cdr_token.uid;
    const pev = await this.enrollment.pev(vin);
    if (!pev) throw new ApiError("not-found", `PEV ${vin} is not a customer's PEV at this utility`, "cdr.cdr_token.uid");
    return await this.db.transaction(async () => {
      const seen = await this.db.get<{ entry_id: number }>("SELECT entry_id FROM cdrs_in WHERE cdr_id = ? OR (from_utility_id = ? AND ocpi_cdr_id = ?)", d.clearinghouseCdrId, d.fromUtilityId, d.cdr.id);
      if (seen) throw conflict(`CDR ${d.cdr.id} from ${d.fromUtilityId} (clearinghouse ${d.clearinghouseCdrId}) was already billed`, "clearinghouseCdrId", { existingEntryId: seen.entry_id });
      let accountId = pev.accountId as string;
      // The charge is booked at the PEV's home premises (its enrollment's, else its account's first): the premises is
      // the ledger's distribution key, and the account's bill reads its premises' postings. A credit goes to the
      // premises and account the original was booked at (the PEV may have moved since).
      let home: string | undefined = (await this.enrollment.activeEnrollment(vin))?.premises.id ?? (await this.enrollment.premisesOfAccount(pev.accountId))[0]?.id;
      const start = parseIso(d.cdr.start_date_time);
      if (d.cdr.credit) {
        const original = await this.db.get<{ account_id: string; premises_id: string | null }>(`SELECT c.account_id,
            (SELECT e.premises_id FROM journal_entries e WHERE e.id = c.entry_id AND e.kind = 'clearinghouse-cdr' LIMIT 1) AS premises_id
          FROM cdrs_in c WHERE c.from_utility_id = ? AND c.ocpi_cdr_id = ? -- multi-shard: the original's entry, found by its ID`, d.fromUtilityId, d.cdr.credit_reference_id ?? "");
        if (!original) throw new ApiError("unknown-credit-reference", `credit CDR ${d.cdr.id} references CDR ${d.cdr.credit_reference_id}, which ${d.fromUtilityId} never billed here`, "cdr.credit_reference_id", undefined, 422);
        accountId = original.account_id; // the credit goes to whoever was charged, even if the PEV changed account since
        home = original.premises_id ?? home;
      } else {
        const elsewhere = await this.elsewhere(vin, start, parseIso(d.cdr.end_date_time), d.cdr.session_id);
        if (elsewhere) throw new ApiError("pev-elsewhere", elsewhere, "cdr.start_date_time", undefined, 422);
      }
      if (!home) throw conflict(`the account ${accountId} of PEV ${vin} has no premises to bill the roaming charge at`, "cdr.cdr_token.uid");
      const nano = microUsdFromDollars(d.cdr.total_cost.excl_vat) * 1000;
      const wh = Math.round(d.cdr.total_energy * 1000) * (d.cdr.credit ? -1 : 1);
      const now = this.clock.now();
      const entryId = await this.ledger.post({
        kind: "clearinghouse-cdr", premisesId: home, sessionId: d.cdr.session_id, revision: null, at: now,
        memo: `${d.cdr.credit ? `credit CDR ${d.cdr.id} for ${d.cdr.credit_reference_id}` : `CDR ${d.cdr.id}`} from ${d.fromUtilityId} via clearinghouse ${d.clearinghouseCdrId}`,
        postings: [
          { ledgerAccount: customerLedger(accountId), amountNano: nano, energyWh: wh, period: `charged in ${d.fromUtilityId} territory`, intervalStart: start, lineKind: d.cdr.credit ? "reversal" : "roaming-debit", tariffId: null, priceMicroUsdPerKWh: null },
          { ledgerAccount: clearinghouseLedger(d.fromUtilityId), amountNano: -nano, energyWh: 0, period: "", intervalStart: start, lineKind: "contra", tariffId: null, priceMicroUsdPerKWh: null },
        ],
      });
      await this.db.run("INSERT INTO cdrs_in (cdr_id, session_id, vin, account_id, body, entry_id, received_at, from_utility_id, ocpi_cdr_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        d.clearinghouseCdrId, d.cdr.session_id, vin, accountId, JSON.stringify(d), entryId, now as UtcSeconds, d.fromUtilityId, d.cdr.id);
      return { entryId };
    });
  }

  /** Every CDR sent (or to send) for the session, oldest first: an original, its credit CDR, its replacement. */
  async cdrsOut(premisesId: string, sessionId: string): Promise<CdrOut[]> {
    const rows = await this.db.all<CdrOutRow>("SELECT state, home_utility_id, body, last_error, home_outcome FROM cdrs_out WHERE premises_id = ? AND session_id = ? ORDER BY seq", premisesId, sessionId);
    return rows.map(toCdrOut);
  }

  /**
   * A PEV is in one place at a time (issue 13): a CDR whose time overlaps, by more than the clock tolerance, a session
   * of the same PEV this utility settled at home, or another CDR it billed, describes energy the PEV cannot have
   * taken. The reason, or null. (A visited premises' hub is the host customer's device; this is the home utility's
   * own evidence against it.) Another CDR of the same session (a replacement after a credit) is no overlap, nor is
   * one a credit CDR cancelled.
   */
  private async elsewhere(vin: string, from: number, to: number, sessionId: string): Promise<string | null> {
    const lo = from + CDR_OVERLAP_TOLERANCE_S, hi = to - CDR_OVERLAP_TOLERANCE_S;
    if (hi <= lo) return null;
    const home = await this.db.get<{ session_id: string; premises_id: string }>(`SELECT s.session_id, s.premises_id FROM sessions s WHERE s.vin = ? AND s.status IN ('posted', 'awaiting-final')
      AND COALESCE(s.energy_from, s.started_at) < ? AND COALESCE(s.energy_to, s.ended_at, s.started_at + 86400) > ?
      AND NOT EXISTS (SELECT 1 FROM sessions n WHERE n.premises_id = s.premises_id AND n.session_id = s.session_id AND n.revision > s.revision)
      LIMIT 1 -- multi-shard: the PEV's sessions at every premises`, vin, hi, lo);
    if (home) return `PEV ${vin} was charging at premises ${home.premises_id} (session ${home.session_id}) during this CDR's time: it cannot have charged elsewhere`;
    const billed = await this.db.all<{ session_id: string; body: string }>("SELECT session_id, body FROM cdrs_in WHERE vin = ? AND session_id != ?", vin, sessionId);
    const credited = new Set(billed.map((r) => (JSON.parse(r.body) as CdrDelivery).cdr).filter((c) => c.credit).map((c) => c.credit_reference_id));
    for (const r of billed) {
      const other = (JSON.parse(r.body) as CdrDelivery).cdr;
      if (other.credit || credited.has(other.id)) continue;
      if (parseIso(other.start_date_time) < hi && parseIso(other.end_date_time) > lo) {
        return `PEV ${vin} was already billed for roaming session ${r.session_id} (${other.start_date_time} to ${other.end_date_time}) during this CDR's time`;
      }
    }
    return null;
  }

  /** The session's latest CDR out (the one that stands, or the credit that voided it), or null. */
  async cdrOut(premisesId: string, sessionId: string): Promise<CdrOut | null> {
    const r = await this.db.get<CdrOutRow>("SELECT state, home_utility_id, body, last_error, home_outcome FROM cdrs_out WHERE premises_id = ? AND session_id = ? ORDER BY seq DESC LIMIT 1", premisesId, sessionId);
    return r ? toCdrOut(r) : null;
  }
}

interface CdrOutRow { state: CdrOut["state"]; home_utility_id: string; body: string; last_error: string | null; home_outcome: CdrOut["homeOutcome"] }
const toCdrOut = (r: CdrOutRow): CdrOut =>
  ({ state: r.state, homeUtilityId: r.home_utility_id, cdr: JSON.parse(r.body) as OcpiCdr, lastError: r.last_error, homeOutcome: r.home_outcome });
