// `offpeak hub`: the home hub process.
import { ConfigError, loadConfig } from "../../edge/config/index.ts";
import { startHubProcess } from "../../edge/hub/index.ts";
import { parseOptions, portOption, UsageError } from "../../core/cli/index.ts";
import { collectGarbagePeriodically } from "./hub-memory.ts";

export const HUB_HELP = `offpeak hub — the home hub (ESCI + CEMS of use case P1)

Usage: offpeak hub [--config FILE] [--port N] [--data-dir DIR] [--speed X] [--lan]

Options:
  --config FILE    TOML configuration (every key optional; see README "Configuration"). Default: built-in defaults.
  --port N         HTTP port for the API and dashboard (default 8080; 0 = any free port)
  --data-dir DIR   where the hub keeps its SQLite store and keys (default ./data/hub)
  --speed X        run simulated time X times faster (demo and tests only; default 1)
  --lan            serve on all interfaces (0.0.0.0) instead of 127.0.0.1
  --no-sync        do not contact the utility (binding falls back after the comm-wait window)
  --no-dashboard   serve the API only
  --help           this text

Environment: OFFPEAK_<SECTION>_<KEY> overrides a config key, e.g. OFFPEAK_HUB_PORT=9000, OFFPEAK_SESSION_COMM_WAIT_S=90.
`;

export async function hubCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseOptions(argv, {
      config: { type: "string" }, port: { type: "string" }, "data-dir": { type: "string" }, speed: { type: "string" },
      lan: { type: "boolean" }, "no-sync": { type: "boolean" }, "no-dashboard": { type: "boolean" }, help: { type: "boolean" },
    }, "hub");
    // Checked here so a bad --port is blamed on the option, not on the config file it would override.
    if (values.port !== undefined) portOption(values.port, 0, "hub");
  } catch (e) {
    if (e instanceof UsageError) { console.error(e.message); return 2; }
    throw e;
  }
  if (values.help) { console.log(HUB_HELP); return 0; }
  const env: Record<string, string | undefined> = { ...process.env };
  if (values.port !== undefined) env.OFFPEAK_HUB_PORT = values.port;
  if (values["data-dir"] !== undefined) env.OFFPEAK_HUB_DATA_DIR = values["data-dir"];
  if (values.speed !== undefined) env.OFFPEAK_HUB_SPEED = values.speed;
  if (values.lan) env.OFFPEAK_HUB_LAN = "true";
  let config;
  try {
    config = loadConfig(values.config ?? null, env);
  } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); return 2; }
    throw e;
  }
  const stopCollecting = collectGarbagePeriodically();
  try {
    let running;
    try {
      running = await startHubProcess(config, { sync: !values["no-sync"], dashboard: !values["no-dashboard"], configSource: values.config ?? "defaults" });
    } catch (e) {
      // An unknown register map or a broken one in <data_dir>/devices/ is a configuration problem, said like one.
      if (e instanceof ConfigError) { console.error(e.message); return 2; }
      throw e;
    }
    console.log(`offpeak hub: listening on ${running.url}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    console.log("offpeak hub: stopping");
    await running.stop();
    return 0;
  } finally {
    stopCollecting();
  }
}
