// Reads the hub's TOML config, applies OFFPEAK_<SECTION>_<KEY> environment overrides, validates it,
// and reports every problem with the file, the key and the reason.
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { configSchema, type HubConfig } from "./schema.ts";

export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`configuration error in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Tree = Record<string, unknown>;

/** OFFPEAK_SESSION_COMM_WAIT_S=90 → { session: { comm_wait_s: "90" } }. The first underscore splits section from key. */
export function envOverrides(env: Record<string, string | undefined>): Tree {
  const out: Tree = {};
  const sections = Object.keys(configSchema.shape);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("OFFPEAK_") || value === undefined) continue;
    const rest = name.slice("OFFPEAK_".length).toLowerCase();
    const section = sections.find((s) => rest.startsWith(`${s}_`));
    if (!section || section === "devices") continue;
    const key = rest.slice(section.length + 1);
    ((out[section] ??= {}) as Tree)[key] = value;
  }
  return out;
}

function merge(a: Tree, b: Tree): Tree {
  const out: Tree = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" ? merge(out[k] as Tree, v as Tree) : v;
  }
  return out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.length ? i.path.join(".") : "(top level)";
    if (i.code === "unrecognized_keys") return `${path === "(top level)" ? "" : path + "."}${i.keys.join(", ")}: unknown key${i.keys.length > 1 ? "s" : ""} (a typo?)`;
    return `${path}: ${i.message}`;
  });
}

export function parseConfig(raw: Tree, source: string, env: Record<string, string | undefined> = {}): HubConfig {
  const merged = merge(raw, envOverrides(env));
  const r = configSchema.safeParse(merged);
  if (!r.success) throw new ConfigError(source, formatIssues(r.error.issues));
  return r.data;
}

/** Loads `path` if given (it must exist), else defaults; environment overrides apply in both cases. */
export function loadConfig(path: string | null, env: Record<string, string | undefined> = process.env): HubConfig {
  if (path === null) return parseConfig({}, "defaults", env);
  if (!existsSync(path)) throw new ConfigError(path, [`the file does not exist`]);
  let raw: Tree;
  try {
    raw = Bun.TOML.parse(readFileSync(path, "utf8")) as Tree;
  } catch (e) {
    throw new ConfigError(path, [`not valid TOML: ${(e as Error).message}`]);
  }
  return parseConfig(raw, path, env);
}
