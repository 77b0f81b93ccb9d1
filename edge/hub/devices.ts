// Builds the charger and meter ports from the hub's config. Device descriptions are data (drivers/devices: the
// shipped maps plus the user's <data_dir>/devices/*.json); this file only maps config keys to driver options.
import { join } from "node:path";
import type { Charger, Meter } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { DeviceMapRegistry } from "../../drivers/devices/index.ts";
import type { ModbusTransportConfig } from "../../drivers/modbus/index.ts";
import type { ChargerConfig, DeviceConfig, HubConfig } from "../config/schema.ts";
import { ConfigError } from "../config/load.ts";
import type { OcppLink } from "./ocpp-link.ts";

// The Modbus stack is loaded only when a Modbus device is configured: it is most of an idle hub's memory.
const modbus = () => import("../../drivers/modbus/index.ts");
const deviceMaps = () => import("../../drivers/devices/index.ts");
// Likewise the OCPP central system (and its JSON schemas), only when the charger is an OCPP one.
const ocppLinkModule = () => import("./ocpp-link.ts");

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

interface DeviceDeps {
  clock: Clock;
  log: (l: string) => void;
  /** Register maps to resolve `map` in; default: the shipped ones. */
  maps?: DeviceMapRegistry;
  /** The data folder user maps come from, for messages. */
  mapsDir?: string;
}

/**
 * The register maps this hub knows: the shipped ones plus every *.json in `<data_dir>/devices/`, read once at start
 * and only when a Modbus device is configured. A broken user map stops the start: ConfigError naming the file,
 * the field and the reason.
 */
export async function hubDeviceMaps(config: HubConfig, log?: (l: string) => void): Promise<DeviceMapRegistry | undefined> {
  const d = config.devices;
  if (![d.charger, d.eumd, d.premises_meter, ...config.charge_points.flatMap((cp) => [cp.charger, cp.eumd])].some((c) => c.driver === "modbus")) return undefined;
  const { loadDeviceMaps, DeviceMapError, SHIPPED_REGISTRY } = await deviceMaps();
  try {
    const maps = await loadDeviceMaps(config.hub.data_dir);
    const added = maps.maps.length - SHIPPED_REGISTRY.maps.length;
    if (added > 0) log?.(`hub: ${added} register map${added > 1 ? "s" : ""} from ${join(config.hub.data_dir, "devices")}: ${maps.maps.slice(-added).map((m) => m.id).join(", ")}`);
    return maps;
  } catch (e) {
    if (e instanceof DeviceMapError) throw new ConfigError(join(config.hub.data_dir, "devices"), e.lines);
    throw e;
  }
}

/** The config's `map` resolved in the hub's maps; an unknown name is a ConfigError naming the key and the nearest map. */
async function resolveMap(cfg: Extract<DeviceConfig, { driver: "modbus" }>, key: string, kind: "meter" | "charger", deps: DeviceDeps, source: string) {
  const { SHIPPED_REGISTRY, UnknownDeviceMapError } = await deviceMaps();
  const maps = deps.maps ?? SHIPPED_REGISTRY;
  try {
    return kind === "meter" ? maps.meter(cfg.map, `${key}.map`) : maps.charger(cfg.map, `${key}.map`);
  } catch (e) {
    if (e instanceof UnknownDeviceMapError) throw new ConfigError(source, [e.message, `a map of your own goes in ${join(deps.mapsDir ?? "<data_dir>", "devices")}/*.json (docs/hardware.md, "How to add a meter")`]);
    throw e;
  }
}

/** The OCPP central system with the hub's OCPP charge points, when any charger is an OCPP one; otherwise null. */
export async function ocppLinkFrom(config: HubConfig, deps: { clock: Clock; log: (l: string) => void }): Promise<OcppLink | null> {
  const c = config.devices.charger;
  const chargers = [
    ...(c.driver === "ocpp" ? [{ key: null, config: c }] : []),
    ...config.charge_points.flatMap((cp) => (cp.charger.driver === "ocpp" ? [{ key: cp.id, config: cp.charger }] : [])),
  ];
  if (!chargers.length) return null;
  const { OcppLink } = await ocppLinkModule();
  return OcppLink.start({
    chargers, ocpp: config.ocpp, dataDir: config.hub.data_dir, clock: deps.clock, log: deps.log,
    // Without the hub the charger charges as the fallback does when it says "charge now": at the hub's maximum.
    fallbackLimitA: config.session.max_current_a,
  });
}

/** `chargePoint`: the hub's charge point the charger belongs to (null: [devices.charger]; else its [[charge_points]] id). */
export async function chargerFrom(cfg: ChargerConfig, key: string, deps: DeviceDeps, source = "the configuration", ocpp: OcppLink | null = null, chargePoint: string | null = null): Promise<Charger | null> {
  if (cfg.driver === "none") return null;
  if (cfg.driver === "ocpp") {
    if (!ocpp) throw new DeviceConfigError(`${key}: the OCPP central system is not running`);
    return ocpp.chargerFor(chargePoint);
  }
  if (cfg.driver === "zigbee") throw new DeviceConfigError(`${key}: Zigbee chargers are not supported; use a Modbus charger (see docs/hardware.md)`);
  const map = await resolveMap(cfg, key, "charger", deps, source);
  return (await modbus()).createCharger({ transport: transportOf(cfg.transport), map, name: key }, deps);
}

export async function meterFrom(cfg: DeviceConfig, key: string, deps: DeviceDeps, zigbee?: (ieee: string, endpoint: number) => Meter, source = "the configuration"): Promise<Meter | null> {
  if (cfg.driver === "none") return null;
  if (cfg.driver === "zigbee") {
    if (!zigbee) throw new DeviceConfigError(`${key}: a Zigbee meter needs the Zigbee coordinator configured ([zigbee] in the config)`);
    return zigbee(cfg.ieee, cfg.endpoint);
  }
  const map = await resolveMap(cfg, key, "meter", deps, source);
  return (await modbus()).createMeter({ transport: transportOf(cfg.transport), map, name: key }, deps);
}
