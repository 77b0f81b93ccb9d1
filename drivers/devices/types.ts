// Device descriptions as data (design: "devices as small capability interfaces, device descriptions as data").
// A map names every register a model exposes and which capability each one serves; the Modbus driver
// reads and writes capabilities through it, so a new model is a new JSON file (drivers/devices/*.json shipped,
// <data_dir>/devices/*.json added by the user), never new driver code. schema.ts checks a file against these types.
import type { ChargerLimits, J1772State } from "../../core/ports/index.ts";

/** FC04 reads input registers, FC03 reads holding registers (which are also the writable ones). */
export type RegisterTable = "input" | "holding";
export type RegisterType = "u16" | "i16" | "u32" | "i32" | "float32" | "float64" | "ascii";
/** "high-first": the most significant word sits at the lower address (Modbus convention); "low-first": swapped. */
export type WordOrder = "high-first" | "low-first";
export type RegisterUnit = "V" | "A" | "W" | "kW" | "Wh" | "kWh" | "Hz" | "s" | "%" | "";

export interface RegisterField {
  table: RegisterTable;
  /** 0-based protocol address as sent on the wire (a "30073" documentation number is address 0x0048). */
  address: number;
  type: RegisterType;
  /** Register count, needed only for "ascii" (two characters per register). */
  words?: number;
  wordOrder?: WordOrder;
  /** Engineering value = raw × scale (e.g. 0.001 for a register in mA read as A). Default 1. */
  scale?: number;
  unit?: RegisterUnit;
  /** A field packed inside a wider register: value = (raw >> shift) & mask. */
  bits?: { shift: number; mask: number };
  writable?: boolean;
  description: string;
}

export interface MapCommon {
  /** Lower-case name used in the config (`map = "eastron-sdm120"`); unique across shipped and user maps. */
  id: string;
  /** Short names people type (`--map sdm630`), unique like ids. */
  aliases?: string[];
  vendor: string;
  model: string;
  /** Where the register numbers come from: document title and revision. */
  source: string;
  /** What the register table alone does not say: vendor-document remarks, quirks, bits not yet verified. */
  notes?: string[];
  defaultUnitId: number;
  /** Default serial settings of the device as shipped (the hobbyist's starting point). */
  serialDefaults?: { baudRate: number; parity: "none" | "even" | "odd"; stopBits: 1 | 2 };
  /** Largest read the device accepts, in registers (Modbus allows 125; some devices fewer). */
  maxRegistersPerRead?: number;
  /** Largest run of undocumented registers a coalesced read may span (0 when the device rejects them). */
  maxGapRegisters?: number;
  fields: Record<string, RegisterField>;
}

export interface MeterMap extends MapCommon {
  kind: "meter";
  /** Field names serving each capability. */
  capabilities: { power: string; energyImport: string; voltage?: string; current?: string; frequency?: string };
  /** A reading above this is not a measurement but garbage (wiring fault, decode error). */
  maxPlausiblePowerW: number;
}

/** How the EVSE is told to hold or allow charging. */
export type EnableControl =
  | { kind: "register"; field: string; enabledValue: number; disabledValue: number; /** a read-back of the same state, if any */ readField?: string }
  /** No enable register: holding = offering 0 A (the EVSE pauses below 6 A, IEC 61851). */
  | { kind: "zero-current" };

export interface ChargerMap extends MapCommon {
  kind: "charger";
  capabilities: {
    state: string;
    /** Raw state value → J1772 state. Values not listed decode to "F" with the raw value in the error log. */
    stateValues: Record<string, J1772State>;
    /** Raw ASCII state strings (e.g. Alfen "C2") are looked up in stateValues by the string itself. */
    currentLimit?: string;
    currentLimitSetpoint: string;
    enable: EnableControl;
    power?: string;
    sessionEnergy?: string;
    vehicleId?: string;
    /** A counter or transaction ID that changes at every plug-in (swap detection across a hub restart). */
    sessionCounter?: string;
  };
  limits: ChargerLimits;
  /** What the charger does when the hub stops talking to it (docs/hardware.md, "When the hub dies"). */
  failsafe?: ChargerFailsafe;
}

/**
 * A charger's communication-loss fallback, described as data: which registers set or show the timeout and the
 * current it falls back to, and what it then does. The EVSE actuator (issue 12) reads this to keep the timer fed.
 */
export interface ChargerFailsafe {
  /**
   * "setpoint-validity": the current setpoint expires unless rewritten, then a safe current applies (Alfen);
   * "communication-timeout": the charger watches for any Modbus traffic (ABB); "none": it keeps the last command.
   */
  mechanism: "setpoint-validity" | "communication-timeout" | "none";
  /** Field that sets (writable) or shows (read-only) the timeout, in seconds. */
  timeoutField?: string;
  /** Field holding the current the charger falls back to, in amperes. */
  safeCurrentField?: string;
  /** Field whose write restarts the timer, when only a particular write does. */
  keepAliveField?: string;
  /** How the timer is fed, in words. */
  keepAlive?: string;
  /** What the charger does when the timer runs out, in words. */
  onTimeout: string;
  /** True when taken from the vendor's own document; false when only reported by others. */
  verified: boolean;
  source: string;
}

export type DeviceMap = MeterMap | ChargerMap;
