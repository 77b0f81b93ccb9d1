// Test doubles for the hub's ports: a charger, meters whose register follows the clock, a utility and a PEV link.
import type { AuthenticationParameters, BindingStatus } from "../../core/binding/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { Charger, ChargerStatus, J1772State, Meter, MeterReading } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { W, Wh } from "../../core/units/index.ts";
import type { BindingAnswer, BindingRequest, CommittedStep, PevLinkPort, ReportSink, UtilityPort } from "./ports.ts";
import { UtilityUnreachable } from "./ports.ts";

export class FakeCharger implements Charger {
  readonly limits = { minCurrentA: 6, maxCurrentA: 32, phases: 1 as const, voltageV: 240 };
  state: J1772State = "A";
  enabled = false;
  currentA = 32;
  writes: string[] = [];
  /** A vehicle identifier the EVSE reports (EVCCID, RFID, VIN), if any. */
  vehicleId: string | undefined;
  /** The EVSE's own session counter, if it has one. */
  sessionId: string | undefined;
  async readStatus(): Promise<ChargerStatus> {
    const state = this.state === "B" && this.enabled ? "C" : this.state === "C" && !this.enabled ? "B" : this.state;
    return { state, enabled: this.enabled, currentLimitA: this.currentA, ...(this.vehicleId && state !== "A" ? { vehicleId: this.vehicleId } : {}), ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
  }
  async setEnabled(on: boolean) { this.enabled = on; this.writes.push(on ? "enable" : "hold"); }
  async setCurrentLimit(a: number) { this.currentA = a; }
  async close() {}
}

/** A meter whose register grows at `powerW` while `charging()` says so, integrated on the clock. */
export class FakeMeter implements Meter {
  private wh = 0;
  private lastMs: number;
  failing = false;
  constructor(private readonly clock: Clock, private readonly powerW: () => number, start = 0) {
    this.wh = start;
    this.lastMs = clock.nowMs();
  }
  async read(): Promise<MeterReading> {
    if (this.failing) throw new Error("Modbus timeout (test double)");
    const now = this.clock.nowMs();
    this.wh += (this.powerW() * (now - this.lastMs)) / 3_600_000;
    this.lastMs = now;
    return { energyWh: Math.floor(this.wh) as Wh, powerW: this.powerW() as W, at: this.clock.now() };
  }
  async close() {}
}

/** A utility that answers binding requests and, as a report sink, records what the hub staged for it. */
export class FakeUtility implements UtilityPort, ReportSink {
  down = false;
  answer: BindingStatus = "enrolled";
  requests: BindingRequest[] = [];
  acks: string[] = [];
  constructor(private readonly params: () => AuthenticationParameters) {}
  async validateBinding(req: BindingRequest): Promise<BindingAnswer> {
    this.requests.push(req);
    if (this.down) throw new UtilityUnreachable("connect ECONNREFUSED 127.0.0.1:8081 (test double)");
    const ok = this.answer === "enrolled" || this.answer === "guest" || this.answer === "roaming";
    return { status: this.answer, params: ok && req.path === "commissioning" ? this.params() : null, pevSecretHex: req.path === "commissioning" && ok ? "ab".repeat(32) : null };
  }
  reports: string[] = [];
  stage(step: CommittedStep) {
    for (const c of step.commands) {
      if (c.type === "utility.ack") this.acks.push(c.device);
      if (c.type === "session.report") this.reports.push(`${c.sessionId} r${c.revision}`);
    }
  }
  committed() {}
  credentialValid(): boolean { return true; }
}

export class FakePevLink implements PevLinkPort {
  calls: string[] = [];
  open(id: string) { this.calls.push(`open ${id}`); }
  close(id: string) { this.calls.push(`close ${id}`); }
  challenge(vin: Vin, secret: string | null) { this.calls.push(`challenge ${vin} ${secret ? "with-secret" : "no-secret"}`); }
  confirm(status: BindingStatus, _p: AuthenticationParameters | null, secret: string | null) { this.calls.push(`confirm ${status}${secret ? " +secret" : ""}`); }
}
