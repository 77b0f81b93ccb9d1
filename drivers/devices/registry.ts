// The set of register maps a hub knows: the shipped ones plus the user's (<data_dir>/devices/*.json), found by id
// or alias. A user map may add a model but never replace a shipped one: a name used twice is an error naming both
// files, so what "sdm630" means never depends on what happens to be in a folder (to change a shipped map, copy it
// under a new id and point the config at that id).
import { nearestName } from "../../core/cli/index.ts";
import { DeviceMapError } from "./errors.ts";
import type { ChargerMap, DeviceMap, MeterMap } from "./types.ts";

export interface LoadedMap { map: DeviceMap; file: string }

export class UnknownDeviceMapError extends Error {
  constructor(readonly requested: string, readonly expectedKind: "meter" | "charger" | undefined, registry: DeviceMapRegistry, where?: string) {
    const pool = registry.maps.filter((m) => !expectedKind || m.kind === expectedKind);
    const what = expectedKind ?? "device";
    const aliases = pool.flatMap((m) => m.aliases ?? []);
    const other = registry.find(requested);
    const hint = other
      ? `; ${JSON.stringify(requested)} is a ${other.kind} map (${other.id})`
      : ((s) => (s ? `; did you mean ${JSON.stringify(s)}?` : ""))(nearestName(requested, pool.flatMap((m) => [m.id, ...(m.aliases ?? [])])));
    super(`${where ? `${where}: ` : ""}unknown ${what} map ${JSON.stringify(requested)}: known maps are ${pool.map((m) => m.id).join(", ")}${aliases.length ? ` (aliases ${aliases.join(", ")})` : ""}${hint}`);
    this.name = "UnknownDeviceMapError";
  }
}

export class DeviceMapRegistry {
  private readonly byName = new Map<string, LoadedMap>();
  private readonly entries: LoadedMap[] = [];

  constructor(entries: readonly LoadedMap[]) {
    const problems: { file: string; problem: string }[] = [];
    for (const e of entries) {
      const taken = [e.map.id, ...(e.map.aliases ?? [])].map((n) => [n, this.byName.get(n)] as const).filter(([, other]) => other);
      if (taken.length) {
        for (const [n, other] of taken) problems.push({ file: e.file, problem: `${n === e.map.id ? "id" : "alias"} ${JSON.stringify(n)} is already used by ${other!.file} (a map cannot replace another: give it a new id)` });
        continue;
      }
      this.entries.push(e);
      for (const n of [e.map.id, ...(e.map.aliases ?? [])]) this.byName.set(n, e);
    }
    const [first, ...rest] = problems.map((p) => new DeviceMapError(p.file, [p.problem]));
    if (first) throw new DeviceMapError(first.file, first.problems, rest);
  }

  get maps(): DeviceMap[] { return this.entries.map((e) => e.map); }

  /** By id or alias, case-insensitively. */
  find(name: string): DeviceMap | undefined { return this.byName.get(name.toLowerCase())?.map; }

  /** The file a map came from, for messages ("drivers/devices/eastron-sdm120.json", "<data_dir>/devices/x.json"). */
  fileOf(name: string): string | undefined { return this.byName.get(name.toLowerCase())?.file; }

  /** `where` names the config key that asked (e.g. "devices.eumd.map") in the error. */
  meter(name: string, where?: string): MeterMap {
    const m = this.find(name);
    if (!m || m.kind !== "meter") throw new UnknownDeviceMapError(name, "meter", this, where);
    return m;
  }

  charger(name: string, where?: string): ChargerMap {
    const m = this.find(name);
    if (!m || m.kind !== "charger") throw new UnknownDeviceMapError(name, "charger", this, where);
    return m;
  }

  /** A registry with more maps (the user's), refusing any name already taken. */
  with(extra: readonly LoadedMap[]): DeviceMapRegistry {
    return new DeviceMapRegistry([...this.entries, ...extra]);
  }
}
