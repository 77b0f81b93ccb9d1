// The hub's utility link: binding requests go straight to the utility (they are answered inside the comm-wait
// window or not at all); session reports, acknowledgements and DR status go through the durable outbox, queued
// inside the very transaction that commits the engine step causing them (stage), and a start-up reconciliation
// proves every session's latest revision is queued or delivered.
import type { KeyObject } from "node:crypto";
import type { HubId, PremisesId, SessionId, UtilityId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { UtilityUnreachableError } from "../../cloud-sync/protocol/index.ts";
import { Outbox } from "./outbox.ts";
import { SyncWorker } from "./sync-worker.ts";
import { UtilityClient } from "./utility-client.ts";
import { importPublicKeyBase64, verifyBindingCredential, type CredentialRevocation, type HubConfig as UtilityHubConfig } from "../../cloud-sync/protocol/index.ts";
import type { EngineEvent } from "../engine/types.ts";
import type { BindingCredential } from "../../core/binding/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { HubStore } from "../store/hub-store.ts";
import { type BindingAnswer, type BindingRequest, type CommittedStep, type ReportSink, type UtilityPort } from "../hub/ports.ts";
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
  /** Names the EUMD in its acknowledgement (config key or device address). */
  eumdId: string;
  /**
   * A hub with several charge points: each one's EUMD (null: [devices.charger]'s). Session reports then name their
   * charge point and its EUMD, and an EUMD acknowledgement names the session's own EUMD.
   */
  chargePointEumdId?: (chargePoint: string | null) => string;
}

const CONFIG_KEY = "utility.config";
const BILLS_EVERY_MS = 3600_000;

export class UtilityLink implements UtilityPort, ReportSink {
  readonly client: UtilityClient;
  readonly outbox: Outbox;
  readonly worker: SyncWorker;
  private revocations: CredentialRevocation[] = [];
  private activeDr = new Set<string>();
  /** Where configuration from the utility goes: the hub's engine. Set once the hub exists. */
  dispatch: (e: EngineEvent) => unknown = () => {};

  constructor(private readonly o: UtilityLinkOptions) {
    this.client = new UtilityClient({ baseUrl: o.baseUrl, hubId: o.hubId, privateKey: o.hubKey, clock: o.clock, timeoutMs: 10_000 });
    this.outbox = new Outbox(o.store.db, { clock: o.clock });
    const saved = o.store.getSetting<UtilityHubConfig>(CONFIG_KEY);
    if (saved) this.applyKeys(saved); // offline re-binding works after a restart with the utility down
    this.worker = new SyncWorker({ outbox: this.outbox, client: this.client, clock: o.clock, configVersion: saved?.configVersion, onConfig: (c) => this.applyConfig(c) });
  }

  /** The last configuration pulled from the utility, if any. */
  config(): UtilityHubConfig | null { return this.o.store.getSetting<UtilityHubConfig>(CONFIG_KEY); }

  private applyKeys(c: UtilityHubConfig): void {
    for (const k of c.utilityKeys) this.o.utilityKeys.set(k.keyId, importPublicKeyBase64(k.publicKey));
    this.revocations = c.revokedCredentials;
  }

  /** Configuration pushed back by the utility: interval length (FR-25), comm-wait, keys, revocations, DR events. */
  private applyConfig(c: UtilityHubConfig): void {
    this.o.store.setSetting(CONFIG_KEY, c, this.o.clock.now());
    this.applyKeys(c);
    this.dispatch({ type: "config", intervalS: c.intervalS, commWaitS: c.commWaitS });
    for (const e of c.drEvents) {
      if (e.deviceClass !== "electric-vehicle" && e.deviceClass !== "all") continue;
      if (e.cancelledAt !== undefined) {
        if (this.activeDr.delete(e.id)) this.dispatch({ type: "dr.cancel", id: e.id });
        continue;
      }
      if (e.start + e.durationS <= this.o.clock.now() || this.activeDr.has(e.id)) continue;
      this.activeDr.add(e.id);
      this.dispatch({ type: "dr.event", id: e.id, action: e.action, limitA: e.limitA ?? null, startsAt: e.start, endsAt: (e.start + e.durationS) as UtcSeconds, optOutAllowed: e.optOutAllowed });
    }
    this.o.log(`hub: utility configuration v${c.configVersion} applied (interval ${c.intervalS} s, comm-wait ${c.commWaitS} s, ${c.drEvents.length} DR events)`);
  }

  /** Queues one message (inside the caller's transaction when there is one); a refusal is logged, never thrown. */
  private enqueue(m: Parameters<Outbox["enqueue"]>[0], what: string, key?: string): void {
    try {
      this.outbox.enqueue(m, key === undefined ? {} : { key });
    } catch (e) {
      this.o.log(`hub: ${what} not queued: ${(e as Error).message}`);
    }
  }

  /**
   * Runs inside the store transaction of an engine step: every message the step sends is queued with it. IDs are
   * deterministic — a report is (session, revision), an acknowledgement (session, device), a DR status (event,
   * status) — so a replayed step queues nothing twice.
   */
  stage(step: CommittedStep): void {
    for (const c of step.commands) {
      switch (c.type) {
        case "session.report": {
          const report = buildSessionReport(this.o.store, c.sessionId, this.o);
          if (report) this.enqueue({ kind: "session-report", body: report }, `session report ${c.sessionId} r${c.revision}`);
          break;
        }
        case "utility.ack":
          this.stageAck({ sessionId: c.sessionId, vin: c.vin, device: c.device });
          break;
        case "dr.status":
          this.stageDrStatus(c.id, c.status);
          break;
        default:
          break;
      }
    }
  }

