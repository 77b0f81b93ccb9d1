// The clearinghouse's records: registered utilities, roaming tokens (VIN → home utility) and routed CDRs.
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import type { Clock } from "../../core/time/index.ts";
import type { CdrDelivery, OcpiCdr, OcpiParty, UtilityRegistration } from "../protocol/index.ts";

const hash = (t: string) => createHash("sha256").update(t).digest("hex");

export interface RegisteredUtility { utilityId: string; baseUrl: string; token: string; publicKeyPem: string | null; ocpi: OcpiParty | null }
/** What a utility signed when it registered, changed or deleted a token: kept as the record of who said so. */
export interface SignedTokenChange { vin: string; utilityId: string; action: "put" | "delete"; signedAt: number; nonce: string; signature: string }

const partyText = (p: OcpiParty | undefined | null) => (p ? `${p.countryCode}*${p.partyId}` : null);
const partyOfText = (t: string | null): OcpiParty | null => {
  const [countryCode, partyId] = t ? t.split("*") : [];
  return countryCode && partyId ? { countryCode, partyId } : null;
};
export interface StoredCdr { id: string; sessionId: string; fromUtilityId: string; homeUtilityId: string; state: "pending" | "delivered" | "dead"; lastError: string | null; cdr: OcpiCdr }

export type SubmitResult = { kind: "accepted"; cdr: StoredCdr } | { kind: "duplicate"; existingId: string } | { kind: "unknown-credit-reference" };

export class ClearinghouseStore {
  constructor(private readonly db: Database, private readonly clock: Clock) {}

  /**
   * Registers (or re-registers) a utility with its token and its signing key (an SPKI PEM the caller checked); false
   * when its OCPI party is another utility's (OCPI: parties are unique).
   */
  registerUtility(r: Omit<UtilityRegistration, "publicKey" | "publicKeyPem">, publicKeyPem: string): boolean {
    const party = partyText(r.ocpi);
    if (party) {
      const holder = this.db.query("SELECT utility_id FROM utilities WHERE ocpi_party = ? AND utility_id <> ?").get(party, r.utilityId);
      if (holder) return false;
    }
    this.db.query(`INSERT INTO utilities (utility_id, base_url, token_hash, token, registered_at, public_key_pem, ocpi_party) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (utility_id) DO UPDATE SET base_url = excluded.base_url, token_hash = excluded.token_hash, token = excluded.token,
        public_key_pem = excluded.public_key_pem, ocpi_party = excluded.ocpi_party`)
      .run(r.utilityId, r.baseUrl.replace(/\/+$/, ""), hash(r.token), r.token, this.clock.now(), publicKeyPem, party);
    return true;
  }

  utilityByToken(token: string): RegisteredUtility | null {
    const r = this.db.query("SELECT utility_id, base_url, token, public_key_pem, ocpi_party FROM utilities WHERE token_hash = ?").get(hash(token)) as UtilityRow | null;
    return r ? toUtility(r) : null;
  }

  utility(id: string): RegisteredUtility | null {
    const r = this.db.query("SELECT utility_id, base_url, token, public_key_pem, ocpi_party FROM utilities WHERE utility_id = ?").get(id) as UtilityRow | null;
    return r ? toUtility(r) : null;
  }

