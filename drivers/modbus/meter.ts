// A Meter (EUMD or premises meter) over Modbus, described by a meter map. Rejects values that cannot be
// measurements; an energy register that goes backwards is NOT rejected: it is what a meter reset looks like,
// and the session engine must see it to flag it (no energy lost or double-counted).
import { DeviceError, type Meter, type MeterReading } from "../../core/ports/index.ts";
import { watts, wh, type W, type Wh } from "../../core/units/index.ts";
import { getMeterMap } from "../devices/index.ts";
import type { DeviceMap, MeterMap } from "../devices/types.ts";
import type { FieldValue } from "./codec.ts";
import type { DeviceHealth } from "./device-health.ts";
import { FieldReader } from "./field-reader.ts";
import { ModbusLink, type LinkDeps, type LinkOptions } from "./modbus-link.ts";
import { describeTransport, type ModbusTransportConfig } from "./transport.ts";

export interface ModbusDeviceConfig {
  transport: ModbusTransportConfig;
  /** A shipped map's id or alias (e.g. "eastron-sdm120" or "sdm120"), or a map the hub resolved itself (user maps). */
  map: string | DeviceMap;
  /** Name used in errors and log lines; default "<map>@<transport>". */
  name?: string;
  link?: LinkOptions;
}

export type ModbusMeter = Meter & DeviceHealth & { readonly map: MeterMap; readonly name: string };

export function toWatts(v: FieldValue, unit: string | undefined): number {
  return unit === "kW" ? Number(v) * 1000 : Number(v);
}
export function toWattHours(v: FieldValue, unit: string | undefined): number {
  return unit === "kWh" ? Number(v) * 1000 : Number(v);
}

/** Checks a decoded reading; throws DeviceError("garbage") naming the device and the reason. */
export function checkMeterValues(device: string, map: MeterMap, powerW: number, energyWh: number): { powerW: W; energyWh: Wh } {
  if (!Number.isFinite(energyWh)) throw new DeviceError(device, "garbage", `energy register is ${energyWh}, not a number`);
  if (energyWh < 0) throw new DeviceError(device, "garbage", `energy register is negative (${energyWh} Wh)`);
  if (!Number.isFinite(powerW)) throw new DeviceError(device, "garbage", `power is ${powerW}, not a number`);
  if (Math.abs(powerW) > map.maxPlausiblePowerW) throw new DeviceError(device, "garbage", `power ${Math.round(powerW)} W is beyond what a ${map.model} can measure (${map.maxPlausiblePowerW} W)`);
  return { powerW: watts(powerW), energyWh: wh(Math.round(energyWh)) };
}

export function createMeter(cfg: ModbusDeviceConfig, deps: LinkDeps): ModbusMeter {
  const map = typeof cfg.map === "string" ? getMeterMap(cfg.map) : cfg.map;
  if (map.kind !== "meter") throw new DeviceError(cfg.name ?? map.id, "config", `map ${map.id} describes a ${map.kind}, not a meter`);
  const name = cfg.name ?? `${map.id}@${describeTransport(cfg.transport)}`;
  const link = new ModbusLink(name, cfg.transport, deps, cfg.link);
  const cap = map.capabilities;
  const reader = new FieldReader(link, map, [cap.power, cap.energyImport]);
  let lastEnergy: number | undefined;

  const meter: ModbusMeter = {
    map,
    name,
    get online() { return link.online; },
    get lastError() { return link.lastError; },
    get lastOkAt() { return link.lastOkAt; },
    onHealthChange: (cb) => link.onHealthChange(cb),
    async read(): Promise<MeterReading> {
      const v = await reader.read();
      const at = deps.clock.now();
      const { powerW, energyWh } = checkMeterValues(name, map,
        toWatts(v[cap.power]!, map.fields[cap.power]!.unit), toWattHours(v[cap.energyImport]!, map.fields[cap.energyImport]!.unit));
      if (lastEnergy !== undefined && energyWh < lastEnergy) {
        deps.log?.(`modbus ${name}: energy register went backwards from ${lastEnergy} Wh to ${energyWh} Wh (meter reset or replaced)`);
      }
      lastEnergy = energyWh;
      return { energyWh, powerW, at };
    },
    close: () => link.close(),
  };
  return meter;
}
