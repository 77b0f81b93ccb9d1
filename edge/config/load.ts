// Reads the hub's TOML config, applies OFFPEAK_<SECTION>_<KEY> environment overrides, validates it,
// and reports every problem with the file, the key and the reason.
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { editDistance } from "../../core/cli/index.ts";
import { configSchema, type HubConfig } from "./schema.ts";

export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`configuration error in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Tree = Record<string, unknown>;

/** OFFPEAK_* variables that are not config keys: they belong to other programs or to the test tooling. */
const OTHER_VARIABLES = new Set([
  "OFFPEAK_SIM_CLOCK", "OFFPEAK_TEST", "OFFPEAK_TEST_JOBS", "OFFPEAK_TEST_TIMEOUT_MS", "OFFPEAK_TSHARK",
  "OFFPEAK_OPERATOR_TOKEN", "OFFPEAK_CLEARINGHOUSE_TOKEN", "OFFPEAK_UTILITY_DB",
  // issue 14: one name per secret (OFFPEAK_CLEARINGHOUSE_TOKEN meant two; it is now refused with the new names).
  "OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN", "OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN", "OFFPEAK_LOG_LEVEL", "OFFPEAK_OCPI_PARTY",
]);

/** The keys of an object schema, through the default/prefault/optional wrappers around it. */
function keysOf(schema: z.ZodType): string[] {
  let s: unknown = schema;
  for (let i = 0; i < 8 && s; i++) {
    if (s instanceof z.ZodObject) return Object.keys(s.shape);
    s = (s as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType;
  }
  return [];
}

/** Every OFFPEAK_<SECTION>_<KEY> name the config understands (sections of devices are files only). */
export function knownVariables(): Map<string, { section: string; key: string }> {
  const out = new Map<string, { section: string; key: string }>();
  for (const [section, schema] of Object.entries(configSchema.shape)) {
    if (section === "devices") continue;
    for (const key of keysOf(schema as z.ZodType)) out.set(`OFFPEAK_${section}_${key}`.toUpperCase(), { section, key });
  }
  return out;
}

export interface EnvOverrides {
  tree: Tree;
  /** "section.key" → the variable that set it, so a bad value is blamed on the variable, not the file. */
  origin: Map<string, string>;
  /** A line for each OFFPEAK_* variable that is no config key (a typo?), with the nearest real name. */
  warnings: string[];
}

/** OFFPEAK_SESSION_COMM_WAIT_S=90 → { session: { comm_wait_s: "90" } }. */
export function envOverrides(env: Record<string, string | undefined>): EnvOverrides {
  const out: EnvOverrides = { tree: {}, origin: new Map(), warnings: [] };
  const known = knownVariables();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("OFFPEAK_") || value === undefined || OTHER_VARIABLES.has(name)) continue;
    const hit = known.get(name);
    if (!hit) {
      const nearest = [...known.keys()].map((k) => ({ k, d: editDistance(name, k) })).sort((a, b) => a.d - b.d)[0];
      out.warnings.push(`${name} is not a configuration variable and is ignored${nearest && nearest.d <= 4 ? `; did you mean ${nearest.k}?` : ""}`);
      continue;
    }
    ((out.tree[hit.section] ??= {}) as Tree)[hit.key] = value;
    out.origin.set(`${hit.section}.${hit.key}`, `${name}=${JSON.stringify(value)}`);
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

export function parseConfig(
  raw: Tree, source: string, env: Record<string, string | undefined> = {}, warn: (line: string) => void = () => {},
): HubConfig {
  const overrides = envOverrides(env);
  for (const w of overrides.warnings) warn(`config: ${w}`);
  const r = configSchema.safeParse(merge(raw, overrides.tree));
  if (r.success) return r.data;
  // A problem with a value that came from the environment is reported against the variable, not the file.
  const fromEnv = r.error.issues.map((i) => overrides.origin.get(i.path.slice(0, 2).join(".")));
  const problems = formatIssues(r.error.issues).map((p, k) => (fromEnv[k] ? `${p} (from the environment: ${fromEnv[k]})` : p));
  const where = fromEnv.every(Boolean) ? "the environment" : fromEnv.some(Boolean) ? `${source} and the environment` : source;
  throw new ConfigError(where, problems);
}

/** Loads `path` if given (it must exist), else defaults; environment overrides apply in both cases. */
export function loadConfig(
  path: string | null, env: Record<string, string | undefined> = process.env, warn: (line: string) => void = (l) => console.warn(l),
): HubConfig {
  if (path === null) return parseConfig({}, "defaults", env, warn);
  if (!existsSync(path)) throw new ConfigError(path, [`the file does not exist`]);
  let raw: Tree;
  try {
    raw = Bun.TOML.parse(readFileSync(path, "utf8")) as Tree;
  } catch (e) {
    throw new ConfigError(path, [`not valid TOML: ${(e as Error).message}`]);
  }
  return parseConfig(raw, path, env, warn);
}