  /** Keeps the signed request behind a token change (after the change itself succeeded). */
  recordTokenChange(c: SignedTokenChange): void {
    this.db.query("INSERT INTO token_changes (vin, utility_id, action, signed_at, nonce, signature, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(c.vin, c.utilityId, c.action, c.signedAt, c.nonce, c.signature, this.clock.now());
  }

  /**
   * Registers a VIN as `utilityId`'s customer's. A VIN another utility holds is not taken over (false): a utility
   * changes only its own customers' VINs; a PEV changing utility is released by the old one first.
   */
  putToken(vin: string, utilityId: string): boolean {
    return this.db.query(`INSERT INTO tokens (vin, utility_id, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (vin) DO UPDATE SET updated_at = excluded.updated_at WHERE tokens.utility_id = excluded.utility_id`).run(vin, utilityId, this.clock.now()).changes > 0;
  }

  deleteToken(vin: string, utilityId: string): boolean {
    return this.db.query("DELETE FROM tokens WHERE vin = ? AND utility_id = ?").run(vin, utilityId).changes > 0;
  }

  homeOf(vin: string): string | null {
    const r = this.db.query("SELECT utility_id FROM tokens WHERE vin = ?").get(vin) as { utility_id: string } | null;
    return r?.utility_id ?? null;
  }

  /**
   * Accepts a CDR once per sender and OCPI CDR ID, and one standing CDR per session (FR-32): a new CDR for a session
   * is accepted only after a credit CDR cancelled the standing one. A credit CDR must reference a CDR the same sender
   * submitted for the same session (routed to the same home utility): nobody credits another's charge, or twice.
   */
  submit(cdr: OcpiCdr, fromUtilityId: string, homeUtilityId: string): SubmitResult {
    return this.db.transaction((): SubmitResult => {
      const existing = this.db.query("SELECT id FROM cdrs WHERE from_utility_id = ? AND cdr_id = ?").get(fromUtilityId, cdr.id) as { id: string } | null;
      if (existing) return { kind: "duplicate", existingId: existing.id };
      let creditOf: string | null = null;
      if (!cdr.credit) {
        // FR-32: one standing CDR per session and sender; a correction first credits the standing one. One its home
        // utility refused (dead) never stood.
        const standing = this.db.query(`SELECT id FROM cdrs s WHERE from_utility_id = ? AND session_id = ? AND credit_of IS NULL AND state <> 'dead'
          AND NOT EXISTS (SELECT 1 FROM cdrs c WHERE c.credit_of = s.id)`).get(fromUtilityId, cdr.session_id) as { id: string } | null;
        if (standing) return { kind: "duplicate", existingId: standing.id };
      } else {
        const ref = this.db.query(`SELECT id FROM cdrs s WHERE from_utility_id = ? AND cdr_id = ? AND session_id = ? AND home_utility_id = ? AND credit_of IS NULL
          AND NOT EXISTS (SELECT 1 FROM cdrs c WHERE c.credit_of = s.id)`)
          .get(fromUtilityId, cdr.credit_reference_id ?? "", cdr.session_id, homeUtilityId) as { id: string } | null;
        if (!ref) return { kind: "unknown-credit-reference" };
        creditOf = ref.id;
      }
      const id = `ch-${crypto.randomUUID()}`;
      this.db.query(`INSERT INTO cdrs (id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, received_at, credit_of)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`).run(id, cdr.session_id, cdr.id, fromUtilityId, homeUtilityId, JSON.stringify(cdr), this.clock.now(), creditOf);
      return { kind: "accepted", cdr: { id, sessionId: cdr.session_id, fromUtilityId, homeUtilityId, state: "pending", lastError: null, cdr } };
    })();
  }

  /** Every CDR the clearinghouse holds, oldest first (the relay test checks each against OCPI's rules). */
  allCdrs(): StoredCdr[] {
    return (this.db.query("SELECT * FROM cdrs ORDER BY received_at, rowid").all() as CdrRow[]).map(toStored);
  }

  pendingFor(homeUtilityId?: string, limit = 100): StoredCdr[] {
    const rows = (homeUtilityId
      ? this.db.query("SELECT * FROM cdrs WHERE state = 'pending' AND home_utility_id = ? ORDER BY received_at, id LIMIT ?").all(homeUtilityId, limit)
      : this.db.query("SELECT * FROM cdrs WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY received_at, id LIMIT ?").all(this.clock.now(), limit)) as CdrRow[];
    return rows.map(toStored);
  }

  cdr(id: string): StoredCdr | null {
    const r = this.db.query("SELECT * FROM cdrs WHERE id = ?").get(id) as CdrRow | null;
    return r ? toStored(r) : null;
  }

  markDelivered(id: string): void {
    this.db.query("UPDATE cdrs SET state = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?").run(this.clock.now(), id);
  }

  /** A push that failed for now (5xx, unreachable): retried after 5 s × 2^attempts, at most an hour. */
  markFailed(id: string, error: string): void {
    this.db.query(`UPDATE cdrs SET attempts = attempts + 1, last_error = ?,
      next_attempt_at = ? + MIN(3600, 5 * (1 << MIN(attempts, 10))) WHERE id = ?`).run(error, this.clock.now(), id);
  }

  /** The home utility refused the CDR (4xx): not retried, kept with the reason for the operators. */
  markDead(id: string, error: string): void {
    this.db.query("UPDATE cdrs SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?").run(error, id);
  }
}

interface UtilityRow { utility_id: string; base_url: string; token: string; public_key_pem: string | null; ocpi_party: string | null }
const toUtility = (r: UtilityRow): RegisteredUtility => ({
  utilityId: r.utility_id, baseUrl: r.base_url, token: r.token, publicKeyPem: r.public_key_pem, ocpi: partyOfText(r.ocpi_party),
});

interface CdrRow { id: string; session_id: string; from_utility_id: string; home_utility_id: string; state: string; body: string; last_error: string | null }
const toStored = (r: CdrRow): StoredCdr => ({
  id: r.id, sessionId: r.session_id, fromUtilityId: r.from_utility_id, homeUtilityId: r.home_utility_id,
  state: r.state as StoredCdr["state"], lastError: r.last_error, cdr: JSON.parse(r.body) as OcpiCdr,
});

export const deliveryOf = (c: StoredCdr): CdrDelivery => ({ v: 1, clearinghouseCdrId: c.id, fromUtilityId: c.fromUtilityId, homeUtilityId: c.homeUtilityId, cdr: c.cdr });
