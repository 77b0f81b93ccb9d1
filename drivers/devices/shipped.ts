// The register maps shipped with Offpeak, imported as JSON so `bun build --compile` carries them inside the hub's
// executable. They are checked against the schema by the tests (schema.test.ts), not at every start: building the
// schemas would cost the hub about 3 MB for documents that cannot change after the build. Only the hex notation
// ("0x400C") is turned into numbers here.
import abbTerraAcDoc from "./abb-terra-ac.json" with { type: "json" };
import alfenEveDoc from "./alfen-eve.json" with { type: "json" };
import eastronSdm120Doc from "./eastron-sdm120.json" with { type: "json" };
import eastronSdm630Doc from "./eastron-sdm630.json" with { type: "json" };
import offpeakSimEvseDoc from "./offpeak-sim-evse.json" with { type: "json" };
import { DeviceMapRegistry, type LoadedMap } from "./registry.ts";
import type { DeviceMap } from "./types.ts";

/** The shipped documents by file name (schema.test.ts checks each against the schema and against fromShippedJson). */
export const SHIPPED_DOCS: Readonly<Record<string, unknown>> = {
  "eastron-sdm120.json": eastronSdm120Doc,
  "eastron-sdm630.json": eastronSdm630Doc,
  "abb-terra-ac.json": abbTerraAcDoc,
  "alfen-eve.json": alfenEveDoc,
  "offpeak-sim-evse.json": offpeakSimEvseDoc,
};

const hex = (v: unknown): unknown => (typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v) ? Number.parseInt(v.slice(2), 16) : v);

/** A shipped document as a DeviceMap: the same result as parseDeviceMap for a valid document, without zod. */
export function fromShippedJson(doc: unknown): DeviceMap {
  const { $schema: _s, fields, ...rest } = doc as DeviceMap & { $schema?: string };
  const out: Record<string, DeviceMap["fields"][string]> = {};
  for (const [name, f] of Object.entries(fields)) {
    out[name] = { ...f, address: hex(f.address) as number, ...(f.bits ? { bits: { shift: f.bits.shift, mask: hex(f.bits.mask) as number } } : {}) };
  }
  return { ...rest, fields: out } as DeviceMap;
}

export const SHIPPED_MAPS: readonly LoadedMap[] = Object.entries(SHIPPED_DOCS).map(([name, doc]) => ({ map: fromShippedJson(doc), file: `drivers/devices/${name}` }));

export const SHIPPED_REGISTRY = new DeviceMapRegistry(SHIPPED_MAPS);
