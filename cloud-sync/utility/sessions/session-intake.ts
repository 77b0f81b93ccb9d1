// Session intake (FR-29, FR-31, FR-33, FR-32, FR-15). Idempotent on (session ID, revision): a repeat is acknowledged
// as a duplicate and posts nothing; an older revision than one held is "superseded"; a newer revision reverses every
// standing entry of the session and posts the new snapshot. Who pays is decided from the utility's own records,
// not the hub's say-so; anything that does not add up is held for review and never billed.
import type { SqlStore, SqlValue } from "../../../core/storage/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { SessionReceipt } from "../../protocol/index.ts";
import type { SessionReport } from "../../protocol/index.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import { ApiError, badRequest, conflict, notFound } from "../errors.ts";
import { REVENUE_ENERGY, clearinghouseLedger, customerLedger, type Ledger } from "../ledger/ledger.ts";
import type { AmiLookup, AmiStore } from "../metering/ami-store.ts";
import { correlateLoad, type LoadCorrelationTolerance } from "../metering/load-correlation.ts";
import { buildCdr, creditCdrOf } from "../roaming/cdr-builder.ts";
import { partyIdOf, type OcpiCdr, type OcpiParty } from "../../protocol/index.ts";
import type { TariffCatalog } from "../tariffs/tariff-catalog.ts";
import type { Account, Posting, Premises, Program } from "../types.ts";
import type { EnrollmentView } from "../enrollment/enrollment-store.ts";
import { monthEndFinder } from "../billing/month-bounds.ts";
import { contra, priceIntervals } from "./price-intervals.ts";
import { roundToCents, NANO_USD_PER_CENT } from "../../../core/tariff/index.ts";
import { energyWindow, type BindingGrant, type BindingGrants, type EnergyWindow, type GrantStatus } from "../binding/binding-grants.ts";
import type { SessionKeys } from "./session-keys.ts";
import { implausibility } from "./plausibility.ts";
import { SettledWindows } from "./settled-windows.ts";
import { beginIntake } from "./intake-transaction.ts";

export type Settlement =
  | "program" // the PEV's own program at its own premises (FR-31)
  | "default" // fallback: the host account at the premises default rate (BR-4, BR-6)
  | "guest-host-pays" // a guest PEV charged to the host under the host program (FR-33)
  | "guest-pays" // guest debited at its program rate, host credited at its regular rate (FR-33)
  | "roaming" // a foreign PEV: host credited, CDR to the clearinghouse (FR-32)
  | "held"; // not billed, for review

export interface SessionIntakeDeps {
  db: SqlStore;
  clock: Clock;
  utilityId: string;
  enrollment: EnrollmentStore;
  ledger: Ledger;
  ami: AmiStore;
  tariffs: TariffCatalog;
  tolerance: LoadCorrelationTolerance;
  /** The utility's zone: postings are grouped by its billing months. */
  timeZone: string;
  grants: BindingGrants;
  keys: SessionKeys;
  /** This utility's OCPI party: the owner (CPO) of the CDRs it sends. */
  ocpi: OcpiParty;
}

/** What intake looks up once per report; `sessionId` is the head-end's own ID of the session (session-keys.ts). */
interface Context {
  sessionId: string; premises: Premises; host: Account | null; own: EnrollmentView | null; hostProgram: Program | null; window: EnergyWindow | null;
  /** The premises' AMI over the report, when read ahead with the other lookups. */
  ami?: AmiLookup;
}

/** A promise's value, or its error thrown: reads started together are judged one by one. */
const settled = <T>(r: PromiseSettledResult<T>): T => {
  if (r.status === "rejected") throw r.reason;
  return r.value;
};

interface Decision { settlement: Settlement; reason: string | null; grant?: BindingGrant }

/** A revision's state: posted, waiting (roaming, not final), held for review, or rejected by a review. */
export type SessionStatus = "posted" | "awaiting-final" | "held" | "rejected";

export interface SessionRow {
  sessionId: string; revision: number; vin: string | null; premisesId: string; hubId: string; status: string; settlement: Settlement;
  bindingStatus: string; fallbackReason: string | null; energyWh: number; startedAt: UtcSeconds; endedAt: UtcSeconds | null;
  reviewReason: string | null; receivedAt: UtcSeconds;
  /** The name the hub gave the session (the head-end's `sessionId` differs only when another hub held that name). */
  hubSessionId: string;
}

