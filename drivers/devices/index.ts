// The registry of supported devices. Adding a device: a map file beside this one, one line below, and a
// test with vectors from the vendor's documentation (see docs/hardware.md, "How to add a device").
import { abbTerraAc } from "./abb-terra-ac.ts";
import { alfenEve } from "./alfen-eve.ts";
import { eastronSdm120 } from "./eastron-sdm120.ts";
import { eastronSdm630 } from "./eastron-sdm630.ts";
import { offpeakSimEvse } from "./offpeak-sim-evse.ts";
import type { ChargerMap, DeviceMap, MeterMap } from "./types.ts";

export type * from "./types.ts";

export const DEVICE_MAPS: readonly DeviceMap[] = [eastronSdm120, eastronSdm630, abbTerraAc, alfenEve, offpeakSimEvse];

/** Short names people type (`--map sdm630`) as well as full ids. */
const ALIASES: Record<string, string> = { sdm120: "eastron-sdm120", sdm630: "eastron-sdm630", abb: "abb-terra-ac", "terra-ac": "abb-terra-ac", alfen: "alfen-eve", sim: "offpeak-sim-evse" };

export class UnknownDeviceMapError extends Error {
  constructor(readonly requested: string, readonly expectedKind?: "meter" | "charger") {
    const known = DEVICE_MAPS.filter((m) => !expectedKind || m.kind === expectedKind).map((m) => m.id).join(", ");
    super(`unknown ${expectedKind ?? "device"} map ${JSON.stringify(requested)}: known maps are ${known}`);
    this.name = "UnknownDeviceMapError";
  }
}

export function findDeviceMap(id: string): DeviceMap | undefined {
  const key = ALIASES[id.toLowerCase()] ?? id.toLowerCase();
  return DEVICE_MAPS.find((m) => m.id === key);
}

export function getMeterMap(id: string): MeterMap {
  const m = findDeviceMap(id);
  if (!m || m.kind !== "meter") throw new UnknownDeviceMapError(id, "meter");
  return m;
}

export function getChargerMap(id: string): ChargerMap {
  const m = findDeviceMap(id);
  if (!m || m.kind !== "charger") throw new UnknownDeviceMapError(id, "charger");
  return m;
}

export { abbTerraAc, alfenEve, eastronSdm120, eastronSdm630, offpeakSimEvse };
