// What the hub knows about one charge point, across its connections: registration, connector status, transactions,
// the last idTag and meter samples. It answers the charge point's CALLs and, on every accepted BootNotification, sets
// the charger's own fail-safe (what it does if the hub goes away). It outlives a WebSocket, so a reconnect — or a
// charger that kept charging through a hub restart — resumes the open transaction instead of opening a second one.
import type { Clock, UtcSeconds } from "../../core/time/index.ts";
import { OcppCallError } from "./errors.ts";
import type { Payload } from "./framing.ts";
import { quirksFor, type QuirkProfile } from "./quirks.ts";
import type { OcppRpc } from "./rpc.ts";

export type ConnectorStatus = "Available" | "Preparing" | "Charging" | "SuspendedEV" | "SuspendedEVSE" | "Finishing" | "Reserved" | "Unavailable" | "Faulted";
export type Registration = "Accepted" | "Pending" | "Rejected";

/** What the charger falls back to without the hub; set at every boot (issue 16, deliverable 4). */
export interface FailSafeSettings {
  /** The fallback limit, amperes: the charger's own TxDefaultProfile when no newer hub profile is in force. */
  fallbackLimitA: number;
  heartbeatIntervalS: number;
  meterValueSampleIntervalS: number;
  /** The program's rule: may the charger authorize locally while the hub is away. */
  localAuthorizeOffline: boolean;
}

export interface Transaction {
  id: number;
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  startedAt: UtcSeconds;
  /** Adopted: first seen in MeterValues/StopTransaction after a hub restart, not in a StartTransaction. */
  adopted: boolean;
  stoppedAt?: UtcSeconds;
  meterStopWh?: number;
  stopReason?: string;
}

export interface EnergySample { energyWh: number; powerW?: number; at: UtcSeconds; receivedAt: UtcSeconds; transactionId?: number }

export interface ChargePointListener {
  connected?(): void;
  disconnected?(reason: string): void;
  /** After an accepted boot, once the fail-safe is set. */
  booted?(vendor: string, model: string, quirks: QuirkProfile): void;
  status?(connectorId: number, status: ConnectorStatus, errorCode: string): void;
  idTag?(connectorId: number | null, idTag: string, via: "Authorize" | "StartTransaction"): void;
  transactionStarted?(tx: Transaction): void;
  transactionEnded?(tx: Transaction): void;
  meter?(connectorId: number, sample: EnergySample): void;
  record?(what: string): void;
}

/** Actions a charge point may send that the hub answers. */
export const CENTRAL_SYSTEM_ANSWERS: ReadonlySet<string> = new Set([
  "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "StopTransaction", "MeterValues",
  "DataTransfer", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "SecurityEventNotification",
]);

const iso = (ms: number) => new Date(ms).toISOString();
const toSeconds = (ms: number) => Math.floor(ms / 1000) as UtcSeconds;
const MAX_CONNECTORS = 8;
const MAX_DATA_TRANSFER_LOG = 512;

export class ChargePointSession {
  registration: Registration;
  vendor = "";
  model = "";
  quirks: QuirkProfile;
  rpc: OcppRpc | null = null;
  readonly connectors = new Map<number, { status: ConnectorStatus; errorCode: string; at: UtcSeconds }>();
  /** Open transactions by id; closed ones are kept (last few) so a duplicate StopTransaction is recognised. */
  readonly transactions = new Map<number, Transaction>();
  readonly lastIdTag = new Map<number | null, string>();
  readonly lastSample = new Map<number, EnergySample>();
  lastHeardAt: UtcSeconds | null = null;
  private readonly listeners = new Set<ChargePointListener>();

  constructor(
    readonly id: string,
    registration: Registration,
    private readonly o: { clock: Clock; failSafe: FailSafeSettings; extraQuirks?: readonly QuirkProfile[]; nextTransactionId: () => number; log: (l: string) => void; pendingRetryS?: number },
  ) {
    this.registration = registration;
    this.quirks = quirksFor("", "", o.extraQuirks);
  }

  get connected(): boolean { return this.rpc !== null; }

