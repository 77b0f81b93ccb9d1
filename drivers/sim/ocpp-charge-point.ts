// A simulated OCPP 1.6J charge point. It connects to the hub like a real one (a WebSocket with the ocpp1.6 subprotocol,
// HTTP Basic, TLS when asked), speaks through the same OCPP-J code path and schema checks, runs on a core/time Clock,
// and applies the charging profiles it is sent the way the specification says (highest valid stack level wins,
// ChargePointMaxProfile caps, a profile with a duration expires). A plugged-in vehicle draws the limit the profiles allow.
// Faults on command: disconnect, reject profiles, late MeterValues, duplicate StopTransaction.
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { OcppCallError } from "../ocpp/errors.ts";
import type { Payload } from "../ocpp/framing.ts";
import { OcppRpc } from "../ocpp/rpc.ts";

export interface SimChargePointOptions {
  url: string;
  id: string;
  password?: string;
  clock: Clock;
  /** PEM of the hub's certificate to trust (wss://). */
  caPem?: string;
  vendor?: string;
  model?: string;
  voltageV?: number;
  phases?: 1 | 3;
  /** What the vehicle draws at most, amperes. */
  vehicleMaxA?: number;
  /** No Smart Charging feature profile: SetChargingProfile is NotSupported. */
  smartCharging?: boolean;
  /** Energy sampled in kWh without a unit (a quirk some chargers have). */
  energyInKwhUnstated?: boolean;
  meterValuesOnlyOnChange?: boolean;
  log?: (line: string) => void;
  /**
   * The simulated world's vehicle and circuit, when the charge point is part of it (demo, story): the charge point
   * offers it current, the vehicle draws what it takes (its battery may be full), and the register is the circuit's
   * meter. Without it the charge point integrates its own energy at the offered current.
   */
  vehicle?: SimChargePointVehicle;
}

export interface SimChargePointVehicle {
  /** The current the charge point offers the vehicle now, amperes (0 = none). */
  offer(amps: number): void;
  /** What the vehicle draws now, W. */
  powerW(): number;
  /** The charge point's energy register, Wh. */
  energyWh(): number;
}

export interface SimFaults {
  /** SetChargingProfile answered Rejected. */
  rejectProfiles: boolean;
  /** MeterValues held back and sent this many ms of simulated time late. */
  lateMeterValuesMs: number;
  /** StopTransaction sent twice. */
  duplicateStop: boolean;
}

interface Profile { connectorId: number; id: number; stackLevel: number; purpose: string; transactionId?: number; unit: "A" | "W"; limit: number; startMs: number; durationMs?: number }

const CHARGE_POINT_ANSWERS = new Set([
  "ChangeConfiguration", "GetConfiguration", "SetChargingProfile", "ClearChargingProfile", "TriggerMessage", "Reset",
  "ChangeAvailability", "UnlockConnector", "RemoteStartTransaction", "RemoteStopTransaction", "DataTransfer",
]);
const QUEUED_WHEN_OFFLINE = new Set(["StartTransaction", "StopTransaction", "MeterValues"]);

export class SimChargePoint {
  readonly faults: SimFaults = { rejectProfiles: false, lateMeterValuesMs: 0, duplicateStop: false };
  readonly config = new Map<string, string>([["HeartbeatInterval", "300"], ["MeterValueSampleInterval", "10"], ["LocalAuthorizeOffline", "false"]]);
  readonly received: Array<{ action: string; payload: Payload }> = [];
  registration: string | null = null;
  status = "Available";
  energyWh = 0;
  plugged = false;
  idTag: string | null = null;
  transactionId: number | null = null;
  private profiles: Profile[] = [];
  private ws: WebSocket | null = null;
  private rpc: OcppRpc | null = null;
  private meterTimer: TimerHandle | null = null;
  private bootTimer: TimerHandle | null = null;
  private lastTickMs: number;
  private lastSentEnergy = -1;
  private offlineQueue: Array<[string, Payload]> = [];
  private stopped = false;
  private readonly smart: boolean;
  private txPending = false;

  constructor(readonly o: SimChargePointOptions) {
    this.lastTickMs = o.clock.monotonicMs();
    this.smart = o.smartCharging ?? true;
  }

  get connected(): boolean { return this.rpc !== null && this.ws?.readyState === WebSocket.OPEN; }
  get accepted(): boolean { return this.registration === "Accepted"; }
  /** Frames sent and received on the current connection, so tests can wait until both sides have caught up. */
  get frames(): { in: number; out: number } { return this.rpc ? { in: this.rpc.counts.in, out: this.rpc.counts.out } : { in: 0, out: 0 }; }

