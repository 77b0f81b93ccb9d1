// Binding validation (FR-14, FR-16, FR-28). The hub sends (PEV ID, premises ID); the utility answers:
//  - enrolled here, commissioning (S1): authentication parameters, a utility-signed credential and a fresh per-PEV
//    secret; commissioning stays pending until the PEV (FR-19) and the EUMD (FR-27) acknowledge;
//  - enrolled here, re-binding (S2): the PEV proved its secret to the hub and a binding is on record → confirm with
//    a renewed credential, no new secret (no full authentication and discovery, FR-28);
//  - enrolled at another premises of this utility → guest, per the host program's guest setting (FR-33);
//  - enrolled with another utility (clearinghouse token registry) → roaming, if the host program accepts it (FR-32);
//  - otherwise not-enrolled, which is an answer, not an error (FR-05).
import type { SqlStore } from "../../../core/storage/index.ts";
import { randomBytes, type KeyObject } from "node:crypto";
import type { AuthenticationParameters } from "../../../core/binding/index.ts";
import type { PremisesId, UtilityId } from "../../../core/ids/index.ts";
import type { Vin } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { BindingAnswer, BindingRequest, Payer } from "../../protocol/index.ts";
import type { CommissioningAck } from "../../protocol/index.ts";
import { signBindingCredential } from "../../protocol/index.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import type { BindingRecord, Premises, Program } from "../types.ts";
import { VISITOR_GRANT_S, type BindingGrants, type GrantStatus } from "./binding-grants.ts";
import type { SessionKeys } from "../sessions/session-keys.ts";

export interface BindingServiceDeps {
  db: SqlStore;
  enrollment: EnrollmentStore;
  clock: Clock;
  utilityId: string;
  signingKey: { privateKey: KeyObject; keyId: string };
  /** Which foreign utility is home for a VIN not enrolled here (clearinghouse lookup), or null. */
  foreignHomeOf: (vin: Vin) => Promise<string | null>;
  grants: BindingGrants;
  keys: SessionKeys;
}

interface BindingRow {
  vin: string; premises_id: string; program_id: string; state: string; secret: string;
  pev_ack_at: number | null; eumd_ack_at: number | null; issued_at: number; expires_at: number;
}

const toRecord = (r: BindingRow): BindingRecord => ({
  vin: r.vin as Vin, premisesId: r.premises_id as PremisesId, programId: r.program_id,
  state: r.state as BindingRecord["state"], pevAckAt: r.pev_ack_at as UtcSeconds | null, eumdAckAt: r.eumd_ack_at as UtcSeconds | null,
  issuedAt: r.issued_at as UtcSeconds, expiresAt: r.expires_at as UtcSeconds,
});

export class BindingService {
  constructor(private readonly d: BindingServiceDeps) {}

  async binding(vin: string, premisesId: string): Promise<BindingRecord | null> {
    const r = await this.d.db.get<BindingRow>("SELECT * FROM bindings WHERE vin = ? AND premises_id = ?", vin, premisesId);
    return r ? toRecord(r) : null;
  }

  /**
   * Answers a binding request whose hub is already verified and paired to `req.premisesId`. Every positive answer is
   * recorded as a grant (issue 13) whose ID the answer carries: settlement later needs it.
   */
  async validate(req: BindingRequest): Promise<BindingAnswer> {
    const a = await this.answer(req);
    if (a.status !== "enrolled" && a.status !== "guest" && a.status !== "roaming") return a;
    const visitor = a.status !== "enrolled";
    const bindingId = await this.d.db.transaction(async () => {
      const id = await this.d.grants.grant({
        hubId: req.hubId, premisesId: req.premisesId, hubSessionId: req.sessionId ?? null, vin: req.vin, status: a.status as GrantStatus,
        payer: visitor ? a.visitor.payer : null, homeUtilityId: visitor ? a.visitor.homeUtilityId : null, programId: a.parameters.programId,
        validFrom: a.answeredAt,
        validUntil: (visitor ? a.answeredAt + VISITOR_GRANT_S : a.parameters.credential.expiresAt) as UtcSeconds,
      });
      if (req.sessionId) await this.d.keys.open(req.hubId, req.sessionId, req.premisesId, id, a.answeredAt);
      return id;
    });
    return { ...a, bindingId };
  }

