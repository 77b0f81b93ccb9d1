// Modbus drivers: chargers and meters on Modbus TCP, RTU (serial, under Bun) and RTU over TCP,
// described by register maps in drivers/devices. The engine sees only the core ports.
import { DEVICE_MAPS } from "../devices/index.ts";

export type { ModbusTransportConfig } from "./transport.ts";
export { describeTransport, TransportConfigError, validateTransport } from "./transport.ts";
export type { DeviceHealth } from "./device-health.ts";
export type { LinkOptions } from "./modbus-link.ts";
export { createMeter, checkMeterValues, type ModbusDeviceConfig, type ModbusMeter } from "./meter.ts";
export { createCharger, decodeChargerState, type ModbusCharger } from "./charger.ts";
export { decodeField, encodeField, registerCount, type FieldValue } from "./codec.ts";
export { planReads, MODBUS_MAX_READ_REGISTERS, type ReadBlock } from "./read-plan.ts";
export { modbusReadCommand } from "./read-command.ts";

export function listDeviceMaps(): { id: string; kind: "meter" | "charger"; vendor: string; model: string }[] {
  return DEVICE_MAPS.map((m) => ({ id: m.id, kind: m.kind, vendor: m.vendor, model: m.model }));
}
export * from "./field-reader.ts";