  /** Opens the WebSocket; resolves when it is open (rejects when the hub refuses it). */
  connect(): Promise<void> {
    this.stopped = false;
    const headers: Record<string, string> = {};
    if (this.o.password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${this.o.id}:${this.o.password}`).toString("base64")}`;
    const ws = new WebSocket(`${this.o.url}${encodeURIComponent(this.o.id)}`, { protocols: ["ocpp1.6"], headers, ...(this.o.caPem ? { tls: { ca: this.o.caPem } } : {}) } as unknown as string[]);
    this.ws = ws;
    const rpc = new OcppRpc({
      label: `sim ${this.o.id}`, clock: this.o.clock, send: (t) => ws.send(t), answers: this.smart ? CHARGE_POINT_ANSWERS : new Set([...CHARGE_POINT_ANSWERS].filter((a) => !/ChargingProfile/.test(a))),
      handle: (a, p) => this.handle(a, p), callTimeoutMs: 60_000, ...(this.o.log ? { log: this.o.log } : {}),
    });
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        this.rpc = rpc;
        this.boot();
        resolve();
      };
      ws.onmessage = (e) => rpc.receive(String(e.data));
      ws.onerror = () => reject(new Error(`${this.o.id}: connection refused`));
      ws.onclose = () => {
        rpc.close("socket closed");
        if (this.rpc === rpc) { this.rpc = null; this.registration = null; }
      };
    });
  }

  /** Fault: the network goes away (the hub sees the socket close). */
  disconnect(): void {
    this.ws?.close();
    this.rpc?.close("disconnected on command");
    this.rpc = null;
    this.registration = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.meterTimer, this.bootTimer]) if (t) this.o.clock.clearTimeout(t);
    this.disconnect();
  }

  private boot(): void {
    this.send("BootNotification", { chargePointVendor: this.o.vendor ?? "Offpeak", chargePointModel: this.o.model ?? "SimCP" })
      .then((r) => {
        this.registration = r.status as string;
        if (r.status === "Accepted") {
          void this.send("StatusNotification", { connectorId: 1, errorCode: "NoError", status: this.status });
          const queued = this.offlineQueue.splice(0);
          for (const [a, p] of queued) void this.send(a, p);
          this.scheduleMeter();
        } else if (!this.stopped) {
          this.bootTimer = this.o.clock.setTimeout(() => { if (this.connected) this.boot(); }, Number(r.interval) * 1000);
        }
      })
      .catch((e: Error) => this.o.log?.(`sim ${this.o.id}: boot failed: ${e.message}`));
  }

  /** A CALL to the hub; transaction messages wait for the connection as OCPP requires. */
  send(action: string, payload: Payload): Promise<Payload> {
    if (!this.connected || (!this.accepted && action !== "BootNotification")) {
      if (QUEUED_WHEN_OFFLINE.has(action)) {
        this.offlineQueue.push([action, payload]);
        return Promise.resolve({});
      }
      return Promise.reject(new Error(`${this.o.id}: not connected`));
    }
    return this.rpc!.call(action, payload);
  }

  // ---- the vehicle ----

  /** The vehicle plugs in and presents an idTag (RFID card or Autocharge VID:<MAC>). */
  async plugIn(idTag: string): Promise<void> {
    this.tick();
    this.plugged = true;
    this.idTag = idTag;
    this.setStatus("Preparing");
    await this.send("Authorize", { idTag }).catch(() => undefined);
    this.txPending = true;
    const r = await this.send("StartTransaction", { connectorId: 1, idTag, meterStart: Math.round(this.energyWh), timestamp: this.iso() });
    this.txPending = false;
    if (typeof r.transactionId === "number") this.transactionId = r.transactionId;
    this.evaluate();
  }

  async unplug(): Promise<void> {
    this.tick();
    this.plugged = false;
    if (this.transactionId !== null) await this.stopTransaction("EVDisconnected");
    this.setStatus("Available");
  }

  private async stopTransaction(reason: string): Promise<void> {
    const payload: Payload = {
      transactionId: this.transactionId!, meterStop: Math.round(this.energyWh), timestamp: this.iso(), reason, idTag: this.idTag ?? undefined,
      transactionData: [{ timestamp: this.iso(), sampledValue: [this.energySample("Transaction.End")] }],
    };
    if (payload.idTag === undefined) delete payload.idTag;
    this.transactionId = null;
    // The contactor opens with the transaction's end: the vehicle is offered nothing from now.
    this.tick();
    this.o.vehicle?.offer(0);
    this.setStatus("Finishing");
    await this.send("StopTransaction", payload).catch(() => undefined);
    if (this.faults.duplicateStop) await this.send("StopTransaction", payload).catch(() => undefined);
  }

  // ---- what the hub asks ----

  private handle(action: string, p: Payload): Payload {
    this.received.push({ action, payload: p });
    switch (action) {
      case "ChangeConfiguration":
        this.config.set(p.key as string, p.value as string);
        if (p.key === "MeterValueSampleInterval") this.scheduleMeter();
        return { status: "Accepted" };
      case "GetConfiguration": {
        const keys = (p.key as string[] | undefined) ?? [...this.config.keys()];
        return { configurationKey: keys.filter((k) => this.config.has(k)).map((k) => ({ key: k, readonly: false, value: this.config.get(k) })), unknownKey: keys.filter((k) => !this.config.has(k)) };
      }
      case "SetChargingProfile": {
        if (this.faults.rejectProfiles) return { status: "Rejected" };
        const cp = p.csChargingProfiles as Payload;
        const sched = cp.chargingSchedule as Payload;
        if (cp.chargingProfilePurpose === "TxProfile" && (this.transactionId === null || cp.transactionId !== this.transactionId)) return { status: "Rejected" };
        const start = sched.startSchedule ? Date.parse(sched.startSchedule as string) : this.o.clock.nowMs();
        const prof: Profile = {
          connectorId: p.connectorId as number, id: cp.chargingProfileId as number, stackLevel: cp.stackLevel as number, purpose: cp.chargingProfilePurpose as string,
          unit: sched.chargingRateUnit as "A" | "W", limit: (sched.chargingSchedulePeriod as Array<{ limit: number }>)[0]!.limit, startMs: start,
          ...(typeof cp.transactionId === "number" ? { transactionId: cp.transactionId } : {}),
          ...(typeof sched.duration === "number" ? { durationMs: sched.duration * 1000 } : {}),
        };
        // OCPP 1.6 §3.13.2: a profile with the same id, or the same stack level and purpose, replaces the old one.
        this.profiles = this.profiles.filter((x) => x.id !== prof.id && !(x.stackLevel === prof.stackLevel && x.purpose === prof.purpose && x.connectorId === prof.connectorId));
        this.profiles.push(prof);
        queueMicrotask(() => this.evaluate());
        return { status: "Accepted" };
      }
      case "ClearChargingProfile": {
        const before = this.profiles.length;
        this.profiles = this.profiles.filter((x) => !((p.id === undefined || x.id === p.id) && (p.chargingProfilePurpose === undefined || x.purpose === p.chargingProfilePurpose)));
        queueMicrotask(() => this.evaluate());
        return { status: this.profiles.length < before ? "Accepted" : "Unknown" };
      }
      case "TriggerMessage":
        queueMicrotask(() => {
          if (p.requestedMessage === "StatusNotification") void this.send("StatusNotification", { connectorId: 1, errorCode: "NoError", status: this.status }).catch(() => undefined);
          else if (p.requestedMessage === "BootNotification") this.boot();
          else if (p.requestedMessage === "MeterValues") this.sendMeterValues(true);
          else if (p.requestedMessage === "Heartbeat") void this.send("Heartbeat", {}).catch(() => undefined);
        });
        return { status: ["StatusNotification", "BootNotification", "MeterValues", "Heartbeat"].includes(p.requestedMessage as string) ? "Accepted" : "NotImplemented" };
      case "RemoteStartTransaction":
        if (!this.plugged || this.transactionId !== null) return { status: "Rejected" };
        queueMicrotask(() => void this.plugInAgain(p.idTag as string));
        return { status: "Accepted" };
      case "RemoteStopTransaction":
        if (p.transactionId !== this.transactionId) return { status: "Rejected" };
        queueMicrotask(() => { this.tick(); void this.stopTransaction("Remote").then(() => { if (this.plugged) this.setStatus("SuspendedEVSE"); }); });
        return { status: "Accepted" };
      case "Reset":
        queueMicrotask(() => { this.disconnect(); void this.connect().catch(() => undefined); });
        return { status: "Accepted" };
      case "ChangeAvailability":
        return { status: "Accepted" };
      case "UnlockConnector":
        return { status: this.plugged ? "Unlocked" : "NotSupported" };
      case "DataTransfer":
        return { status: "UnknownVendorId" };
      default:
        throw new OcppCallError("NotSupported", action);
    }
  }

  private async plugInAgain(idTag: string): Promise<void> {
    const r = await this.send("StartTransaction", { connectorId: 1, idTag, meterStart: Math.round(this.energyWh), timestamp: this.iso() });
    if (typeof r.transactionId === "number") this.transactionId = r.transactionId;
    this.evaluate();
  }

  // ---- physics ----

  /** The limit in force now, amperes: the highest valid stack level of the Tx profiles, capped by ChargePointMaxProfile. */
  effectiveLimitA(): number {
    const now = this.o.clock.nowMs();
    const v = this.o.voltageV ?? 230, ph = this.o.phases ?? 1;
    const valid = this.profiles.filter((x) => x.startMs <= now + 1000 && (x.durationMs === undefined || now < x.startMs + x.durationMs));
    const amps = (x: Profile) => (x.unit === "W" ? x.limit / (v * ph) : x.limit);
    const best = (purpose: string, ok: (x: Profile) => boolean) => valid.filter((x) => x.purpose === purpose && ok(x)).sort((a, b) => b.stackLevel - a.stackLevel)[0];
    const tx = this.transactionId !== null ? best("TxProfile", (x) => x.transactionId === this.transactionId) : undefined;
    const def = best("TxDefaultProfile", (x) => x.connectorId === 0 || x.connectorId === 1);
    const max = best("ChargePointMaxProfile", () => true);
    // Without the Smart Charging profile the charger offers its maximum.
    let a = this.smart ? (tx ? amps(tx) : def ? amps(def) : this.o.vehicleMaxA ?? 32) : this.o.vehicleMaxA ?? 32;
    if (max) a = Math.min(a, amps(max));
    return a;
  }

  private evaluate(): void {
    this.tick();
    const v = this.o.vehicle;
    const offered = this.plugged && this.transactionId !== null ? Math.min(this.effectiveLimitA(), this.o.vehicleMaxA ?? 32) : 0;
    v?.offer(offered >= 6 ? offered : 0);
    if (!this.plugged) return;
    if (this.transactionId === null) { if (!this.txPending) this.setStatus(this.status === "Finishing" ? "SuspendedEVSE" : this.status); return; }
    // A vehicle that takes nothing though current is offered (full battery) is SuspendedEV.
    this.setStatus(offered < 6 ? "SuspendedEVSE" : v && v.powerW() <= 0 ? "SuspendedEV" : "Charging");
  }

  private powerW(): number {
    if (this.o.vehicle) return this.o.vehicle.powerW();
    if (this.status !== "Charging") return 0;
    const a = Math.min(this.effectiveLimitA(), this.o.vehicleMaxA ?? 32);
    return a >= 6 ? a * (this.o.voltageV ?? 230) * (this.o.phases ?? 1) : 0;
  }

  /** Integrates power since the last tick on the simulated clock. */
  private tick(): void {
    if (this.o.vehicle) { this.energyWh = this.o.vehicle.energyWh(); return; }
    const now = this.o.clock.monotonicMs();
    this.energyWh += (this.powerW() * (now - this.lastTickMs)) / 3_600_000;
    this.lastTickMs = now;
  }

  private setStatus(s: string): void {
    if (s === this.status) return;
    this.status = s;
    void this.send("StatusNotification", { connectorId: 1, errorCode: "NoError", status: s, timestamp: this.iso() }).catch(() => undefined);
  }

  private scheduleMeter(): void {
    if (this.meterTimer) this.o.clock.clearTimeout(this.meterTimer);
    const every = Number(this.config.get("MeterValueSampleInterval") ?? 10) * 1000;
    const loop = () => {
      this.meterTimer = null;
      if (this.stopped) return;
      this.evaluate();
      this.sendMeterValues(false);
      this.meterTimer = this.o.clock.setTimeout(loop, every);
    };
    this.meterTimer = this.o.clock.setTimeout(loop, every);
  }

  private energySample(context: string): Payload {
    const s: Payload = { value: this.o.energyInKwhUnstated ? (this.energyWh / 1000).toFixed(3) : String(Math.round(this.energyWh)), context, measurand: "Energy.Active.Import.Register" };
    if (!this.o.energyInKwhUnstated) s.unit = "Wh";
    return s;
  }

  private sendMeterValues(triggered: boolean): void {
    const e = Math.round(this.energyWh);
    if (this.o.meterValuesOnlyOnChange && !triggered && e === this.lastSentEnergy) return;
    this.lastSentEnergy = e;
    const payload: Payload = {
      connectorId: 1,
      meterValue: [{ timestamp: this.iso(), sampledValue: [this.energySample(triggered ? "Trigger" : "Sample.Periodic"), { value: String(Math.round(this.powerW())), measurand: "Power.Active.Import", unit: "W", context: "Sample.Periodic" }] }],
    };
    if (this.transactionId !== null) payload.transactionId = this.transactionId;
    const go = () => void this.send("MeterValues", payload).catch(() => undefined);
    if (this.faults.lateMeterValuesMs > 0) this.o.clock.setTimeout(go, this.faults.lateMeterValuesMs);
    else go();
  }

  private iso(): string { return new Date(this.o.clock.nowMs()).toISOString(); }
}