/** Filters of the operator's session list (all optional, combined with AND). */
export interface SessionListFilter {
  status?: SessionStatus | undefined; settlement?: Settlement | undefined; premisesId?: string | undefined; hubId?: string | undefined;
  vin?: string | undefined; from?: number | undefined; to?: number | undefined; oldestFirst?: boolean;
}

/** A report's receipt, or the error it was refused with. */
export type IntakeResult = { ok: true; receipt: SessionReceipt } | { ok: false; error: unknown };

/** A batch taken without savepoints hit a failure that needs them (see intakeBatch). */
class NeedsSavepoints extends Error {}

export class SessionIntake {
  private readonly monthEnd: (t: number) => number;
  private readonly windows: SettledWindows;

  constructor(private readonly d: SessionIntakeDeps) {
    const db = d.db;
    this.monthEnd = monthEndFinder(d.timeZone);
    this.windows = new SettledWindows(db);
  }

  /**
   * The premises whose shards hold a session's entries: the session's own and, for guest-pays, the guest's home
   * premises (the guest's debit is its own entry there, so each account's postings live with its premises).
   */
  async entryPremises(sessionId: string, premisesId: string): Promise<string[]> {
    const payers = await this.d.db.all<{ p: string }>(`SELECT DISTINCT payer_premises_id AS p FROM sessions
      WHERE premises_id = ? AND session_id = ? AND revision > 0 AND payer_premises_id IS NOT NULL`, premisesId, sessionId); // revision > 0: see SessionKeys.holder
    return [premisesId, ...payers.map((r) => r.p).filter((p) => p !== premisesId)];
  }

  /** Entries of a session that stand (neither reversed nor reversals), with the premises each lives at. */
  private async standingIds(sessionId: string, premisesId: string): Promise<{ id: number; premises_id: string }[]> {
    const at = await this.entryPremises(sessionId, premisesId);
    return this.d.db.all<{ id: number; premises_id: string }>(`SELECT e.id, e.premises_id FROM journal_entries e
      WHERE e.premises_id IN (${at.map(() => "?").join(", ")}) AND e.session_id = ? AND e.kind = 'session'
      AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.premises_id = e.premises_id AND r.reverses_entry_id = e.id)`, ...at, sessionId);
  }

  private async foreignHome(vin: string): Promise<string | null> {
    return (await this.d.db.get<{ utility_id: string }>("SELECT utility_id FROM foreign_pevs WHERE vin = ?", vin))?.utility_id ?? null;
  }

  private queue: { report: SessionReport; resolve: (r: SessionReceipt) => void; reject: (e: unknown) => void }[] = [];

