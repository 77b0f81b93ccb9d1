// Enrollment records (FR-01..FR-05): programs, customers, accounts, premises, PEVs by VIN, enrollments, hub pairing.
// `not enrolled` is an answer (lookups return null), never an exception.
import type { SqlStore } from "../../../core/storage/index.ts";
import { createHash, randomBytes } from "node:crypto";
import { parseAccountId, parseCustomerId, parseHubId, parsePremisesId, type AccountId, type CustomerId, type PremisesId } from "../../../core/ids/index.ts";
import { parseVin, type Vin } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { ApiError, badRequest, conflict, notFound } from "../errors.ts";
import { WorkerCache, type WorkerCacheOptions } from "../worker-cache.ts";
import type { Account, Customer, Enrollment, EnrollmentMethod, GuestCharging, HubPairing, Pev, Premises, Program } from "../types.ts";

interface ProgramRow {
  id: string; name: string; description: string; tariff_id: string; interval_s: number; comm_wait_s: number;
  guest_charging: string; roaming_allowed: number; offline_rebinding: number; credential_ttl_s: number;
  enrollment_methods: string; active: number;
}
const toProgram = (r: ProgramRow): Program => ({
  id: r.id, name: r.name, description: r.description, tariffId: r.tariff_id, intervalS: r.interval_s,
  commWaitS: r.comm_wait_s, guestCharging: r.guest_charging as GuestCharging, roamingAllowed: r.roaming_allowed === 1,
  offlineRebinding: r.offline_rebinding === 1, credentialTtlS: r.credential_ttl_s,
  enrollmentMethods: JSON.parse(r.enrollment_methods) as EnrollmentMethod[], active: r.active === 1,
});

/** Program columns prefixed `pr_` (table alias `pr`), for joins that read a program beside other rows. */
const PROGRAM_COLUMNS = (["id", "name", "description", "tariff_id", "interval_s", "comm_wait_s", "guest_charging", "roaming_allowed",
  "offline_rebinding", "credential_ttl_s", "enrollment_methods", "active"] as const satisfies readonly (keyof ProgramRow)[]).map((c) => `pr.${c} AS pr_${c}`).join(", ");
type ProgramJoinColumns = Partial<Record<`pr_${keyof ProgramRow}`, unknown>>;
/** The program of a joined row (its `pr_` columns), or null when the LEFT JOIN found none. */
const joinedProgram = (row: ProgramJoinColumns): Program | null => row.pr_id == null ? null
  : toProgram(Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith("pr_")).map(([k, v]) => [k.slice(3), v])) as unknown as ProgramRow);

/** The program governing the premises `premises` (a column or `?`): that of its latest active enrollment (SQL). */
const programOfPremises = (premises: string): string =>
  `(SELECT program_id FROM enrollments WHERE premises_id = ${premises} AND active = 1 ORDER BY enrolled_at DESC LIMIT 1)`;

/** Premises columns prefixed `p_` (table alias `p`). */
const PREMISES_COLUMNS = "p.id AS p_id, p.account_id AS p_account_id, p.address AS p_address, p.default_tariff_id AS p_default_tariff_id, p.evse_rated_w AS p_evse_rated_w";
interface PremisesJoinRow { p_id: string; p_account_id: string; p_address: string; p_default_tariff_id: string; p_evse_rated_w: number }
const toPremises = (r: PremisesJoinRow): Premises =>
  ({ id: r.p_id as PremisesId, accountId: r.p_account_id as AccountId, address: r.p_address, defaultTariffId: r.p_default_tariff_id, evseRatedW: r.p_evse_rated_w });
type EnrollmentJoinRow = PremisesJoinRow & ProgramJoinColumns & { e_id: string; e_vin: string; e_program_id: string; e_enrolled_at: number };

/** A PEV's active enrollment with everything binding and rating need. */
export interface EnrollmentView {
  enrollment: Enrollment;
  program: Program;
  premises: Premises;
  accountId: AccountId;
}

