// Issue 18 budget: the packages a hub loads at start. A hub on a Raspberry Pi Zero 2 W has ~40 MB to live in, and
// most of a hub's memory is code it loads (docs/raspberry-pi.md): each package below is there because the default
// configuration uses it. A change that makes the default hub load another package fails here; load it when the
// configuration names it (a dynamic import, as edge/hub/devices.ts does for Modbus and OCPP), or add it below with the reason
// and its measured cost in docs/raspberry-pi.md.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnChild } from "../testing/child-processes.test-support.ts";

/** Package → why the default hub needs it at start. */
const DEFAULT_START_PACKAGES: Record<string, string> = {
  zod: "the config, the wire contract and the dashboard's request bodies are validated with it",
  hono: "the HTTP API and the dashboard",
  "modbus-serial": "the default devices are Modbus TCP (the simulator's EVSE, EUMD and premises meter)",
  debug: "required by modbus-serial",
  ms: "required by debug",
  "supports-color": "debug requires it when it is installed (npm hoists it for the @redocly/cli dev tool); one small module",
};

const packageOf = (path: string) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? null;

async function startModules(args: string[], config: string | null, awaitPackages: string[] = []): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-start-modules-"));
  try {
    const cfgArgs: string[] = [];
    if (config !== null) {
      writeFileSync(join(dir, "hub.toml"), config);
      cfgArgs.push("--config", join(dir, "hub.toml"));
    }
    const hub = spawnChild("hub", [process.execPath, "system/cli/hub-start-modules-child.test-support.ts", "hub", ...cfgArgs, "--port", "0", "--data-dir", join(dir, "data"), ...args], {
      // Nothing answers here: the hub starts as it does before its devices and the utility are reachable.
      OFFPEAK_PEVLINK_PORT: "0", OFFPEAK_UTILITY_URL: "http://127.0.0.1:9", START_MODULES_AWAIT: awaitPackages.join(","),
    });
    const line = (await hub.waitFor(/^START-MODULES (.*)$/m, 60_000))[1]!;
    await hub.stop();
    return JSON.parse(line) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packages = (modules: string[]) => [...new Set(modules.map(packageOf).filter((p): p is string => p !== null))].sort();

test("the hub on its default configuration loads only the packages that configuration uses", async () => {
  const modules = await startModules([], null, ["modbus-serial"]);
  const loaded = packages(modules);
  const extra = loaded.filter((p) => !(p in DEFAULT_START_PACKAGES));
  assert.equal(extra, [], `the default hub loads packages its configuration does not use: ${extra.join(", ")}; load them when the config names them (edge/hub/devices.ts) or add them to DEFAULT_START_PACKAGES with the reason`);
  // The listing is real: the default's Modbus devices did load their client, and our own code is in it.
  assert.ok(loaded.includes("modbus-serial"), `modbus-serial not among ${loaded.join(", ")}`);
  assert.ok(modules.some((m) => m.endsWith("/edge/hub/runtime.ts")), "the hub's own modules are listed");
  // modbus-serial's serialport is replaced by drivers/modbus/without-serialport.ts: serial under Bun is our own.
  assert.not.ok(modules.some((m) => /\/node_modules\/(serialport|@serialport)\//.test(m)), "serialport is loaded");
});

test("a hub without Modbus devices, Zigbee, OCPP or MQTT loads none of their packages", async () => {
  const none = `[devices.charger]\ndriver = "none"\n[devices.eumd]\ndriver = "none"\n[devices.premises_meter]\ndriver = "none"\n`;
  const loaded = packages(await startModules(["--no-sync"], none));
  for (const p of ["modbus-serial", "zigbee-herdsman", "mqtt", "ocpp-rpc", "serialport", "debug"]) assert.not.ok(loaded.includes(p), `${p} is loaded: ${loaded.join(", ")}`);
  assert.ok(loaded.includes("hono"), `hono not among ${loaded.join(", ")}`);
});

test.run();
