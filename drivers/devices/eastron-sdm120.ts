// Eastron SDM120-Modbus single-phase meter. Source: Eastron "SDM120 Modbus protocol" (input registers, FC04),
// every parameter an IEEE 754 float32 in two registers, high word first. Documentation numbers 3xxxx are
// 1-based; the addresses here are the hex start addresses of the same table (30001 → 0x0000).
import type { MeterMap } from "./types.ts";

const f = (address: number, unit: MeterMap["fields"][string]["unit"], description: string) =>
  ({ table: "input", address, type: "float32", wordOrder: "high-first", unit, description }) as const;

export const eastronSdm120: MeterMap = {
  id: "eastron-sdm120",
  kind: "meter",
  vendor: "Eastron",
  model: "SDM120-Modbus",
  source: "Eastron SDM120 Modbus protocol, input register table (30001-30343)",
  defaultUnitId: 1,
  serialDefaults: { baudRate: 2400, parity: "none", stopBits: 1 },
  // "Each request for data must be restricted to 30 parameters or less" (= 60 registers).
  maxRegistersPerRead: 60,
  maxGapRegisters: 10,
  fields: {
    voltage: f(0x0000, "V", "Line to neutral voltage (30001)"),
    current: f(0x0006, "A", "Current (30007)"),
    activePower: f(0x000c, "W", "Active power (30013)"),
    apparentPower: f(0x0012, "", "Apparent power, VA (30019)"),
    reactivePower: f(0x0018, "", "Reactive power, VAr (30025)"),
    powerFactor: f(0x001e, "", "Power factor (30031)"),
    frequency: f(0x0046, "Hz", "Frequency (30071)"),
    importActiveEnergy: f(0x0048, "kWh", "Import active energy (30073)"),
    exportActiveEnergy: f(0x004a, "kWh", "Export active energy (30075)"),
    totalActiveEnergy: f(0x0156, "kWh", "Total active energy (30343)"),
  },
  capabilities: { power: "activePower", energyImport: "importActiveEnergy", voltage: "voltage", current: "current", frequency: "frequency" },
  // 45 A maximum current at 230 V, with margin: anything above is a decode or wiring fault.
  maxPlausiblePowerW: 15_000,
};
