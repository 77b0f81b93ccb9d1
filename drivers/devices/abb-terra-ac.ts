// ABB Terra AC wallbox. Source: ABB "TACWB Modbus Communication" (Modbus RTU - RS485 and TCP/IP), registers
// 4000h-4010h read with FC03, 4100h-4106h written with FC06/FC16; 32-bit values high word first.
// The charging state sits in bits 8-14 of the low word of 400Ch: 0 A idle, 1 B1 (plugged, pending authorisation),
// 2 B2 (plugged, EVSE ready), 3 C1 (EV ready, PWM off), 4 C2 (charging), 5 other.
import type { ChargerMap } from "./types.ts";

export const abbTerraAc: ChargerMap = {
  id: "abb-terra-ac",
  kind: "charger",
  vendor: "ABB",
  model: "Terra AC wallbox",
  source: "ABB TACWB Modbus Communication, 10M1003 (registers 4000h-4106h)",
  defaultUnitId: 1,
  serialDefaults: { baudRate: 9600, parity: "even", stopBits: 1 },
  maxRegistersPerRead: 125,
  maxGapRegisters: 4,
  fields: {
    serialNumber: { table: "holding", address: 0x4000, type: "ascii", words: 4, description: "Serial number (4000h)" },
    firmwareVersion: { table: "holding", address: 0x4004, type: "u32", description: "Firmware version (4004h)" },
    maxRatedCurrent: { table: "holding", address: 0x4006, type: "u32", scale: 0.001, unit: "A", description: "Max rated/settable current (4006h)" },
    errorCode: { table: "holding", address: 0x4008, type: "u32", description: "Error code (4008h)" },
    socketLockState: { table: "holding", address: 0x400a, type: "u32", description: "Socket lock state (400Ah)" },
    chargingState: { table: "holding", address: 0x400c, type: "u32", bits: { shift: 8, mask: 0x7f }, description: "Charging state, bits 8-14 (400Ch)" },
    chargingCurrentLimit: { table: "holding", address: 0x400e, type: "u32", scale: 0.001, unit: "A", description: "Charging current limit in force (400Eh)" },
    currentL1: { table: "holding", address: 0x4010, type: "u32", scale: 0.001, unit: "A", description: "Charging current L1 (4010h)" },
    voltageL1: { table: "holding", address: 0x4016, type: "u32", scale: 0.1, unit: "V", description: "Voltage L1 (4016h)" },
    activePower: { table: "holding", address: 0x401c, type: "u32", unit: "W", description: "Active power (401Ch)" },
    sessionEnergy: { table: "holding", address: 0x401e, type: "u32", unit: "Wh", description: "Energy delivered in the charging session (401Eh)" },
    setCurrentLimit: { table: "holding", address: 0x4100, type: "u32", scale: 0.001, unit: "A", writable: true, description: "Set charging current limit (4100h)" },
    startStopSession: { table: "holding", address: 0x4105, type: "u16", writable: true, description: "Start (0) / stop (1) charging session (4105h)" },
  },
  capabilities: {
    state: "chargingState",
    stateValues: { "0": "A", "1": "B", "2": "B", "3": "B", "4": "C", "5": "E" },
    currentLimit: "chargingCurrentLimit",
    currentLimitSetpoint: "setCurrentLimit",
    enable: { kind: "register", field: "startStopSession", enabledValue: 0, disabledValue: 1 },
    power: "activePower",
    sessionEnergy: "sessionEnergy",
  },
  limits: { minCurrentA: 6, maxCurrentA: 32, phases: 3, voltageV: 230 },
};
