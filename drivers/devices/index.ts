// The device descriptions (register maps) as data: drivers/devices/*.json shipped, <data_dir>/devices/*.json added
// by the user and checked by schema.ts when the hub starts (the shipped ones are checked by the tests). Adding a device is a JSON file and no code (docs/hardware.md,
// "How to add a meter"); a shipped map also gets a test with vectors from the vendor's documentation (maps.test.ts).
import { join } from "node:path";
import type { DeviceMapRegistry } from "./registry.ts";
import { SHIPPED_MAPS, SHIPPED_REGISTRY } from "./shipped.ts";
import type { ChargerMap, DeviceMap, MeterMap } from "./types.ts";
import { loadUserMaps } from "./user-maps.ts";

export type * from "./types.ts";
export { DeviceMapError } from "./errors.ts";
export { DeviceMapRegistry, UnknownDeviceMapError, type LoadedMap } from "./registry.ts";
export { loadUserMaps } from "./user-maps.ts";
export { SHIPPED_MAPS, SHIPPED_REGISTRY };

/** The shipped maps (what a hub without a user folder knows). */
export const DEVICE_MAPS: readonly DeviceMap[] = SHIPPED_REGISTRY.maps;

/**
 * The maps a hub uses: the shipped ones plus every *.json in `<dataDir>/devices/`. Throws DeviceMapError naming the
 * file, the field and the reason when a user map is broken or takes a name already used.
 */
export async function loadDeviceMaps(dataDir: string | null): Promise<DeviceMapRegistry> {
  if (dataDir === null) return SHIPPED_REGISTRY;
  const user = await loadUserMaps(join(dataDir, "devices"));
  return user.length ? SHIPPED_REGISTRY.with(user) : SHIPPED_REGISTRY;
}

/** Checks one map document (a user's file) against the schema; loads the schema on first use. */
export async function parseDeviceMapText(text: string, file: string): Promise<DeviceMap> {
  return (await import("./schema.ts")).parseDeviceMapText(text, file);
}

export function findDeviceMap(id: string): DeviceMap | undefined { return SHIPPED_REGISTRY.find(id); }
export function getMeterMap(id: string): MeterMap { return SHIPPED_REGISTRY.meter(id); }
export function getChargerMap(id: string): ChargerMap { return SHIPPED_REGISTRY.charger(id); }

export const eastronSdm120: MeterMap = SHIPPED_REGISTRY.meter("eastron-sdm120");
export const eastronSdm630: MeterMap = SHIPPED_REGISTRY.meter("eastron-sdm630");
export const abbTerraAc: ChargerMap = SHIPPED_REGISTRY.charger("abb-terra-ac");
export const alfenEve: ChargerMap = SHIPPED_REGISTRY.charger("alfen-eve");
export const offpeakSimEvse: ChargerMap = SHIPPED_REGISTRY.charger("offpeak-sim-evse");