  private async answer(req: BindingRequest): Promise<BindingAnswer> {
    const now = this.d.clock.now();
    const base = { v: 1 as const, vin: req.vin, premisesId: req.premisesId, answeredAt: now };
    const premises = await this.d.enrollment.premises(req.premisesId);
    if (!premises) return { ...base, status: "not-enrolled", reason: `premises ${req.premisesId} is not served by this utility` };
    const hostAccount = await this.d.enrollment.account(premises.accountId);
    if (!hostAccount || hostAccount.status !== "active") return { ...base, status: "invalid", reason: `the account of premises ${req.premisesId} is not active` };

    const own = await this.d.enrollment.activeEnrollment(req.vin);
    if (own && own.premises.id === req.premisesId) {
      const account = await this.d.enrollment.account(own.accountId);
      if (!account || account.status !== "active") return { ...base, status: "invalid", reason: `the PEV's account ${own.accountId} is not active` };
      return req.path === "commissioning" ? await this.commission(base, req, own.program, premises) : await this.rebind(base, req, own.program, premises);
    }

    const hostProgram = await this.d.enrollment.programAtPremises(req.premisesId);
    if (own) {
      // Guest: a PEV of this utility enrolled at another premises (FR-33).
      const setting = hostProgram?.guestCharging ?? "off";
      if (setting === "off") {
        return { ...base, status: "not-enrolled", reason: "this PEV is enrolled at another premises and guest charging is not offered here" };
      }
      const payer: Payer = setting === "guest-pays" ? "guest" : "host";
      // Guest-pays charges the guest at its own program's rate; host-pays charges the host under the host program.
      const program = payer === "guest" ? own.program : hostProgram!;
      return {
        ...base, status: "guest",
        parameters: this.parameters(req.vin, premises, program, program.tariffId, now, false),
        visitor: { homeUtilityId: this.d.utilityId as UtilityId, payer },
      };
    }

    const home = await this.d.foreignHomeOf(req.vin);
    if (home && home !== this.d.utilityId) {
      if (!hostProgram?.roamingAllowed) {
        return { ...base, status: "not-enrolled", reason: `this PEV belongs to utility ${home}; roaming PEVs are not accepted at this premises` };
      }
      // The visited utility prices roaming energy at the premises' regular rate and bills the home utility via a CDR.
      return {
        ...base, status: "roaming",
        parameters: this.parameters(req.vin, premises, hostProgram, premises.defaultTariffId, now, false),
        visitor: { homeUtilityId: home as UtilityId, payer: "home-utility" },
      };
    }
    return { ...base, status: "not-enrolled", reason: `PEV ${req.vin} is not enrolled in a program at premises ${req.premisesId}` };
  }

  private async commission(base: BaseAnswer, req: BindingRequest, program: Program, premises: Premises): Promise<BindingAnswer> {
    const now = this.d.clock.now();
    const parameters = this.parameters(req.vin, premises, program, program.tariffId, now, program.offlineRebinding);
    const secret = randomBytes(32).toString("base64url");
    await this.d.db.run(`INSERT INTO bindings (vin, premises_id, program_id, state, secret, pev_ack_at, eumd_ack_at, issued_at, expires_at)
      VALUES (?, ?, ?, 'commissioning', ?, NULL, NULL, ?, ?)
      ON CONFLICT (vin, premises_id) DO UPDATE SET program_id = excluded.program_id, state = 'commissioning', secret = excluded.secret,
        pev_ack_at = NULL, eumd_ack_at = NULL, issued_at = excluded.issued_at, expires_at = excluded.expires_at`, req.vin, req.premisesId, program.id, secret, now, parameters.credential.expiresAt);
    return { ...base, status: "enrolled", parameters, pevSecret: secret };
  }

  private async rebind(base: BaseAnswer, req: BindingRequest, program: Program, premises: Premises): Promise<BindingAnswer> {
    const known = await this.binding(req.vin, req.premisesId);
    if (!known) return { ...base, status: "invalid", reason: "no binding on record for this PEV at this premises: commission it first (S1)" };
    if (!req.pevProofOk) return { ...base, status: "invalid", reason: "the PEV did not prove its per-PEV secret to the hub" };
    const now = this.d.clock.now();
    const parameters = this.parameters(req.vin, premises, program, program.tariffId, now, program.offlineRebinding);
    await this.d.db.run("UPDATE bindings SET program_id = ?, issued_at = ?, expires_at = ? WHERE vin = ? AND premises_id = ?", program.id, now, parameters.credential.expiresAt, req.vin, req.premisesId);
    return { ...base, status: "enrolled", parameters };
  }

  private parameters(vin: Vin, premises: Premises, program: Program, tariffId: string, now: UtcSeconds, offline: boolean): AuthenticationParameters {
    const credential = signBindingCredential({
      v: 1, vin, premisesId: premises.id, utilityId: this.d.utilityId as UtilityId, programId: program.id,
      issuedAt: now, expiresAt: (now + program.credentialTtlS) as UtcSeconds, keyId: this.d.signingKey.keyId,
    }, this.d.signingKey.privateKey);
    return {
      programId: program.id, programName: program.name, tariffId, intervalS: program.intervalS, commWaitS: program.commWaitS,
      offlineRebinding: offline, credential,
    };
  }

  /** Records a PEV (FR-19) or EUMD (FR-27) acknowledgement; commissioning completes when both are in. */
  async acknowledge(ack: CommissioningAck): Promise<{ duplicate: boolean; state: BindingRecord["state"] } | null> {
    const b = await this.binding(ack.vin, ack.premisesId);
    if (!b) return null;
    const column = ack.kind === "pev" ? "pev_ack_at" : "eumd_ack_at";
    const duplicate = (ack.kind === "pev" ? b.pevAckAt : b.eumdAckAt) !== null;
    await this.d.db.transaction(async () => {
      if (!duplicate) await this.d.db.run(`UPDATE bindings SET ${column} = ? WHERE vin = ? AND premises_id = ?`, ack.at, ack.vin, ack.premisesId);
      await this.d.db.run("UPDATE bindings SET state = 'commissioned' WHERE vin = ? AND premises_id = ? AND pev_ack_at IS NOT NULL AND eumd_ack_at IS NOT NULL", ack.vin, ack.premisesId);
    });
    return { duplicate, state: (await this.binding(ack.vin, ack.premisesId))!.state };
  }
}

type BaseAnswer = { v: 1; vin: Vin; premisesId: PremisesId; answeredAt: UtcSeconds };