  /** After the step's commit: send now if the utility is reachable. */
  committed(): void { this.worker.kick(); }

  /**
   * Start-up proof that nothing was lost between a step and its report: every session's latest revision must be in the
   * outbox (queued or dead-lettered) or delivered. One that is not (a store written before the outbox was
   * transactional, or restored from a backup) is rebuilt from the store and queued again, and said so in the log.
   */
  reconcile(): { checked: number; requeued: string[] } {
    const requeued: string[] = [];
    const sessions = this.o.store.sessionRevisions();
    this.o.store.db.transaction(() => {
      for (const s of sessions) {
        if (s.revision < 1 || this.outbox.hasSessionRevision(s.id, s.revision)) continue;
        const report = buildSessionReport(this.o.store, s.id, this.o);
        if (!report) continue;
        this.enqueue({ kind: "session-report", body: report }, `session report ${s.id} r${s.revision} (reconciliation)`);
        requeued.push(`${s.id} r${s.revision}`);
      }
    })();
    if (requeued.length) this.o.log(`hub: reconciliation: ${requeued.length} session report(s) were neither queued nor delivered and are queued again: ${requeued.join(", ")}`);
    return { checked: sessions.length, requeued };
  }

  private billsTimer: TimerHandle | null = null;

  start(): void {
    this.reconcile();
    this.worker.start();
    const loop = () => {
      void this.refreshBills().finally(() => { this.billsTimer = this.o.clock.setTimeout(loop, BILLS_EVERY_MS); });
    };
    this.billsTimer = this.o.clock.setTimeout(loop, 5_000);
  }

  async stop(): Promise<void> {
    if (this.billsTimer) this.o.clock.clearTimeout(this.billsTimer);
    await this.worker.stop();
  }

  /** Bills synced from the utility for the dashboard (FR-34, FR-35); kept so they show while offline. */
  async refreshBills(): Promise<boolean> {
    try {
      const list = await this.client.fetchBills({ months: 12 });
      this.o.store.saveBills(list.bills, this.o.clock.now());
      return true;
    } catch (e) {
      if (!(e instanceof UtilityUnreachableError)) this.o.log(`hub: bills not fetched: ${(e as Error).message}`);
      return false;
    }
  }

  async validateBinding(req: BindingRequest): Promise<BindingAnswer> {
    let a;
    // An unreachable utility throws the protocol's UtilityUnreachableError, which the hub tells from an answer.
    a = await this.client.validateBinding(
      { v: 1, hubId: this.o.hubId, premisesId: req.premisesId, vin: req.vin, path: req.path, pevProofOk: req.proofOk, at: this.o.clock.now(), sessionId: req.sessionId },
      { timeoutMs: 15_000 },
    );
    if (a.status === "not-enrolled" || a.status === "invalid") return { status: a.status, params: null, pevSecretHex: null };
    const secret = a.status === "enrolled" && a.pevSecret ? Buffer.from(a.pevSecret, "base64url").toString("hex") : null;
    return { status: a.status, params: a.parameters, pevSecretHex: secret };
  }

  private stageAck(ack: { sessionId: string; vin: Vin; device: "pev" | "eumd" }): void {
    const s = this.o.store.getSession(ack.sessionId);
    const pev = this.o.store.getPev(ack.vin);
    const cred = pev?.credential as BindingCredential | null;
    const base = { v: 1 as const, hubId: this.o.hubId, premisesId: this.o.premisesId, vin: ack.vin, sessionId: ack.sessionId as SessionId, at: this.o.clock.now() };
    const key = `ack:${ack.sessionId}:${ack.device}`;
    if (ack.device === "pev") {
      if (!cred || !s?.programId || !s.tariffId) {
        this.o.log(`hub: no credential stored for PEV ${ack.vin}; its acknowledgement for ${ack.sessionId} is not sent`);
        return;
      }
      this.enqueue({ kind: "ack", body: { ...base, kind: "pev", programId: s.programId, tariffId: s.tariffId, credentialKeyId: cred.keyId, credentialExpiresAt: cred.expiresAt } }, "PEV acknowledgement", key);
    } else {
      const intervalS = this.config()?.intervalS ?? s?.intervals.at(-1)?.lengthS ?? 900;
      const eumdId = this.o.chargePointEumdId && s ? this.o.chargePointEumdId(s.chargePoint) : this.o.eumdId;
      this.enqueue({ kind: "ack", body: { ...base, kind: "eumd", eumdId, intervalS } }, "EUMD acknowledgement", key);
    }
  }

  credentialValid(credential: unknown, vin: Vin, premisesId: PremisesId, now: number): boolean {
    const at = now as UtcSeconds;
    if (!credential) return false;
    const v = verifyBindingCredential(credential as BindingCredential, { keys: this.o.utilityKeys, vin, premisesId, now: at, revocations: this.revocations });
    if (!v.ok) this.o.log(`hub: stored credential for ${vin} not usable offline: ${v.detail}`);
    return v.ok;
  }

  private stageDrStatus(id: string, status: string): void {
    // "cancelled" is the utility's own doing; the protocol reports only what the hub did.
    if (status !== "received" && status !== "started" && status !== "completed" && status !== "opted-out") return;
    if (status === "completed" || status === "opted-out") this.activeDr.delete(id);
    this.enqueue({ kind: "dr-status", body: { v: 1, hubId: this.o.hubId, premisesId: this.o.premisesId, eventId: id, status, at: this.o.clock.now() } }, `DR status for ${id}`, `dr:${id}:${status}`);
  }
}
