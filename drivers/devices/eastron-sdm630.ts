// Eastron SDM630-Modbus three-phase meter. Source: Eastron "SDM630 Modbus protocol" V2 (input registers, FC04,
// float32 high word first). Usable as the EUMD or as the premises (whole-home) meter.
import type { MeterMap } from "./types.ts";

const f = (address: number, unit: MeterMap["fields"][string]["unit"], description: string) =>
  ({ table: "input", address, type: "float32", wordOrder: "high-first", unit, description }) as const;

export const eastronSdm630: MeterMap = {
  id: "eastron-sdm630",
  kind: "meter",
  vendor: "Eastron",
  model: "SDM630-Modbus",
  source: "Eastron SDM630 Modbus protocol V2, input register table (30001-30343)",
  defaultUnitId: 1,
  serialDefaults: { baudRate: 9600, parity: "none", stopBits: 1 },
  maxRegistersPerRead: 60,
  maxGapRegisters: 10,
  fields: {
    voltageL1: f(0x0000, "V", "Phase 1 line to neutral volts (30001)"),
    voltageL2: f(0x0002, "V", "Phase 2 line to neutral volts (30003)"),
    voltageL3: f(0x0004, "V", "Phase 3 line to neutral volts (30005)"),
    currentL1: f(0x0006, "A", "Phase 1 current (30007)"),
    currentL2: f(0x0008, "A", "Phase 2 current (30009)"),
    currentL3: f(0x000a, "A", "Phase 3 current (30011)"),
    powerL1: f(0x000c, "W", "Phase 1 power (30013)"),
    powerL2: f(0x000e, "W", "Phase 2 power (30015)"),
    powerL3: f(0x0010, "W", "Phase 3 power (30017)"),
    totalSystemPower: f(0x0034, "W", "Total system power (30053)"),
    frequency: f(0x0046, "Hz", "Frequency of supply voltages (30071)"),
    importActiveEnergy: f(0x0048, "kWh", "Total import kWh (30073)"),
    exportActiveEnergy: f(0x004a, "kWh", "Total export kWh (30075)"),
    totalActiveEnergy: f(0x0156, "kWh", "Total kWh (30343)"),
  },
  capabilities: { power: "totalSystemPower", energyImport: "importActiveEnergy", voltage: "voltageL1", current: "currentL1", frequency: "frequency" },
  // 100 A per phase direct connection × 3 × 230 V ≈ 69 kW; above that is garbage.
  maxPlausiblePowerW: 80_000,
};