  /**
   * Like intake(), but reports arriving in the same tick of the event loop share one transaction (group
   * commit): each still runs in its own savepoint, so one bad report fails alone. The answer is sent only after
   * the commit, so a receipt still means "stored durably".
   */
  intakeQueued(report: SessionReport): Promise<SessionReceipt> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ report, resolve, reject }) === 1) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    let results: Awaited<ReturnType<SessionIntake["intakeBatch"]>>;
    try {
      results = await this.intakeBatch(batch.map((b) => b.report));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const r = results[i]!;
      if (r.ok) item.resolve(r.receipt);
      else item.reject(r.error);
    });
  }

  /**
   * Takes a batch in one transaction; returns a receipt or the error per report, and one bad report fails alone.
   * Savepoints cost two round trips per report on PostgreSQL, so a batch is first tried without them: a report
   * refused by its checks (an ApiError before its first write, no SQL error) leaves the transaction clean and fails
   * alone. Any other failure — a write already made, an SQL error (which aborts a PostgreSQL transaction) — rolls the
   * attempt back and the batch is taken again with each report in its own savepoint, as before issue 15.
   */
  async intakeBatch(reports: readonly SessionReport[]): Promise<IntakeResult[]> {
    try {
      return await this.d.db.transaction(() => this.batchPass(reports, false));
    } catch (e) {
      if (!(e instanceof NeedsSavepoints)) throw e;
    }
    return this.d.db.transaction(() => this.batchPass(reports, true));
  }

  private async batchPass(reports: readonly SessionReport[], savepoints: boolean): Promise<IntakeResult[]> {
    const results: IntakeResult[] = [];
    await beginIntake(this.d.db, reports);
    for (const r of reports) {
      const progress = { wrote: false };
      try {
        results.push({ ok: true, receipt: savepoints ? await this.intake(r) : await this.intakeSteps(r, progress) });
      } catch (error) {
        if (!savepoints && (progress.wrote || !(error instanceof ApiError))) throw new NeedsSavepoints();
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  /**
   * Takes one report from hub `hubId` (already verified and paired to the report's premises).
   * Throws ApiError (400) for IDs that contradict the utility's records.
   */
  async intake(r: SessionReport): Promise<SessionReceipt> {
    const own = !this.d.db.inTransaction();
    return await this.d.db.transaction(async () => {
      // Inside a batch the batch began the transaction (plans, locks); alone, the report does.
      if (own) await beginIntake(this.d.db, [r]);
      return this.intakeSteps(r, { wrote: false });
    });
  }

  /** intake() inside the caller's transaction; `progress.wrote` turns true before the first write. */
  private async intakeSteps(r: SessionReport, progress: { wrote: boolean }): Promise<SessionReceipt> {
    const now = this.d.clock.now();
    // The reads that do not depend on each other go out together (pipelined on the transaction's connection: one
    // round trip's wait instead of three, issue 15); their errors are judged in this order, key first.
    const [keyRead, idsRead, amiRead] = await Promise.allSettled([
      // The session is the one this hub opened under this name (never another hub's), issue 13.
      this.d.keys.resolve(r.hubId, r.sessionId, r.premisesId, r.revision, r.bindingId, (id) => this.d.grants.isOwn(id, r.hubId, r.premisesId, r.sessionId)),
      this.verifyIds(r),
      this.amiLookup(r),
    ]);
    const key = settled(keyRead);
    const sid = key.sessionId;
    const receipt = (outcome: SessionReceipt["outcome"], note?: string): SessionReceipt =>
      ({ v: 1, sessionId: r.sessionId, revision: r.revision, bindingId: key.bindingId, outcome, receivedAt: now, ...(note ? { note: note.slice(0, 500) } : {}) });
    if (key.hasRevision) return receipt("duplicate");
    const max = key.maxRevision;
    if (max !== null && max > r.revision) return receipt("superseded", `revision ${max} is already held`);

    const ctx: Context = { ...settled(idsRead), sessionId: sid, ami: settled(amiRead) };
    // Everything below may write (reversals, CDR credits, grant claims, postings, the session row).
    progress.wrote = true;
    // A first revision has nothing to reverse: no lookup.
    for (const row of max === null ? [] : await this.standingIds(sid, r.premisesId)) {
      await this.d.ledger.reverse(row.premises_id, row.id, now, `session ${sid} revision ${r.revision} replaces an earlier revision`);
    }
    // CDRs of this session are only queued with a stored revision of it (same transaction), so a first revision has
    // none to credit: no lookup.
    if (max !== null) await this.creditCdrs(r.premisesId, sid, now);
    const { status, settlement, review } = await this.settle(r, ctx, now, false);
    await this.d.db.run(`INSERT INTO sessions (session_id, revision, vin, premises_id, hub_id, status, settlement, binding_status,
      fallback_reason, energy_wh, started_at, ended_at, review_reason, received_at, body, hub_session_id, binding_id, energy_from, energy_to,
      payer_premises_id, charge_point, eumd_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sid, r.revision, r.vin, r.premisesId, r.hubId, status, settlement,
      r.binding.status ?? "none", r.binding.fallbackReason, r.totalWh, r.pluggedAt, r.unpluggedAt, review, now, JSON.stringify(r), r.sessionId,
      key.bindingId, ctx.window?.from ?? null, ctx.window?.to ?? null, settlement === "guest-pays" ? ctx.own?.premises.id ?? null : null,
      r.chargePoint?.id ?? null, r.chargePoint?.eumdId ?? null);
    await this.windows.seen(r.pluggedAt, ctx.window);
    if (status === "held") return receipt("held-for-review", review ?? undefined);
    return receipt("accepted");
  }

  /**
   * Decides who pays and posts: the one path both intake and a review release take, so a released session is rated,
   * split between guest and host, or sent to the clearinghouse exactly as intake would have done. `reviewed` lifts
   * the gates an operator's review answers (interval quality, FR-15 load correlation), never who pays.
   */
  private async settle(r: SessionReport, ctx: Context, now: UtcSeconds, reviewed: boolean): Promise<{ status: SessionStatus; settlement: Settlement; review: string | null }> {
    return await this.settleDecided(r, ctx, now, reviewed);
  }

  private async settleDecided(r: SessionReport, ctx: Context, now: UtcSeconds, reviewed: boolean): Promise<{ status: SessionStatus; settlement: Settlement; review: string | null }> {
    const decision = await this.decide(r, ctx, reviewed);
    if (decision.settlement === "held") return { status: "held", settlement: "held", review: decision.reason };
    // A visitor's grant serves this one session from now on.
    if (decision.grant && decision.grant.status !== "enrolled") await this.d.grants.claim(r.premisesId, decision.grant.bindingId, r.sessionId);
    if (decision.settlement === "roaming" && !r.final) return { status: "awaiting-final", settlement: "roaming", review: null };
    const posted = await this.post(r, decision, now, ctx, !reviewed);
    if (posted.held) return { status: "held", settlement: "held", review: posted.held };
    return { status: "posted", settlement: decision.settlement, review: null };
  }

  /**
   * FR-15 review, "release": settles the held latest revision of a session as intake would have, without the
   * review gates. Runs inside the caller's transaction. Throws 404 for an unknown session, 409 when its latest
   * revision is not held or cannot be billed to anyone even after review (e.g. a PEV nobody here knows).
   */
  async releaseHeld(sessionId: string): Promise<SessionRow> {
    const row = await this.d.db.get<{ revision: number; status: string; body: string; premises_id: string }>(
      "SELECT revision, status, body, premises_id FROM sessions WHERE session_id = ? ORDER BY revision DESC LIMIT 1 -- multi-shard: operator review by session ID", sessionId);
    if (!row) throw notFound("session", sessionId);
    if (row.status !== "held") throw conflict(`session ${sessionId} revision ${row.revision} is ${row.status}, not held for review`, "id");
    const r = JSON.parse(row.body) as SessionReport;
    const now = this.d.clock.now();
    const ctx: Context = { ...await this.verifyIds(r), sessionId };
    const blocked = await this.decide(r, ctx, true);
    if (blocked.settlement === "held") throw conflict(`session ${sessionId} cannot be released: ${blocked.reason}; reject it instead`, "decision");
    // A hold after posting (AMI arrived later) already reversed the entries; this only guards against leftovers.
    for (const e of await this.standingIds(sessionId, row.premises_id)) {
      await this.d.ledger.reverse(e.premises_id, e.id, now, `session ${sessionId} revision ${r.revision} released after review`);
    }
    const { status, settlement } = await this.settle(r, ctx, now, true);
    await this.d.db.run("UPDATE sessions SET status = ?, settlement = ?, payer_premises_id = ? WHERE premises_id = ? AND session_id = ? AND revision = ?",
      status, settlement, settlement === "guest-pays" ? ctx.own?.premises.id ?? null : null, row.premises_id, sessionId, r.revision);
    return (await this.session(sessionId))!;
  }

  /** The premises' AMI over the report's intervals, for FR-15 load correlation (one range query). */
  private async amiLookup(r: SessionReport): Promise<AmiLookup> {
    const first = r.intervals[0], last = r.intervals[r.intervals.length - 1];
    return first && last ? this.d.ami.lookupFor(r.premisesId, first.start, last.start + last.lengthS) : () => null;
  }

  /** IDs verified (FR-31): the report's utility, customer and account must be the premises' own. */
  private async verifyIds(r: SessionReport): Promise<Omit<Context, "sessionId">> {
    if (r.utilityId !== this.d.utilityId) throw badRequest(`utility ${r.utilityId} is not this utility (${this.d.utilityId})`, "utilityId");
    const [here, own] = await Promise.all([this.d.enrollment.premisesContext(r.premisesId), r.vin === null ? null : this.d.enrollment.activeEnrollment(r.vin)]);
    if (!here) throw badRequest(`premises ${r.premisesId} is not served by this utility`, "premisesId");
    const { premises, account: host } = here;
    if (r.accountId !== null && r.accountId !== premises.accountId) {
      throw badRequest(`account ${r.accountId} is not the account of premises ${r.premisesId}`, "accountId");
    }
    if (r.customerId !== null && host && host.customerId !== r.customerId) {
      throw badRequest(`customer ${r.customerId} is not the customer of premises ${r.premisesId}`, "customerId");
    }
    return { premises, host, own, hostProgram: here.program, window: energyWindow(r.intervals, r.pluggedAt, r.unpluggedAt) };
  }

  /**
   * Who pays. Review gates (lifted by an operator's release): interval quality, physics (EVSE rated power, no future
   * energy) and overlap with another settled session of the same PEV or EUMD. Program, guest and roaming settlement
   * need a grant the head-end made for this VIN at this premises to this hub covering the energy window; without one
   * the session is held, and a release bills it at the premises' default rate to the premises' own account — never
   * to a third party.
   */
  private async decide(r: SessionReport, ctx: Context, reviewed: boolean): Promise<Decision> {
    const { premises, host } = ctx;
    // The documented hold reason (docs/utility.md): `account-deactivated` leads the text so a review queue can filter on it.
    if (host?.status === "deactivated") return { settlement: "held", reason: `account-deactivated: premises account ${premises.accountId} is deactivated` };
    if (!host || host.status !== "active") return { settlement: "held", reason: `premises account ${premises.accountId} is not active` };
    if (!reviewed) {
      const suspect = r.intervals.findIndex((iv) => iv.quality === "suspect" || iv.quality === "reset");
      if (suspect >= 0) return { settlement: "held", reason: `interval ${suspect} has quality ${r.intervals[suspect]!.quality}: needs review before billing` };
      const physics = implausibility(r.intervals, premises.evseRatedW, this.d.tolerance);
      if (physics) return { settlement: "held", reason: `implausible: ${physics}` };
      const overlap = ctx.window && await this.windows.overlap(ctx.sessionId, r.vin, r.premisesId, r.hubId, ctx.window);
      if (overlap) return { settlement: "held", reason: overlap };
    }
    if (r.rate === "default") return { settlement: "default", reason: null };
    const noGrant = (why: string): Decision => reviewed ? { settlement: "default", reason: null } : { settlement: "held", reason: why };
    if (r.vin === null) return noGrant("program rate claimed without a PEV ID");
    const { own, hostProgram } = ctx;
    // A revision without energy yet is checked at its plug-in (the answer may come up to a comm-wait, ≤ 1 h, later).
    const window = ctx.window ?? { from: r.pluggedAt, firstEnd: r.pluggedAt + 3600, to: r.pluggedAt };
    const grant = (status: GrantStatus) =>
      this.d.grants.find({ vin: r.vin!, premisesId: r.premisesId, hubId: r.hubId, hubSessionId: r.sessionId, status, window });
    const missing = (status: GrantStatus) => `no ${status} binding granted to hub ${r.hubId} for PEV ${r.vin} at premises ${r.premisesId} covers the energy window ${window.from}-${window.to}`;
    if (own && own.premises.id === r.premisesId) {
      const g = await grant("enrolled");
      return g === null ? noGrant(missing("enrolled")) : { settlement: "program", reason: null, grant: g };
    }
    if (own) {
      const setting = hostProgram?.guestCharging ?? "off";
      if (setting === "off") return noGrant("guest PEV charged at a program rate where guest charging is off");
      const g = await grant("guest");
      if (g === null) return noGrant(missing("guest"));
      return { settlement: setting === "host-pays" ? "guest-host-pays" : "guest-pays", reason: null, grant: g };
    }
    const g = await grant("roaming");
    const home = g?.homeUtilityId ?? await this.foreignHome(r.vin);
    if (g === null) return noGrant(missing("roaming"));
    if (home && hostProgram?.roamingAllowed) return { settlement: "roaming", reason: null, grant: g };
    return noGrant(`PEV ${r.vin} is not enrolled here, not a guest and not a known roaming PEV, yet the hub applied a program rate`);
  }

  /** Posts the session's entry; returns `held` instead when load correlation fails (FR-15). */
  private async post(r: SessionReport, decision: Decision, now: UtcSeconds, ctx: Context, checkLoad: boolean): Promise<{ held: string | null }> {
    const s = decision.settlement as Exclude<Settlement, "held">;
    const lookup = checkLoad ? ctx.ami ?? await this.amiLookup(r) : () => null;
    const corr = correlateLoad(r.intervals, lookup, this.d.tolerance);
    if (corr.mismatches.length) {
      const m = corr.mismatches[0]!;
      return { held: `load correlation (FR-15): PEV ${m.pevWh} Wh > premises ${m.premisesWh} Wh (allowed ${m.allowedWh} Wh) in the interval starting ${m.start}${corr.mismatches.length > 1 ? ` and ${corr.mismatches.length - 1} more` : ""}` };
    }
    const premises = ctx.premises;
    const monthEnd = this.monthEnd;
    const hostLedger = customerLedger(premises.accountId);
    // Pricing is synchronous (core/tariff): the tariffs this session may be priced with are read first.
    for (const id of [premises.defaultTariffId, ctx.own?.program.tariffId, ctx.hostProgram?.tariffId]) if (id) await this.d.tariffs.get(id);
    const tariff = (id: string) => {
      const t = this.d.tariffs.cached(id);
      if (!t) throw new Error(`tariff ${id} is not known to this head-end`);
      return t;
    };
    const firstStart = (r.intervals[0]?.start ?? r.pluggedAt) as UtcSeconds;
    const memo = `session ${ctx.sessionId} revision ${r.revision} (${s})`;
    let postings: Posting[];
    switch (s) {
      case "default":
        postings = priceIntervals(tariff(premises.defaultTariffId), r.intervals, hostLedger, "default-rate-debit", 1, monthEnd).postings;
        break;
      case "program": {
        const own = ctx.own!;
        postings = priceIntervals(tariff(own.program.tariffId), r.intervals, customerLedger(own.accountId), "pev-debit", 1, monthEnd).postings;
        break;
      }
      case "guest-host-pays": {
        const hostProgram = ctx.hostProgram!;
        postings = priceIntervals(tariff(hostProgram.tariffId), r.intervals, hostLedger, "pev-debit", 1, monthEnd).postings;
        break;
      }
      case "guest-pays": {
        // Two balanced entries, each at the premises of the account it touches: the guest's debit at the guest's home
        // premises, the host's credit here. Each account's postings then live with its own premises (docs/scale.md).
        const guest = ctx.own!;
        const debit = priceIntervals(tariff(guest.program.tariffId), r.intervals, customerLedger(guest.accountId), "guest-debit", 1, monthEnd);
        if (debit.postings.length > 0) {
          await this.d.ledger.post({ kind: "session", premisesId: guest.premises.id, sessionId: ctx.sessionId, revision: r.revision, at: now, memo,
            postings: [...debit.postings, contra(REVENUE_ENERGY, debit.postings, firstStart)] });
        }
        postings = priceIntervals(tariff(premises.defaultTariffId), r.intervals, hostLedger, "guest-credit", -1, monthEnd).postings;
        break;
      }
      case "roaming": {
        const home = decision.grant?.homeUtilityId ?? (await this.foreignHome(r.vin!))!;
        const credit = priceIntervals(tariff(premises.defaultTariffId), r.intervals, hostLedger, "guest-credit", -1, monthEnd);
        // The home utility is billed the CDR's cent-rounded amount; the rounding difference stays with revenue.
        const cdrNano = roundToCents(-credit.totalNano) * NANO_USD_PER_CENT;
        postings = [...credit.postings, {
          ledgerAccount: clearinghouseLedger(home), amountNano: cdrNano, energyWh: r.totalWh, period: "cdr", intervalStart: firstStart,
          lineKind: "contra", tariffId: premises.defaultTariffId, priceMicroUsdPerKWh: null,
        }];
        const cdr = buildCdr({
          report: r, cpo: this.d.ocpi, emsp: await this.homeParty(r.vin!, home), sessionId: ctx.sessionId, revision: r.revision,
          totalNano: cdrNano, priced: credit.postings, tariffId: premises.defaultTariffId, now,
        });
        await this.d.db.run(`INSERT INTO cdrs_out (premises_id, session_id, cdr_id, home_utility_id, body, state) VALUES (?, ?, ?, ?, ?, 'pending')
          ON CONFLICT DO NOTHING`, premises.id, ctx.sessionId, cdr.id, home, JSON.stringify(cdr));
        break;
      }
    }
    if (postings.length === 0) return { held: null }; // a session with no energy posts nothing
    const balance = contra(REVENUE_ENERGY, postings, firstStart);
    await this.d.ledger.post({ kind: "session", premisesId: premises.id, sessionId: ctx.sessionId, revision: r.revision, at: now, memo, postings: [...postings, balance] });
    return { held: null };
  }

  /** The home utility's OCPI party as the clearinghouse named it, else the default derived from its ID. */
  private async homeParty(vin: string, home: string): Promise<OcpiParty> {
    const row = await this.d.db.get<{ utility_id: string; ocpi_party: string | null }>("SELECT utility_id, ocpi_party FROM foreign_pevs WHERE vin = ?", vin);
    const [countryCode, partyId] = row?.utility_id === home && row.ocpi_party ? row.ocpi_party.split("*") : [];
    return countryCode && partyId ? { countryCode, partyId } : { countryCode: "US", partyId: partyIdOf(home) };
  }

  /**
   * The session's standing CDR is void (a new revision replaces it, or it is held): one never sent is cancelled;
   * one the clearinghouse has is cancelled by a credit CDR (OCPI 2.2.1), so the home utility reverses the charge. One
   * its home utility refused (issue 13) was never billed there: it is void without a credit.
   */
  private async creditCdrs(premisesId: string, sessionId: string, now: UtcSeconds): Promise<void> {
    const open = await this.d.db.all<{ cdr_id: string; home_utility_id: string; body: string; state: string; home_outcome: string | null }>(
      `SELECT cdr_id, home_utility_id, body, state, home_outcome FROM cdrs_out WHERE premises_id = ? AND session_id = ?
        AND credit_of IS NULL AND credited_by IS NULL AND state IN ('pending', 'sent') ORDER BY seq`, premisesId, sessionId);
    for (const o of open) {
      if (o.state === "pending") {
        await this.d.db.run("UPDATE cdrs_out SET state = 'cancelled', credited_by = '' WHERE premises_id = ? AND cdr_id = ?", premisesId, o.cdr_id);
        continue;
      }
      if (o.home_outcome === "refused") {
        await this.d.db.run("UPDATE cdrs_out SET credited_by = '' WHERE premises_id = ? AND cdr_id = ?", premisesId, o.cdr_id);
        continue;
      }
      const credit = creditCdrOf(JSON.parse(o.body) as OcpiCdr, now);
      await this.d.db.run(`INSERT INTO cdrs_out (premises_id, session_id, cdr_id, home_utility_id, body, state, credit_of) VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
        premisesId, sessionId, credit.id, o.home_utility_id, JSON.stringify(credit), o.cdr_id);
      await this.d.db.run("UPDATE cdrs_out SET credited_by = ? WHERE premises_id = ? AND cdr_id = ?", credit.id, premisesId, o.cdr_id);
    }
  }

  /**
   * FR-15 when the AMI arrives after the session: re-correlates every posted session at the premises that overlaps
   * [from, to); one that no longer fits is reversed and held for review. Returns the session IDs it held.
   */
  async recheckLoad(premisesId: string, from: number, to: number): Promise<string[]> {
    const held: string[] = [];
    const now = this.d.clock.now();
    await this.d.db.transaction(async () => {
      const rows = await this.d.db.all<{ session_id: string; revision: number; body: string }>(`SELECT s.session_id, s.revision, s.body FROM sessions s WHERE s.premises_id = ? AND s.status = 'posted'
        AND s.started_at < ? AND COALESCE(s.ended_at, s.started_at + 86400) > ?
        AND s.revision = (SELECT MAX(revision) FROM sessions m WHERE m.premises_id = s.premises_id AND m.session_id = s.session_id)
        -- an operator already released this revision against the AMI (FR-15 review): late AMI does not re-hold it
        AND NOT EXISTS (SELECT 1 FROM session_reviews v WHERE v.premises_id = s.premises_id AND v.session_id = s.session_id AND v.revision = s.revision AND v.decision = 'release')`, premisesId, to, from);
      for (const row of rows) {
        const r = JSON.parse(row.body) as SessionReport;
        const lookup = await this.d.ami.lookupFor(premisesId, from, to);
        const corr = correlateLoad(r.intervals.filter((iv) => iv.start >= from && iv.start < to), lookup, this.d.tolerance);
        if (!corr.mismatches.length) continue;
        const m = corr.mismatches[0]!;
        const reason = `load correlation (FR-15, AMI received later): PEV ${m.pevWh} Wh > premises ${m.premisesWh} Wh (allowed ${m.allowedWh} Wh) in the interval starting ${m.start}`;
        for (const e of await this.standingIds(row.session_id, premisesId)) await this.d.ledger.reverse(e.premises_id, e.id, now, `session ${row.session_id} held for review: ${reason}`);
        await this.creditCdrs(premisesId, row.session_id, now);
        await this.d.db.run("UPDATE sessions SET status = 'held', review_reason = ? WHERE premises_id = ? AND session_id = ? AND revision = ?", reason, premisesId, row.session_id, row.revision);
        held.push(row.session_id);
      }
    });
    return held;
  }

  /**
   * Holds a posted session for review after the fact (its home utility refused the roaming CDR, issue 13): every
   * standing entry is reversed, so nobody is billed on the hub's word until an operator decides. Returns whether it
   * held anything (false when the latest revision is not posted).
   */
  async holdPosted(premisesId: string, sessionId: string, reason: string): Promise<boolean> {
    const now = this.d.clock.now();
    return this.d.db.transaction(async (): Promise<boolean> => {
      const row = await this.d.db.get<{ revision: number; status: string }>(
        "SELECT revision, status FROM sessions WHERE premises_id = ? AND session_id = ? ORDER BY revision DESC LIMIT 1", premisesId, sessionId);
      if (!row || row.status !== "posted") return false;
      for (const e of await this.standingIds(sessionId, premisesId)) await this.d.ledger.reverse(e.premises_id, e.id, now, `session ${sessionId} held for review: ${reason}`);
      await this.d.db.run("UPDATE sessions SET status = 'held', review_reason = ? WHERE premises_id = ? AND session_id = ? AND revision = ?",
        reason.slice(0, 500), premisesId, sessionId, row.revision);
      return true;
    });
  }

  async session(sessionId: string): Promise<SessionRow | null> {
    const r = await this.d.db.get<SessionDbRow>("SELECT * FROM sessions WHERE session_id = ? ORDER BY revision DESC LIMIT 1 -- multi-shard: operator lookup by session ID", sessionId);
    return r ? toRow(r) : null;
  }

  /**
   * The operator's paged session list: the latest revision of each session, newest plug-in first (oldest first for
   * the review queue), filtered by state, settlement, premises, hub, VIN and plug-in time [from, to).
   */
  async listSessions(f: SessionListFilter, limit: number, offset: number): Promise<SessionRow[]> {
    // Only the filters given become conditions (PostgreSQL cannot type a parameter that is only compared with NULL).
    const where: string[] = [], params: SqlValue[] = [];
    const add = (cond: string, v: string | number | undefined) => { if (v !== undefined) { where.push(cond); params.push(v); } };
    add("s.status = ?", f.status); add("s.settlement = ?", f.settlement); add("s.premises_id = ?", f.premisesId);
    add("s.hub_id = ?", f.hubId); add("s.vin = ?", f.vin); add("s.started_at >= ?", f.from); add("s.started_at < ?", f.to);
    const rows = await this.d.db.all<SessionDbRow>(`SELECT s.* FROM sessions s
      WHERE s.revision = (SELECT MAX(revision) FROM sessions m WHERE m.premises_id = s.premises_id AND m.session_id = s.session_id)
        ${where.map((w) => `AND ${w}`).join(" ")}
      ORDER BY s.started_at ${f.oldestFirst ? "ASC" : "DESC"}, s.session_id LIMIT ? OFFSET ?
      -- multi-shard: the operator's session list spans every premises unless filtered by one`, ...params, limit, offset);
    return rows.map(toRow);
  }

  /**
   * What the account's customer may see (S4, issue 13): sessions at its premises since the premises became its own,
   * and its PEVs' sessions within their enrollment periods at its premises. A session at its premises that is not
   * its own PEV's in such a period is a visitor's: shown without VIN and without the internal review text.
   */
  async sessionsOfAccount(accountId: string, limit = 200): Promise<SessionRow[]> {
    const latest = "s.revision = (SELECT MAX(revision) FROM sessions m WHERE m.premises_id = s.premises_id AND m.session_id = s.session_id)";
    const own = await this.d.db.all<SessionDbRow>(`SELECT s.* FROM sessions s JOIN enrollments e ON e.vin = s.vin JOIN premises p ON p.id = e.premises_id
      WHERE p.account_id = ?1 AND e.enrolled_at >= p.account_since AND s.started_at >= e.enrolled_at
        AND ((e.active = 1 AND e.ended_at IS NULL) OR s.started_at < e.ended_at) AND ${latest}
      ORDER BY s.started_at DESC LIMIT ?2 -- multi-shard: the account's own PEVs charge at any premises`, accountId, limit);
    const hosted = await this.d.db.all<SessionDbRow>(`SELECT s.* FROM sessions s JOIN premises p ON p.id = s.premises_id
      WHERE p.account_id = ?1 AND s.started_at >= p.account_since AND ${latest} ORDER BY s.started_at DESC LIMIT ?2`, accountId, limit);
    const mine = new Set(own.map((r) => r.session_id));
    const visitors = hosted.filter((r) => !mine.has(r.session_id)).map((r) => ({ ...toRow(r), vin: null, reviewReason: null }));
    return [...own.map(toRow), ...visitors].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
  }

}

interface SessionDbRow {
  session_id: string; revision: number; vin: string | null; premises_id: string; hub_id: string; status: string; settlement: string;
  binding_status: string; fallback_reason: string | null; energy_wh: number; started_at: number; ended_at: number | null;
  review_reason: string | null; received_at: number; hub_session_id: string | null;
}
const toRow = (r: SessionDbRow): SessionRow => ({
  sessionId: r.session_id, revision: r.revision, vin: r.vin, premisesId: r.premises_id, hubId: r.hub_id, status: r.status,
  settlement: r.settlement as Settlement, bindingStatus: r.binding_status, fallbackReason: r.fallback_reason, energyWh: r.energy_wh,
  startedAt: r.started_at as UtcSeconds, endedAt: r.ended_at as UtcSeconds | null, reviewReason: r.review_reason, receivedAt: r.received_at as UtcSeconds,
  hubSessionId: r.hub_session_id ?? r.session_id,
});
