// Loads the user's register maps: every *.json in <data_dir>/devices/, read once at hub start. A broken file stops
// the start with an error naming the file, the field and the reason; a missing or empty folder means no user maps
// (and the schema, with zod's cost, is not even loaded).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DeviceMapError } from "./errors.ts";
import type { LoadedMap } from "./registry.ts";

/** The folder's maps, in file-name order; `label` is how messages name the folder (default: its path). */
export async function loadUserMaps(dir: string, label = dir): Promise<LoadedMap[]> {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new DeviceMapError(label, ["is not a folder (user register maps go in <data_dir>/devices/*.json)"]);
  const names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  if (names.length === 0) return [];
  const { parseDeviceMapText } = await import("./schema.ts");
  const out: LoadedMap[] = [];
  const problems: DeviceMapError[] = [];
  for (const name of names) {
    const file = join(label, name);
    try {
      out.push({ map: parseDeviceMapText(readFileSync(join(dir, name), "utf8"), file), file });
    } catch (e) {
      if (!(e instanceof DeviceMapError)) throw e;
      problems.push(e);
    }
  }
  // Report every broken file at once: fixing them one start at a time is tedious.
  const [first, ...rest] = problems;
  if (first) throw new DeviceMapError(first.file, first.problems, rest);
  return out;
}
