// The simulator's own EVSE register map (documented in docs/hardware.md). Holding registers from 0, one
// concern per register, so the whole status is one 30-register read.
import type { ChargerMap } from "./types.ts";

export const offpeakSimEvse: ChargerMap = {
  id: "offpeak-sim-evse",
  kind: "charger",
  vendor: "Offpeak",
  model: "Simulated EVSE",
  source: "Offpeak simulator EVSE map v1 (docs/hardware.md)",
  defaultUnitId: 1,
  maxRegistersPerRead: 125,
  maxGapRegisters: 10,
  fields: {
    state: { table: "holding", address: 0, type: "u16", description: "J1772 state: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F" },
    enabled: { table: "holding", address: 1, type: "u16", writable: true, description: "1 allows charging, 0 holds it" },
    currentLimit: { table: "holding", address: 2, type: "u16", scale: 0.1, unit: "A", writable: true, description: "Current offered to the PEV, 0.1 A" },
    maxCurrent: { table: "holding", address: 3, type: "u16", scale: 0.1, unit: "A", description: "Rated maximum current, 0.1 A" },
    power: { table: "holding", address: 4, type: "u32", unit: "W", description: "Charging power" },
    sessionEnergy: { table: "holding", address: 6, type: "u32", unit: "Wh", description: "Energy delivered this session" },
    voltage: { table: "holding", address: 8, type: "u16", scale: 0.1, unit: "V", description: "Supply voltage, 0.1 V" },
    vehicleId: { table: "holding", address: 10, type: "ascii", words: 9, description: "Vehicle identifier (VIN) reported by the PEV, NUL-padded" },
  },
  capabilities: {
    state: "state",
    stateValues: { "0": "A", "1": "B", "2": "C", "3": "D", "4": "E", "5": "F" },
    currentLimit: "currentLimit",
    currentLimitSetpoint: "currentLimit",
    enable: { kind: "register", field: "enabled", enabledValue: 1, disabledValue: 0, readField: "enabled" },
    power: "power",
    sessionEnergy: "sessionEnergy",
    vehicleId: "vehicleId",
  },
  limits: { minCurrentA: 6, maxCurrentA: 32, phases: 1, voltageV: 240 },
};