/** 80 A at 240 V: the SAE J1772 AC level 2 maximum, the rated power assumed when the operator gave none. */
export const DEFAULT_EVSE_RATED_W = 19_200;

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export class EnrollmentStore {
  /**
   * Hub pairings are read on every signed request: kept in memory (worker-cache.ts: re-read after 5 s, so a hub
   * unpaired through another head-end worker is refused here within that bound), refreshed on every change made here.
   */
  private readonly hubCache: WorkerCache<string, HubPairing | null>;

  constructor(private readonly db: SqlStore, private readonly clock: Clock, cache: WorkerCacheOptions = {}) {
    this.hubCache = new WorkerCache(cache);
  }

  async upsertProgram(p: Program): Promise<Program> {
    await this.db.run(`INSERT INTO programs (id, name, description, tariff_id, interval_s, comm_wait_s, guest_charging,
        roaming_allowed, offline_rebinding, credential_ttl_s, enrollment_methods, active)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, tariff_id = excluded.tariff_id,
        interval_s = excluded.interval_s, comm_wait_s = excluded.comm_wait_s, guest_charging = excluded.guest_charging,
        roaming_allowed = excluded.roaming_allowed, offline_rebinding = excluded.offline_rebinding,
        credential_ttl_s = excluded.credential_ttl_s, enrollment_methods = excluded.enrollment_methods, active = excluded.active`,
      p.id, p.name, p.description, p.tariffId, p.intervalS, p.commWaitS, p.guestCharging, p.roamingAllowed ? 1 : 0,
      p.offlineRebinding ? 1 : 0, p.credentialTtlS, JSON.stringify(p.enrollmentMethods), p.active ? 1 : 0);
    return p;
  }

  async program(id: string): Promise<Program | null> {
    const r = await this.db.get<ProgramRow>("SELECT * FROM programs WHERE id = ?", id);
    return r ? toProgram(r) : null;
  }

  async programs(activeOnly = false): Promise<Program[]> {
    const rows = await this.db.all<ProgramRow>(`SELECT * FROM programs ${activeOnly ? "WHERE active = 1" : ""} ORDER BY id`);
    return rows.map(toProgram);
  }

  async upsertCustomer(c: Customer): Promise<Customer> {
    const id = parseCustomerId(c.id);
    await this.db.run(`INSERT INTO customers (id, name, email, phone) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone`, id, c.name, c.email ?? null, c.phone ?? null);
    return c;
  }

  async customer(id: string): Promise<Customer | null> {
    const r = await this.db.get<{ id: string; name: string; email: string | null; phone: string | null }>("SELECT id, name, email, phone FROM customers WHERE id = ?", id);
    if (!r) return null;
    return { id: r.id as CustomerId, name: r.name, ...(r.email ? { email: r.email } : {}), ...(r.phone ? { phone: r.phone } : {}) };
  }

  /**
   * Opens an account and returns it with its customer API token (S4, FR-35); only the token's hash is kept.
   * `openedOn` is its first local day of service (bills only from that month on, the first one prorated).
   */
  async createAccount(id: string, customerId: string, openedOn?: string): Promise<{ account: Account; customerToken: string }> {
    const accountId = parseAccountId(id);
    if (!await this.customer(customerId)) throw notFound("customer", customerId, "customerId");
    if (await this.account(accountId)) throw conflict(`account ${JSON.stringify(accountId)} already exists`, "id");
    const token = `cust_${randomBytes(24).toString("base64url")}`;
    await this.db.run("INSERT INTO accounts (id, customer_id, status, token_hash, opened_on) VALUES (?, ?, 'active', ?, ?)", accountId, customerId, hashToken(token), openedOn ?? null);
    return { account: { id: accountId, customerId: customerId as CustomerId, status: "active", ...(openedOn ? { openedOn } : {}) }, customerToken: token };
  }

  /** Closes an account on its last local day of service: no bill for a later month; that month's fixed charges prorated. */
  async closeAccount(id: string, closedOn: string): Promise<Account> {
    const a = await this.account(id);
    if (!a) throw notFound("account", id, "accountId");
    if (a.openedOn && closedOn < a.openedOn) throw badRequest(`account ${id} cannot close on ${closedOn}, before it opened on ${a.openedOn}`, "closedOn");
    if (a.status === "closed") throw conflict(`account ${id} is already closed (on ${a.closedOn ?? "an unknown day"})`, "accountId");
    await this.db.run("UPDATE accounts SET status = 'closed', closed_on = ? WHERE id = ?", closedOn, id);
    return (await this.account(id))!;
  }

  /** Issues a new customer API token for the account (the old one stops working); returns it once. */
  async rotateCustomerToken(accountId: string): Promise<string> {
    if (!await this.account(accountId)) throw notFound("account", accountId, "accountId");
    const token = `cust_${randomBytes(24).toString("base64url")}`;
    await this.db.run("UPDATE accounts SET token_hash = ? WHERE id = ?", hashToken(token), accountId);
    return token;
  }

  async account(id: string): Promise<Account | null> {
    const r = await this.db.get<AccountRow>("SELECT id, customer_id, status, opened_on, closed_on FROM accounts WHERE id = ?", id);
    return r ? toAccount(r) : null;
  }

  /** The account the customer token belongs to; a deactivated account's token is refused (null). */
  async accountByToken(token: string): Promise<Account | null> {
    const r = await this.db.get<{ id: string }>("SELECT id FROM accounts WHERE token_hash = ?", hashToken(token));
    const a = r ? await this.account(r.id) : null;
    return a && a.status !== "deactivated" ? a : null;
  }

  /** Deactivates or reactivates an account (a closed account stays closed: 409). */
  async setAccountStatus(id: string, status: "active" | "deactivated"): Promise<Account> {
    const a = await this.account(id);
    if (!a) throw notFound("account", id, "id");
    if (a.status === "closed") throw conflict(`account ${id} is closed`, "id");
    await this.db.run("UPDATE accounts SET status = ? WHERE id = ?", status, id);
    return { ...a, status };
  }

  /** Accounts by ID, `limit` from `offset` (the operator's paged list). */
  async listAccounts(filter: { status?: Account["status"] | undefined }, limit: number, offset: number): Promise<Account[]> {
    // accounts is reference data: no shard to name. The status condition only when asked (PostgreSQL cannot type a
    // parameter compared only with NULL).
    const rows = filter.status === undefined
      ? await this.db.all<AccountRow>("SELECT id, customer_id, status, opened_on, closed_on FROM accounts ORDER BY id LIMIT ? OFFSET ?", limit, offset)
      : await this.db.all<AccountRow>("SELECT id, customer_id, status, opened_on, closed_on FROM accounts WHERE status = ? ORDER BY id LIMIT ? OFFSET ?", filter.status, limit, offset);
    return rows.map(toAccount);
  }

  async upsertPremises(p: Omit<Premises, "evseRatedW"> & { evseRatedW?: number }): Promise<Premises> {
    const id = parsePremisesId(p.id);
    if (!await this.account(p.accountId)) throw notFound("account", p.accountId, "accountId");
    const rated = p.evseRatedW ?? (await this.premises(id))?.evseRatedW ?? DEFAULT_EVSE_RATED_W;
    // account_since moves only when the premises changes hands: the new customer's view starts there.
    await this.db.transaction(async () => {
      await this.db.run(`INSERT INTO premises (id, account_id, address, default_tariff_id, evse_rated_w, account_since) VALUES (?1, ?2, ?3, ?4, ?5, 0)
        ON CONFLICT (id) DO UPDATE SET address = excluded.address, default_tariff_id = excluded.default_tariff_id, evse_rated_w = excluded.evse_rated_w,
          account_since = CASE WHEN premises.account_id = excluded.account_id THEN premises.account_since ELSE ?6 END,
          account_id = excluded.account_id`, id, p.accountId, p.address, p.defaultTariffId, rated, this.clock.now());
      await this.db.run("INSERT INTO account_premises (account_id, premises_id, since) VALUES (?, ?, ?) ON CONFLICT (account_id, premises_id) DO NOTHING",
        p.accountId, id, this.clock.now());
    });
    return { ...p, evseRatedW: rated };
  }

  /**
   * Every premises the account ever held (now or before): where its postings are (the ledger is kept per premises,
   * docs/scale.md), so its bills and usage read those premises' shards only.
   */
  async premisesEverOfAccount(accountId: string): Promise<string[]> {
    return (await this.db.all<{ premises_id: string }>("SELECT premises_id FROM account_premises WHERE account_id = ? ORDER BY premises_id", accountId)).map((r) => r.premises_id);
  }

  /**
   * What closing a month needs to know of many accounts at once, in three statements whatever their number (issue 15,
   * month close): each found account, its premises (by ID) with the program each is enrolled in (as
   * programAtPremises), and every premises it ever held (as premisesEverOfAccount). Accounts not found are absent.
   */
  async billingFacts(accountIds: readonly string[]): Promise<Map<string, AccountBillingFacts>> {
    const out = new Map<string, AccountBillingFacts>();
    if (accountIds.length === 0) return out;
    const inList = accountIds.map(() => "?").join(", ");
    for (const r of await this.db.all<AccountRow>(`SELECT id, customer_id, status, opened_on, closed_on FROM accounts WHERE id IN (${inList})`, ...accountIds)) {
      out.set(r.id, { account: toAccount(r), premises: [], premisesEver: [] });
    }
    for (const r of await this.db.all<PremisesJoinRow & ProgramJoinColumns>(`SELECT ${PREMISES_COLUMNS}, ${PROGRAM_COLUMNS} FROM premises p
      LEFT JOIN programs pr ON pr.id = ${programOfPremises("p.id")} WHERE p.account_id IN (${inList}) ORDER BY p.id`, ...accountIds)) {
      out.get(r.p_account_id)?.premises.push({ premises: toPremises(r), program: joinedProgram(r) });
    }
    for (const r of await this.db.all<{ account_id: string; premises_id: string }>(`SELECT account_id, premises_id FROM account_premises WHERE account_id IN (${inList}) ORDER BY premises_id`, ...accountIds)) {
      out.get(r.account_id)?.premisesEver.push(r.premises_id);
    }
    return out;
  }

  async premises(id: string): Promise<Premises | null> {
    const r = await this.db.get<PremisesJoinRow>(`SELECT ${PREMISES_COLUMNS} FROM premises p WHERE p.id = ?`, id);
    return r ? toPremises(r) : null;
  }

  async premisesOfAccount(accountId: string): Promise<Premises[]> {
    const rows = await this.db.all<{ id: string }>("SELECT id FROM premises WHERE account_id = ? ORDER BY id", accountId);
    return (await Promise.all(rows.map((r) => this.premises(r.id)))).filter((p): p is Premises => p !== null);
  }

  /** Registers a PEV by VIN (FR-03); throws VinError for a malformed VIN. */
  async upsertPev(input: { vin: string; accountId: string; make?: string; model?: string }): Promise<Pev> {
    const vin = parseVin(input.vin);
    if (!await this.account(input.accountId)) throw notFound("account", input.accountId, "accountId");
    await this.db.run(`INSERT INTO pevs (vin, account_id, make, model) VALUES (?, ?, ?, ?)
      ON CONFLICT (vin) DO UPDATE SET account_id = excluded.account_id, make = excluded.make, model = excluded.model`, vin, input.accountId, input.make ?? null, input.model ?? null);
    return { vin, accountId: input.accountId as AccountId, ...(input.make ? { make: input.make } : {}), ...(input.model ? { model: input.model } : {}) };
  }

  async pev(vin: string): Promise<Pev | null> {
    const r = await this.db.get<{ vin: string; account_id: string; make: string | null; model: string | null }>("SELECT vin, account_id, make, model FROM pevs WHERE vin = ?", vin);
    if (!r) return null;
    return { vin: r.vin as Vin, accountId: r.account_id as AccountId, ...(r.make ? { make: r.make } : {}), ...(r.model ? { model: r.model } : {}) };
  }

  async pevsOfAccount(accountId: string): Promise<Pev[]> {
    const rows = await this.db.all<{ vin: string }>("SELECT vin FROM pevs WHERE account_id = ? ORDER BY vin", accountId);
    return (await Promise.all(rows.map((r) => this.pev(r.vin)))).filter((p): p is Pev => p !== null);
  }

  /** Enrolls a PEV at a premises in a program; a PEV has one active enrollment, a new one replaces the old. */
  async enroll(input: { vin: string; premisesId: string; programId: string }): Promise<Enrollment> {
    const vin = parseVin(input.vin);
    if (!await this.pev(vin)) throw notFound("PEV", vin, "vin");
    if (!await this.premises(input.premisesId)) throw notFound("premises", input.premisesId, "premisesId");
    const program = await this.program(input.programId);
    if (!program || !program.active) throw notFound("active program", input.programId, "programId");
    const now = this.clock.now();
    const id = `enr-${vin}-${now}`;
    await this.db.transaction(async () => {
      await this.db.run("UPDATE enrollments SET active = 0, ended_at = ? WHERE vin = ? AND active = 1", now, vin);
      await this.db.run("INSERT INTO enrollments (id, vin, premises_id, program_id, enrolled_at, active) VALUES (?, ?, ?, ?, ?, 1)", id, vin, input.premisesId, input.programId, now);
      // A new enrollment means a new commissioning (S1): the old binding no longer holds.
      await this.db.run("DELETE FROM bindings WHERE vin = ? -- multi-shard: a new enrollment ends the PEV's bindings at every premises", vin);
    });
    return { id, vin, premisesId: input.premisesId as PremisesId, programId: input.programId, enrolledAt: now, active: true };
  }

  /** The PEV's active enrollment, or null: "not enrolled" is an answer (FR-05). */
  async activeEnrollment(vin: string): Promise<EnrollmentView | null> {
    // One round trip (binding and intake read it on every request): the enrollment with its program and premises.
    const r = await this.db.get<EnrollmentJoinRow>(`SELECT e.id AS e_id, e.vin AS e_vin, e.program_id AS e_program_id, e.enrolled_at AS e_enrolled_at,
        ${PREMISES_COLUMNS}, ${PROGRAM_COLUMNS}
      FROM enrollments e JOIN programs pr ON pr.id = e.program_id JOIN premises p ON p.id = e.premises_id WHERE e.vin = ? AND e.active = 1`, vin);
    if (!r) return null;
    const premises = toPremises(r);
    return {
      enrollment: { id: r.e_id, vin: r.e_vin as Vin, premisesId: premises.id, programId: r.e_program_id, enrolledAt: r.e_enrolled_at as UtcSeconds, active: true },
      program: joinedProgram(r)!, premises, accountId: premises.accountId, // an inner join: the program is there
    };
  }

  /** The program that governs a premises: that of a PEV enrolled there (the premises' program), or null. */
  async programAtPremises(premisesId: string): Promise<Program | null> {
    const r = await this.db.get<ProgramRow>(`SELECT * FROM programs WHERE id = ${programOfPremises("?")}`, premisesId);
    return r ? toProgram(r) : null;
  }

  /**
   * What session intake needs about the premises a report names, in one round trip: the premises, its account and
   * the program that governs it (programAtPremises); null for a premises this utility does not serve.
   */
  async premisesContext(premisesId: string): Promise<{ premises: Premises; account: Account | null; program: Program | null } | null> {
    const r = await this.db.get<PremisesJoinRow & { a_id: string | null; a_customer_id: string; a_status: string; a_opened_on: string | null; a_closed_on: string | null } & ProgramJoinColumns>(
      `SELECT ${PREMISES_COLUMNS}, a.id AS a_id, a.customer_id AS a_customer_id, a.status AS a_status, a.opened_on AS a_opened_on, a.closed_on AS a_closed_on, ${PROGRAM_COLUMNS}
      FROM premises p LEFT JOIN accounts a ON a.id = p.account_id
        LEFT JOIN programs pr ON pr.id = ${programOfPremises("p.id")}
      WHERE p.id = ?`, premisesId);
    if (!r) return null;
    return {
      premises: toPremises(r),
      account: r.a_id === null ? null : toAccount({ id: r.a_id, customer_id: r.a_customer_id, status: r.a_status, opened_on: r.a_opened_on, closed_on: r.a_closed_on }),
      program: joinedProgram(r),
    };
  }

  async enrollmentsAtPremises(premisesId: string): Promise<Enrollment[]> {
    const rows = await this.db.all<{ id: string; vin: string; premises_id: string; program_id: string; enrolled_at: number }>("SELECT id, vin, premises_id, program_id, enrolled_at FROM enrollments WHERE premises_id = ? AND active = 1", premisesId);
    return rows.map((r) => ({ id: r.id, vin: r.vin as Vin, premisesId: r.premises_id as PremisesId, programId: r.program_id, enrolledAt: r.enrolled_at as UtcSeconds, active: true }));
  }

  /**
   * Pairs a hub (its Ed25519 public key) with a premises. The same pairing again is idempotent; pairing a hub that
   * is already paired to another premises or with another key is a 409: it must be unpaired first, so a hub never
   * silently moves to another customer's premises (and configuration).
   */
  async pairHub(input: { hubId: string; premisesId: string; publicKeyPem: string }): Promise<HubPairing> {
    const hubId = parseHubId(input.hubId);
    if (!await this.premises(input.premisesId)) throw notFound("premises", input.premisesId, "premisesId");
    const current = await this.readHub(hubId);
    if (current?.active) {
      if (current.premisesId === input.premisesId && current.publicKeyPem === input.publicKeyPem) return current;
      const what = current.premisesId !== input.premisesId ? `premises ${current.premisesId}` : "another key";
      throw new ApiError("already-paired", `hub ${hubId} is already paired to ${what}; unpair it first (DELETE /v1/operator/hubs/${hubId})`, "hubId", undefined, 409);
    }
    const now = this.clock.now();
    await this.db.run(`INSERT INTO hubs (hub_id, premises_id, public_key_pem, paired_at, active) VALUES (?, ?, ?, ?, 1)
      ON CONFLICT (hub_id) DO UPDATE SET premises_id = excluded.premises_id, public_key_pem = excluded.public_key_pem,
        paired_at = excluded.paired_at, active = 1`, hubId, input.premisesId, input.publicKeyPem, now);
    this.hubCache.delete(hubId);
    return { hubId, premisesId: input.premisesId as PremisesId, publicKeyPem: input.publicKeyPem, pairedAt: now, active: true };
  }

  async hub(hubId: string): Promise<HubPairing | null> {
    return this.hubCache.get(hubId, () => this.readHub(hubId));
  }

  private async readHub(hubId: string): Promise<HubPairing | null> {
    const r = await this.db.get<{ hub_id: string; premises_id: string; public_key_pem: string; paired_at: number; active: number }>("SELECT hub_id, premises_id, public_key_pem, paired_at, active FROM hubs WHERE hub_id = ?", hubId);
    return r ? { hubId: r.hub_id, premisesId: r.premises_id as PremisesId, publicKeyPem: r.public_key_pem, pairedAt: r.paired_at as UtcSeconds, active: r.active === 1 } : null;
  }

  /** Hub pairings by hub ID, `limit` from `offset` (the operator's paged list). */
  async listHubs(filter: { active?: boolean }, limit: number, offset: number): Promise<HubPairing[]> {
    const rows = filter.active === undefined
      ? await this.db.all<{ hub_id: string }>("SELECT hub_id FROM hubs ORDER BY hub_id LIMIT ? OFFSET ?", limit, offset)
      : await this.db.all<{ hub_id: string }>("SELECT hub_id FROM hubs WHERE active = ? ORDER BY hub_id LIMIT ? OFFSET ?", filter.active ? 1 : 0, limit, offset);
    const hubs: HubPairing[] = [];
    for (const r of rows) hubs.push((await this.readHub(r.hub_id))!);
    return hubs;
  }

  async unpairHub(hubId: string): Promise<void> {
    await this.db.run("UPDATE hubs SET active = 0 WHERE hub_id = ?", hubId);
    this.hubCache.delete(hubId);
  }
}

/** An account as a month close sees it (EnrollmentStore.billingFacts). */
export interface AccountBillingFacts {
  account: Account;
  /** Its premises now, by ID, each with the program it is enrolled in (null: none). */
  premises: { premises: Premises; program: Program | null }[];
  /** Every premises it ever held, by ID: where its postings are. */
  premisesEver: string[];
}

interface AccountRow { id: string; customer_id: string; status: string; opened_on: string | null; closed_on: string | null }
const toAccount = (r: AccountRow): Account => ({
  id: r.id as AccountId, customerId: r.customer_id as CustomerId, status: r.status as Account["status"],
  ...(r.opened_on ? { openedOn: r.opened_on } : {}), ...(r.closed_on ? { closedOn: r.closed_on } : {}),
});
