// Capability interfaces the hub's shell drives. Drivers (Modbus, Zigbee SE, simulator) implement them;
// the session engine sees only the events the shell derives from them, never a vendor or a wire.
import type { UtcSeconds } from "../time/utc.ts";
import type { W, Wh } from "../units/energy.ts";

/** SAE J1772 control-pilot states. A: no vehicle; B: connected, not charging; C/D: charging (D = ventilation); E/F: error. */
export type J1772State = "A" | "B" | "C" | "D" | "E" | "F";

export const isPluggedIn = (s: J1772State): boolean => s === "B" || s === "C" || s === "D";
export const isCharging = (s: J1772State): boolean => s === "C" || s === "D";

export interface ChargerStatus {
  state: J1772State;
  /** Whether the EVSE currently allows charging (false = held). */
  enabled: boolean;
  /** Current offered to the vehicle, amperes. */
  currentLimitA: number;
  /** Charging power if the EVSE measures it. */
  powerW?: W;
  /** A vehicle identifier the EVSE reports (ISO 15118 EVCCID, RFID tag, VIN), if any. */
  vehicleId?: string;
  /**
   * The EVSE's own session counter or transaction ID, if it has one: it changes at every plug-in, so a vehicle
   * swapped while the hub was down (or between two polls) is seen even when the state never showed A.
   */
  sessionId?: string;
  /** Energy the EVSE says it delivered in its current session, Wh, if it measures it. */
  sessionEnergyWh?: number;
}

export interface ChargerLimits { minCurrentA: number; maxCurrentA: number; phases: 1 | 3; voltageV: number }

/** The EVSE (charger) capability. */
export interface Charger {
  readonly limits: ChargerLimits;
  readStatus(): Promise<ChargerStatus>;
  /** Allow (true) or hold (false) charging. */
  setEnabled(enabled: boolean): Promise<void>;
  setCurrentLimit(amps: number): Promise<void>;
  close(): Promise<void>;
  /**
   * The charger's communication-loss fallback, when it has one (issue 12): `arm()` sets what can be set over the wire
   * (a timeout), so a dead hub leaves the charger in a documented state; `keepAliveMs` says how often the output must
   * be written again to keep a setpoint from expiring while the hub is alive (null when any poll feeds the timer).
   */
  readonly failsafe?: ChargerFailsafePort;
}

export interface ChargerFailsafePort {
  /** What the charger does when the hub goes quiet, in words (for the log). */
  readonly describe: string;
  readonly keepAliveMs: number | null;
  arm(): Promise<void>;
}

export interface MeterReading {
  /** Cumulative imported energy register. */
  energyWh: Wh;
  powerW: W;
  /** The meter gave no valid power (e.g. a Zigbee SE demand non-value): powerW is then 0 and is not a measurement. */
  powerUnknown?: true;
  /** When the reading was taken, UTC seconds. */
  at: UtcSeconds;
}

/** A meter capability: the EUMD sub-meter or the premises meter. */
export interface Meter {
  read(): Promise<MeterReading>;
  close(): Promise<void>;
}

/** Raised by drivers for any device fault; the shell turns it into an engine event, never a crash. */
export class DeviceError extends Error {
  constructor(readonly device: string, readonly kind: "timeout" | "exception" | "malformed" | "disconnected" | "garbage" | "config", detail: string) {
    super(`${device}: ${kind}: ${detail}`);
    this.name = "DeviceError";
  }
}
