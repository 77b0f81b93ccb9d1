// The hub's utility link: binding requests go straight to the utility (they are answered inside the comm-wait
// window or not at all); session reports, acknowledgements and DR status go through the durable outbox.
import type { KeyObject } from "node:crypto";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/ids.ts";
import type { Vin } from "../../core/ids/vin.ts";
import type { Clock } from "../../core/time/clock.ts";
import { Outbox, SyncWorker, UtilityClient, UtilityUnreachableError } from "../../cloud-sync/hub/index.ts";
import { verifyBindingCredential } from "../../cloud-sync/protocol/index.ts";
import type { BindingCredential } from "../../core/binding/types.ts";
import type { UtcSeconds } from "../../core/time/utc.ts";
import type { HubStore } from "../store/hub-store.ts";
import { type BindingAnswer, type BindingRequest, type ReportSink, type UtilityPort, UtilityUnreachable } from "../hub/ports.ts";
import { buildSessionReport } from "./session-report.ts";

export interface UtilityLinkOptions {
  baseUrl: string;
  hubId: HubId;
  premisesId: PremisesId;
  utilityId: UtilityId;
  hubKey: KeyObject;
  /** The utility's credential-signing public keys by key ID, for offline re-binding. */
  utilityKeys: Map<string, KeyObject>;
  store: HubStore;
  clock: Clock;
  log: (line: string) => void;
}

export class UtilityLink implements UtilityPort, ReportSink {
  readonly client: UtilityClient;
  readonly outbox: Outbox;
  readonly worker: SyncWorker;

  constructor(private readonly o: UtilityLinkOptions) {
    this.client = new UtilityClient({ baseUrl: o.baseUrl, hubId: o.hubId, privateKey: o.hubKey, clock: o.clock, timeoutMs: 10_000 });
    this.outbox = new Outbox(o.store.db, { clock: o.clock });
    this.worker = new SyncWorker({ outbox: this.outbox, client: this.client, clock: o.clock });
  }

  start(): void { this.worker.start(); }
  stop(): Promise<void> { return this.worker.stop(); }

  async validateBinding(req: BindingRequest): Promise<BindingAnswer> {
    let a;
    try {
      a = await this.client.validateBinding(
        { v: 1, hubId: this.o.hubId, premisesId: req.premisesId, vin: req.vin, path: req.path, pevProofOk: req.proofOk, at: this.o.clock.now(), sessionId: req.sessionId },
        { timeoutMs: 15_000 },
      );
    } catch (e) {
      if (e instanceof UtilityUnreachableError) throw new UtilityUnreachable(e.message);
      throw e;
    }
    if (a.status === "not-enrolled" || a.status === "invalid") return { status: a.status, params: null, pevSecretHex: null };
    const secret = a.status === "enrolled" && a.pevSecret ? Buffer.from(a.pevSecret, "base64url").toString("hex") : null;
    return { status: a.status, params: a.parameters, pevSecretHex: secret };
  }

  async acknowledge(ack: { sessionId: string; vin: Vin; device: "pev" | "eumd" }): Promise<void> {
    const s = this.o.store.getSession(ack.sessionId);
    const pev = this.o.store.getPev(ack.vin);
    const cred = pev?.credential as BindingCredential | null;
    const base = { v: 1 as const, hubId: this.o.hubId, premisesId: this.o.premisesId, vin: ack.vin, sessionId: ack.sessionId, at: this.o.clock.now() };
    if (ack.device === "pev") {
      if (!cred || !s?.programId || !s.tariffId) throw new Error(`no credential stored for PEV ${ack.vin}; acknowledgement not sent`);
      this.outbox.enqueue({ kind: "ack", body: { ...base, kind: "pev", programId: s.programId, tariffId: s.tariffId, credentialKeyId: cred.keyId, credentialExpiresAt: cred.expiresAt } } as never);
    } else {
      this.outbox.enqueue({ kind: "ack", body: { ...base, kind: "eumd", intervalS: this.o.store.getSession(ack.sessionId)?.intervals.at(-1)?.lengthS ?? 900 } } as never);
    }
  }

  credentialValid(credential: unknown, vin: Vin, premisesId: PremisesId, now: number): boolean {
    const at = now as UtcSeconds;
    if (!credential) return false;
    const v = verifyBindingCredential(credential as BindingCredential, { keys: this.o.utilityKeys, vin, premisesId, now: at });
    if (!v.ok) this.o.log(`hub: stored credential for ${vin} not usable offline: ${v.detail}`);
    return v.ok;
  }

  sessionChanged(sessionId: string, _revision: number): void {
    const report = buildSessionReport(this.o.store, sessionId, this.o);
    if (!report) return;
    try {
      this.outbox.enqueue({ kind: "session-report", body: report });
    } catch (e) {
      this.o.log(`hub: session report for ${sessionId} not queued: ${(e as Error).message}`);
    }
  }
}
