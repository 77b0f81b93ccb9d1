// Alfen Eve (NG9xx platform) with the Active Load Balancing licence, socket slave (unit 1). Source: Alfen
// "Implementation of Modbus Slave TCP/IP for Alfen NG9xx platform": socket measurements 300-425 and status and
// transaction registers 1200-1215, all holding registers (FC03, writes FC16), floats high word first.
// There is no enable register: charging pauses when the Modbus max current is below 6 A.
import type { ChargerMap } from "./types.ts";

const f32 = (address: number, unit: ChargerMap["fields"][string]["unit"], description: string, writable = false) =>
  ({ table: "holding", address, type: "float32", wordOrder: "high-first", unit, writable, description }) as const;

export const alfenEve: ChargerMap = {
  id: "alfen-eve",
  kind: "charger",
  vendor: "Alfen",
  model: "Eve Single / Double (NG9xx)",
  source: "Alfen Implementation of Modbus Slave TCP/IP for NG9xx platform (socket registers 300-425, 1200-1215)",
  defaultUnitId: 1,
  maxRegistersPerRead: 125,
  maxGapRegisters: 0,
  fields: {
    voltageL1: f32(306, "V", "Voltage phase L1-N (306)"),
    currentL1: f32(320, "A", "Current phase L1 (320)"),
    realPowerSum: f32(344, "W", "Real power sum (344)"),
    realEnergyDelivered: { table: "holding", address: 374, type: "float64", wordOrder: "high-first", unit: "Wh", description: "Real energy delivered sum (374)" },
    availability: { table: "holding", address: 1200, type: "u16", description: "Availability: 1 operative, 0 inoperative (1200)" },
    mode3State: { table: "holding", address: 1201, type: "ascii", words: 5, description: "Mode 3 state, IEC 61851 (1201)" },
    actualMaxCurrent: f32(1206, "A", "Actual applied max current (1206)"),
    maxCurrentValidTime: { table: "holding", address: 1208, type: "u32", unit: "s", description: "Modbus slave max current valid time (1208)" },
    modbusMaxCurrent: f32(1210, "A", "Modbus slave max current (1210)", true),
    safeCurrent: f32(1212, "A", "Active load balancing safe current (1212)"),
    phases: { table: "holding", address: 1215, type: "u16", writable: true, description: "Charge using 1 or 3 phases (1215)" },
  },
  capabilities: {
    state: "mode3State",
    stateValues: { A: "A", B1: "B", B2: "B", C1: "B", C2: "C", D1: "B", D2: "D", E: "E", F: "F" },
    currentLimit: "actualMaxCurrent",
    currentLimitSetpoint: "modbusMaxCurrent",
    enable: { kind: "zero-current" },
    power: "realPowerSum",
  },
  limits: { minCurrentA: 6, maxCurrentA: 32, phases: 3, voltageV: 230 },
};