  listen(l: ChargePointListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit<K extends keyof ChargePointListener>(k: K, ...args: Parameters<NonNullable<ChargePointListener[K]>>): void {
    for (const l of this.listeners) (l[k] as ((...a: typeof args) => void) | undefined)?.(...args);
  }

  record(what: string): void {
    this.o.log(`ocpp ${this.id}: ${what}`);
    this.emit("record", what);
  }

  attach(rpc: OcppRpc): void {
    this.rpc?.close("replaced by a new connection");
    this.rpc = rpc;
    this.emit("connected");
  }

  detach(rpc: OcppRpc, reason: string): void {
    if (this.rpc !== rpc) return;
    rpc.close(reason);
    this.rpc = null;
    this.emit("disconnected", reason);
  }

  /** A CALL from the hub to this charge point. */
  call(action: string, payload: Payload): Promise<Payload> {
    if (!this.rpc) return Promise.reject(new OcppCallError("GenericError", `${this.id} is not connected`));
    return this.rpc.call(action, payload);
  }

  openTransaction(connectorId: number): Transaction | undefined {
    for (const t of this.transactions.values()) if (t.connectorId === connectorId && t.stoppedAt === undefined) return t;
    return undefined;
  }

  handle(action: string, p: Payload): Payload {
    const now = this.o.clock.now();
    this.lastHeardAt = now;
    if (action === "BootNotification") return this.boot(p);
    // OCPP 1.6 §4.2: until accepted, the charge point may only boot; the hub refuses anything else.
    if (this.registration !== "Accepted") throw new OcppCallError("SecurityError", `charge point ${this.id} is not accepted (${this.registration})`);
    switch (action) {
      case "Heartbeat":
        return { currentTime: iso(this.o.clock.nowMs()) };
      case "StatusNotification": {
        const c = p.connectorId as number;
        const status = p.status as ConnectorStatus;
        if (c > MAX_CONNECTORS) throw new OcppCallError("PropertyConstraintViolation", `connectorId ${c} beyond the ${MAX_CONNECTORS} this hub tracks`);
        this.connectors.set(c, { status, errorCode: p.errorCode as string, at: now });
        this.emit("status", c, status, p.errorCode as string);
        return {};
      }
      case "Authorize": {
        // Authorize is never refused to hold a vehicle: the hub holds and allows by charging profile (issue 16, 2).
        const idTag = p.idTag as string;
        this.lastIdTag.set(null, idTag);
        this.emit("idTag", null, idTag, "Authorize");
        return { idTagInfo: { status: "Accepted" } };
      }
      case "StartTransaction":
        return this.startTransaction(p, now);
      case "StopTransaction":
        return this.stopTransaction(p, now);
      case "MeterValues": {
        const c = p.connectorId as number;
        const txId = p.transactionId as number | undefined;
        if (txId !== undefined) this.adopt(txId, c, now);
        this.meterValues(c, p.meterValue as MeterValue[], txId);
        return {};
      }
      case "DataTransfer":
        this.record(`DataTransfer from vendor ${JSON.stringify(p.vendorId)} message ${JSON.stringify(p.messageId ?? null)}: ${String(p.data ?? "").slice(0, MAX_DATA_TRANSFER_LOG)}`);
        // Answered, never acted on: the hub knows no vendor extension (OCPP 1.6 §4.3, UnknownVendorId).
        return { status: "UnknownVendorId" };
      case "DiagnosticsStatusNotification":
      case "FirmwareStatusNotification":
      case "SecurityEventNotification":
        this.record(`${action}: ${JSON.stringify(p)}`);
        return {};
      default:
        throw new OcppCallError("NotSupported", `${action} is not supported here`);
    }
  }

  private boot(p: Payload): Payload {
    this.vendor = p.chargePointVendor as string;
    this.model = p.chargePointModel as string;
    this.quirks = quirksFor(this.vendor, this.model, this.o.extraQuirks);
    const nowIso = iso(this.o.clock.nowMs());
    if (this.registration !== "Accepted") {
      this.record(`BootNotification from ${this.vendor} ${this.model}: ${this.registration} (the owner has not accepted this charge point)`);
      return { status: this.registration, currentTime: nowIso, interval: this.o.pendingRetryS ?? 60 };
    }
    this.record(`BootNotification from ${this.vendor} ${this.model}: accepted, quirk profile ${this.quirks.id}`);
    // The answer must reach the charger before the hub's own CALLs (the charger ignores calls before it is accepted).
    setImmediate(() => void this.setFailSafe());
    return { status: "Accepted", currentTime: nowIso, interval: this.o.failSafe.heartbeatIntervalS };
  }

  /** What the charger does if the hub dies: charge at the fallback limit, keep heartbeats and sampling, authorize per the program. */
  private async setFailSafe(): Promise<void> {
    const f = this.o.failSafe;
    const q = this.quirks;
    const steps: Array<[string, Payload]> = [
      ["ChangeConfiguration", { key: "HeartbeatInterval", value: String(f.heartbeatIntervalS) }],
      ["ChangeConfiguration", { key: "MeterValueSampleInterval", value: String(f.meterValueSampleIntervalS) }],
      ["ChangeConfiguration", { key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,Power.Active.Import" }],
      ["ChangeConfiguration", { key: "LocalAuthorizeOffline", value: String(f.localAuthorizeOffline) }],
    ];
    if (q.smartCharging && q.needsChargePointMaxProfile) {
      steps.push(["SetChargingProfile", { connectorId: 0, csChargingProfiles: this.profile(0, "ChargePointMaxProfile", 0, q.limits.maxCurrentA, null, null) }]);
    }
    if (q.smartCharging) {
      steps.push(["SetChargingProfile", { connectorId: 0, csChargingProfiles: this.profile(1, "TxDefaultProfile", 0, f.fallbackLimitA, null, null) }]);
    }
    for (const [action, payload] of steps) {
      try {
        const r = await this.call(action, payload);
        if (r.status !== "Accepted") this.record(`fail-safe: ${action} ${JSON.stringify(payload.key ?? (payload.csChargingProfiles as Payload).chargingProfilePurpose)} answered ${String(r.status)}`);
      } catch (e) {
        this.record(`fail-safe: ${action} failed: ${(e as Error).message}`);
      }
    }
    // Learn the present state rather than wait for the next change.
    await this.call("TriggerMessage", { requestedMessage: "StatusNotification" }).catch((e: Error) => this.record(`TriggerMessage failed: ${e.message}`));
    this.emit("booted", this.vendor, this.model, this.quirks);
  }

  /**
   * A charging profile in the charger's unit. `durationS` bounds a hub limit: when the hub dies the limit expires and
   * the boot-time fail-safe (stack level 0) applies again.
   */
  profile(id: number, purpose: "ChargePointMaxProfile" | "TxDefaultProfile" | "TxProfile", stackLevel: number, amps: number, durationS: number | null, transactionId: number | null): Payload {
    const q = this.quirks;
    const limit = q.chargingRateUnit === "W" ? Math.round(amps * q.limits.voltageV * q.limits.phases) : Math.round(amps * 10) / 10;
    const schedule: Payload = {
      chargingRateUnit: q.chargingRateUnit,
      chargingSchedulePeriod: [{ startPeriod: 0, limit }],
      startSchedule: iso(this.o.clock.nowMs()),
    };
    if (durationS !== null) schedule.duration = durationS;
    const p: Payload = { chargingProfileId: id, stackLevel, chargingProfilePurpose: purpose, chargingProfileKind: "Absolute", chargingSchedule: schedule };
    if (transactionId !== null) p.transactionId = transactionId;
    return p;
  }

  private startTransaction(p: Payload, now: UtcSeconds): Payload {
    const c = p.connectorId as number;
    const idTag = p.idTag as string;
    const meterStartWh = p.meterStart as number;
    const open = this.openTransaction(c);
    // A StartTransaction the charger queued while the hub was away, sent again: same transaction, same id.
    if (open && open.idTag === idTag && open.meterStartWh === meterStartWh) {
      this.record(`StartTransaction repeated for transaction ${open.id}; resumed`);
      return { transactionId: open.id, idTagInfo: { status: "Accepted" } };
    }
    if (open) this.endTransaction(open, now, meterStartWh, "superseded by a new StartTransaction");
    const tx: Transaction = { id: this.o.nextTransactionId(), connectorId: c, idTag, meterStartWh, startedAt: now, adopted: false };
    this.transactions.set(tx.id, tx);
    this.lastIdTag.set(c, idTag);
    this.emit("idTag", c, idTag, "StartTransaction");
    this.emit("transactionStarted", tx);
    this.sample(c, { energyWh: meterStartWh, at: this.sampleTime(p.timestamp as string, now), receivedAt: now, transactionId: tx.id });
    return { transactionId: tx.id, idTagInfo: { status: "Accepted" } };
  }

  private stopTransaction(p: Payload, now: UtcSeconds): Payload {
    const txId = p.transactionId as number;
    const tx = this.transactions.get(txId);
    if (tx?.stoppedAt !== undefined) {
      this.record(`duplicate StopTransaction for transaction ${txId} ignored (stopped at ${tx.meterStopWh} Wh)`);
      return { idTagInfo: { status: "Accepted" } };
    }
    const t = tx ?? this.adopt(txId, 0, now);
    if (Array.isArray(p.transactionData)) this.meterValues(t.connectorId, p.transactionData as MeterValue[], txId);
    const meterStopWh = p.meterStop as number;
    this.endTransaction(t, now, meterStopWh, (p.reason as string | undefined) ?? "Local");
    this.sample(t.connectorId, { energyWh: meterStopWh, at: this.sampleTime(p.timestamp as string, now), receivedAt: now, transactionId: txId });
    return { idTagInfo: { status: "Accepted" } };
  }

  private endTransaction(t: Transaction, now: UtcSeconds, meterStopWh: number, reason: string): void {
    Object.assign(t, { stoppedAt: now, meterStopWh, stopReason: reason });
    this.emit("transactionEnded", t);
    // Keep only the newest few closed transactions: enough to recognise a duplicate StopTransaction.
    const closed = [...this.transactions.values()].filter((x) => x.stoppedAt !== undefined);
    for (const x of closed.slice(0, Math.max(0, closed.length - 4))) this.transactions.delete(x.id);
  }

  /** A transaction id the hub never issued (it restarted while the charger kept charging): continue it, never open a second. */
  private adopt(txId: number, connectorId: number, now: UtcSeconds): Transaction {
    const known = this.transactions.get(txId);
    if (known) return known;
    const tx: Transaction = { id: txId, connectorId: connectorId || 1, idTag: this.lastIdTag.get(connectorId || 1) ?? "", meterStartWh: 0, startedAt: now, adopted: true };
    this.transactions.set(txId, tx);
    this.record(`transaction ${txId} resumed from the charger (not started through this hub run)`);
    this.emit("transactionStarted", tx);
    return tx;
  }

  private sampleTime(ts: string | undefined, now: UtcSeconds): UtcSeconds {
    const ms = ts ? Date.parse(ts) : NaN;
    // The charger's clock is not trusted into the future; a sample time ahead of the hub is the hub's receipt time.
    return Number.isFinite(ms) ? (Math.min(toSeconds(ms), now) as UtcSeconds) : now;
  }

  private meterValues(connectorId: number, values: MeterValue[], txId: number | undefined): void {
    const now = this.o.clock.now();
    for (const mv of values) {
      const energy = pick(mv.sampledValue, "Energy.Active.Import.Register");
      const power = pick(mv.sampledValue, "Power.Active.Import");
      if (!energy) continue;
      const energyWh = energy.sum * unitFactor(energy.unit ?? this.quirks.energyUnitWhenUnstated);
      const powerW = power ? power.sum * unitFactor(power.unit ?? "W") : undefined;
      if (!Number.isFinite(energyWh) || energyWh < 0 || (powerW !== undefined && !Number.isFinite(powerW))) {
        this.record(`MeterValues with an implausible energy register (${energy.sum} ${energy.unit ?? ""}) ignored`);
        continue;
      }
      this.sample(connectorId, { energyWh: Math.round(energyWh), ...(powerW !== undefined ? { powerW } : {}), at: this.sampleTime(mv.timestamp, now), receivedAt: now, ...(txId !== undefined ? { transactionId: txId } : {}) });
    }
  }

  private sample(connectorId: number, s: EnergySample): void {
    const prev = this.lastSample.get(connectorId);
    // A late MeterValues (sampled before the one we hold) must not move the register backwards.
    if (prev && s.at < prev.at) {
      this.record(`late MeterValues (sampled ${prev.at - s.at} s before the last one) not used as the current reading`);
      return;
    }
    this.lastSample.set(connectorId, s);
    this.emit("meter", connectorId, s);
  }
}

interface SampledValue { value: string; context?: string; format?: string; measurand?: string; phase?: string; location?: string; unit?: string }
interface MeterValue { timestamp: string; sampledValue: SampledValue[] }

/** The total of a measurand: the un-phased value when present, else the sum over L1, L2, L3. */
function pick(values: SampledValue[], measurand: string): { sum: number; unit?: string } | null {
  const mine = values.filter((v) => (v.measurand ?? "Energy.Active.Import.Register") === measurand && v.format !== "SignedData" && (v.location ?? "Outlet") !== "Inlet");
  const total = mine.find((v) => !v.phase);
  if (total) return { sum: Number(total.value), ...(total.unit ? { unit: total.unit } : {}) };
  const phases = mine.filter((v) => v.phase === "L1" || v.phase === "L2" || v.phase === "L3");
  if (!phases.length) return null;
  return { sum: phases.reduce((a, v) => a + Number(v.value), 0), ...(phases[0]!.unit ? { unit: phases[0]!.unit } : {}) };
}

const unitFactor = (unit: string): number => (unit === "kWh" || unit === "kW" ? 1000 : unit === "Wh" || unit === "W" ? 1 : NaN);
