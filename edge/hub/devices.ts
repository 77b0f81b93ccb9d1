// Builds the charger and meter ports from the hub's config. Device descriptions are data (drivers/devices);
// this file only maps config keys to driver options.
import type { Charger, Meter } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { ModbusTransportConfig } from "../../drivers/modbus/index.ts";

// The Modbus stack is loaded only when a Modbus device is configured: it is most of an idle hub's memory.
const modbus = () => import("../../drivers/modbus/index.ts");
import type { DeviceConfig } from "../config/schema.ts";

type ModbusTransportSetting = Extract<DeviceConfig, { driver: "modbus" }>["transport"];

export function transportOf(t: ModbusTransportSetting): ModbusTransportConfig {
  switch (t.kind) {
    case "tcp":
    case "rtu-over-tcp":
      return { kind: t.kind, host: t.host, port: t.port, unitId: t.unit_id, timeoutMs: t.timeout_ms };
    case "rtu":
      return { kind: "rtu", path: t.path, baudRate: t.baud_rate, parity: t.parity, stopBits: t.stop_bits, unitId: t.unit_id, timeoutMs: t.timeout_ms };
  }
}

export class DeviceConfigError extends Error {}

export async function chargerFrom(cfg: DeviceConfig, key: string, deps: { clock: Clock; log: (l: string) => void }): Promise<Charger | null> {
  if (cfg.driver === "none") return null;
  if (cfg.driver === "zigbee") throw new DeviceConfigError(`${key}: Zigbee chargers are not supported; use a Modbus charger (see docs/hardware.md)`);
  return (await modbus()).createCharger({ transport: transportOf(cfg.transport), map: cfg.map, name: key }, deps);
}

export async function meterFrom(cfg: DeviceConfig, key: string, deps: { clock: Clock; log: (l: string) => void }, zigbee?: (ieee: string, endpoint: number) => Meter): Promise<Meter | null> {
  if (cfg.driver === "none") return null;
  if (cfg.driver === "zigbee") {
    if (!zigbee) throw new DeviceConfigError(`${key}: a Zigbee meter needs the Zigbee coordinator configured ([zigbee] in the config)`);
    return zigbee(cfg.ieee, cfg.endpoint);
  }
  return (await modbus()).createMeter({ transport: transportOf(cfg.transport), map: cfg.map, name: key }, deps);
}
