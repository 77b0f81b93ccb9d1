// The device simulator: a virtual EVSE, PEV, EUMD and premises meter on real Modbus TCP (and RTU on a tty).
export { startSimulator, SIM_UNITS, type SimOptions, type Simulator, type SimScriptStep, type SimTarget } from "./simulator.ts";
export type { SimPev, SimEvseState } from "./world.ts";
export { DEFAULT_PEV, eumdRegisterWh } from "./world.ts";
export type { FaultKind, FaultSpec } from "./faults.ts";
export { FAULT_KINDS, LIE_WORDS } from "./faults.ts";
export { simCommand } from "./sim-command.ts";
export { simControlApp } from "./control-api.ts";
export { startModbusRtuServer, crcFrame, type ModbusRtuServer, type RtuServerOptions } from "./rtu-server.ts";
export { SimDevice } from "./sim-device.ts";
export { SimChargePoint, type SimChargePointOptions, type SimChargePointVehicle } from "./ocpp-charge-point.ts";
export { autochargeTagOf, idTagOf, SimOcppWorld, type SimOcppOptions } from "./ocpp-world.ts";
