// The simulated physical world: one EVSE, one PEV, the EUMD on the EVSE's circuit and the premises meter.
// Energy is integrated lazily and exactly from the Clock's monotonic time (piecewise: the PEV's power drops to
// zero the instant its battery is full), so a TestClock advanced by an hour gives the same Wh as real time.
import type { J1772State } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";

export interface SimPev {
  vin: string;
  /** Per-PEV secret (hex) the PEV link uses for challenge-response; optional. */
  secretHex?: string;
  /** What the vehicle presents at an OCPP charge point (an RFID card); default its Autocharge VID:<MAC>. */
  idTag?: string;
  batteryWh: number;
  socPct: number;
  maxPowerW: number;
  plugged: boolean;
}

export interface SimEvseState {
  state: J1772State;
  enabled: boolean;
  currentLimitA: number;
  maxCurrentA: number;
  voltageV: number;
  powerW: number;
  sessionWh: number;
  vehicleId: string;
  /** Plug-ins since the simulator started: the EVSE's session counter. */
  plugCount: number;
}

/**
 * What the simulated EUMD's register shows for `wh`: the SDM120 keeps kWh as a float32 and the hub rounds to whole
 * Wh. The simulated EVSE measures its session energy on the same circuit and reports it in the same resolution, so a
 * split between two vehicles adds up to the EUMD's register exactly.
 */
export const eumdRegisterWh = (wh: number): number => Math.round(Math.fround(wh / 1000) * 1000);

export const DEFAULT_PEV: Omit<SimPev, "plugged"> = { vin: "1N4AZ0CP5DC000001", batteryWh: 40_000, socPct: 30, maxPowerW: 7_200 };

export class SimWorld {
  private pevState: SimPev | null = null;
  private lastMs: number;
  private enabledNow = false;
  plugCount = 0;
  /** The EUMD's energy at the last plug-in: the EVSE's session energy is measured from it. */
  private plugEumdWh = 0;
  private readonly enableCallbacks: ((enabled: boolean) => void)[] = [];
  currentLimitA: number;
  /** Float watt-hours: the meters round only when a register is encoded, so nothing is lost between polls. */
  eumdWh = 0;
  premisesWh = 0;
  private readonly plugCallbacks: ((plugged: boolean, pev: SimPev | null, eumdWh: number) => void)[] = [];

  constructor(private readonly clock: Clock, readonly maxCurrentA = 32, readonly voltageV = 240, public houseLoadW = 800) {
    this.lastMs = clock.monotonicMs();
    this.currentLimitA = maxCurrentA;
  }

  /** `eumdWh`: the EUMD's energy at the very instant of the plug-in or unplug (before any more can flow). */
  onPlugChange(cb: (plugged: boolean, pev: SimPev | null, eumdWh: number) => void): void { this.plugCallbacks.push(cb); }
  /** Called on every change of the EVSE's output (the simulator's log: the EVSE never charges while held). */
  onEnableChange(cb: (enabled: boolean) => void): void { this.enableCallbacks.push(cb); }

  get enabled(): boolean { return this.enabledNow; }
  set enabled(on: boolean) {
    if (on === this.enabledNow) return;
    this.advance();
    this.enabledNow = on;
    for (const cb of this.enableCallbacks) cb(on);
  }

  pev(): SimPev | null {
    this.advance();
    return this.pevState ? { ...this.pevState } : null;
  }

  plug(pev: Partial<SimPev> = {}): void {
    this.advance();
    this.pevState = { ...DEFAULT_PEV, ...(this.pevState ?? {}), ...pev, plugged: true };
    this.plugEumdWh = this.eumdWh;
    this.plugCount++;
    this.emitPlug(true);
  }

  unplug(): void {
    this.advance();
    if (!this.pevState) return;
    this.pevState = { ...this.pevState, plugged: false };
    this.emitPlug(false);
  }

  /** Power the PEV draws right now: min(EVSE offer × voltage, PEV acceptance) while enabled and not full. */
  evPowerW(): number {
    const p = this.pevState;
    if (!p || !p.plugged || !this.enabled || p.socPct >= 100 || this.currentLimitA < 6) return 0;
    return Math.min(this.currentLimitA * this.voltageV, p.maxPowerW);
  }

  evse(): SimEvseState {
    this.advance();
    const p = this.pevState;
    const powerW = this.evPowerW();
    const state: J1772State = !p || !p.plugged ? "A" : powerW > 0 ? "C" : "B";
    const sessionWh = eumdRegisterWh(this.eumdWh) - eumdRegisterWh(this.plugEumdWh);
    return { state, enabled: this.enabled, currentLimitA: this.currentLimitA, maxCurrentA: this.maxCurrentA, voltageV: this.voltageV, powerW, sessionWh, vehicleId: p?.plugged ? p.vin : "", plugCount: this.plugCount };
  }

  /** The EVSE's session energy register restarts from zero (an injected reset). */
  resetSessionEnergy(): void { this.advance(); this.plugEumdWh = this.eumdWh; }

  premisesPowerW(): number { return this.houseLoadW + this.evPowerW(); }

  /** Integrates energy up to the clock's now. */
  advance(): void {
    const now = this.clock.monotonicMs();
    let dtMs = now - this.lastMs;
    this.lastMs = now;
    while (dtMs > 0) {
      const p = this.evPowerW();
      let stepMs = dtMs;
      if (p > 0) {
        const pev = this.pevState!;
        const remainingWh = (pev.batteryWh * (100 - pev.socPct)) / 100;
        const toFullMs = (remainingWh / p) * 3_600_000;
        stepMs = Math.min(dtMs, toFullMs);
        const e = (p * stepMs) / 3_600_000;
        pev.socPct = stepMs === toFullMs ? 100 : Math.min(100, pev.socPct + (e / pev.batteryWh) * 100);
        this.eumdWh += e;
      }
      this.premisesWh += ((this.houseLoadW + p) * stepMs) / 3_600_000;
      dtMs -= stepMs;
      if (stepMs <= 0) break;
    }
  }

  private emitPlug(plugged: boolean): void {
    const snapshot = this.pevState ? { ...this.pevState } : null;
    const eumdWh = this.eumdWh;
    for (const cb of this.plugCallbacks) cb(plugged, snapshot, eumdWh);
  }
}
