// The register maps shipped with Offpeak, imported as JSON so `bun build --compile` carries them inside the hub's
// executable; each is checked by the same schema as a user's map when this module loads.
import abbTerraAcDoc from "./abb-terra-ac.json" with { type: "json" };
import alfenEveDoc from "./alfen-eve.json" with { type: "json" };
import eastronSdm120Doc from "./eastron-sdm120.json" with { type: "json" };
import eastronSdm630Doc from "./eastron-sdm630.json" with { type: "json" };
import offpeakSimEvseDoc from "./offpeak-sim-evse.json" with { type: "json" };
import { DeviceMapRegistry, type LoadedMap } from "./registry.ts";
import { parseDeviceMap } from "./schema.ts";

const DOCS: Record<string, unknown> = {
  "eastron-sdm120.json": eastronSdm120Doc,
  "eastron-sdm630.json": eastronSdm630Doc,
  "abb-terra-ac.json": abbTerraAcDoc,
  "alfen-eve.json": alfenEveDoc,
  "offpeak-sim-evse.json": offpeakSimEvseDoc,
};

export const SHIPPED_MAPS: readonly LoadedMap[] = Object.entries(DOCS).map(([name, doc]) => {
  const file = `drivers/devices/${name}`;
  return { map: parseDeviceMap(doc, file), file };
});

export const SHIPPED_REGISTRY = new DeviceMapRegistry(SHIPPED_MAPS);
