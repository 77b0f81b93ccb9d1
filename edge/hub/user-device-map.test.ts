// A meter the project does not ship, added as data: the worked example of docs/hardware.md is written to a temporary
// <data_dir>/devices/, loaded through the hub's start-up path and used to read the simulator over real Modbus TCP.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../core/time/index.ts";
import { startSimulator, type Simulator } from "../../drivers/sim/index.ts";
import { ConfigError, parseConfig } from "../config/index.ts";
import { chargerFrom, hubDeviceMaps, meterFrom } from "./devices.ts";

const HARDWARE_MD = join(import.meta.dir, "../../docs/hardware.md");
/** The JSON between the example-map markers of docs/hardware.md, as a reader would copy it. */
function exampleMap(): string {
  const md = readFileSync(HARDWARE_MD, "utf8");
  const m = /<!-- example-map:begin -->\s*```json\n([\s\S]*?)```\s*<!-- example-map:end -->/.exec(md);
  if (!m) throw new Error("docs/hardware.md lost its example map");
  return m[1]!;
}

let clock: TestClock;
let sim: Simulator;
let dataDir: string;
const log: string[] = [];
const tcp = (port: number, unit_id: number) => ({ kind: "tcp", host: "127.0.0.1", port, unit_id, timeout_ms: 300 });
const configWith = (eumdMap: string) => parseConfig({
  hub: { data_dir: dataDir },
  devices: {
    charger: { driver: "modbus", map: "sim", transport: tcp(sim.ports.evse, sim.units.evse) },
    eumd: { driver: "modbus", map: eumdMap, transport: tcp(sim.ports.eumd, sim.units.eumd) },
    premises_meter: { driver: "none" },
  },
}, "hub.toml");

test.before.each(async () => {
  clock = new TestClock();
  sim = await startSimulator({ clock });
  dataDir = mkdtempSync(join(tmpdir(), "offpeak-devmaps-"));
  mkdirSync(join(dataDir, "devices"));
  log.length = 0;
});
test.after.each(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test("BR-7: a meter the project does not ship (docs/hardware.md example) is one JSON file in <data_dir>/devices/, read over Modbus TCP", async () => {
  writeFileSync(join(dataDir, "devices", "eastron-sdm220.json"), exampleMap());
  writeFileSync(join(dataDir, "devices", "README.txt"), "not a map: ignored");
  const config = configWith("sdm220");
  const maps = await hubDeviceMaps(config, (l) => log.push(l));
  assert.ok(maps, "a Modbus device is configured, so maps are loaded");
  assert.is(maps!.find("sdm220")?.model, "SDM220-Modbus");
  assert.is(maps!.fileOf("sdm220"), join(dataDir, "devices", "eastron-sdm220.json"));
  assert.ok(log.some((l) => l.includes("1 register map from") && l.includes("eastron-sdm220")), log.join("\n"));
  const deps = { clock, log: (l: string) => log.push(l), maps };
  const eumd = await meterFrom(config.devices.eumd, "devices.eumd", deps);
  const evse = await chargerFrom(config.devices.charger, "devices.charger", deps);
  try {
    sim.plug();
    await evse!.setCurrentLimit(16);
    await evse!.setEnabled(true);
    const r0 = await eumd!.read();
    clock.advance(3_600_000);
    const r1 = await eumd!.read();
    // 16 A × 240 V for an hour, measured by the simulator's EUMD and decoded through the user's map.
    assert.is(r1.powerW, 3840);
    assert.is(r1.energyWh - r0.energyWh, 3840);
    assert.is(r1.energyWh, sim.eumdWh());
  } finally {
    await eumd?.close();
    await evse?.close();
  }
});

test("a config naming an unknown map names the file and key, lists the known maps and the nearest name", async () => {
  writeFileSync(join(dataDir, "devices", "eastron-sdm220.json"), exampleMap());
  const config = configWith("sdm-220");
  const maps = await hubDeviceMaps(config);
  const e = await meterFrom(config.devices.eumd, "devices.eumd", { clock, log: () => {}, maps, mapsDir: dataDir }, undefined, "hub.toml").catch((x: unknown) => x);
  assert.instance(e, ConfigError);
  const msg = (e as ConfigError).message;
  assert.match(msg, /^configuration error in hub\.toml:/);
  assert.match(msg, /devices\.eumd\.map: unknown meter map "sdm-220": known maps are eastron-sdm120, eastron-sdm630, eastron-sdm220/);
  assert.match(msg, /did you mean "sdm220"\?/);
  // A charger map asked for as a meter says what it is instead of guessing.
  const alfen = { driver: "modbus" as const, map: "alfen", transport: { kind: "tcp" as const, host: "127.0.0.1", port: sim.ports.eumd, unit_id: 2, timeout_ms: 300 } };
  const wrongKind = await meterFrom(alfen, "devices.eumd", { clock, log: () => {}, maps }, undefined, "hub.toml").catch((x: unknown) => x);
  assert.match((wrongKind as Error).message, /"alfen" is a charger map \(alfen-eve\)/);
});

test("a broken user map stops the start: every problem names the file, the field and the reason", async () => {
  writeFileSync(join(dataDir, "devices", "my-meter.json"), JSON.stringify({
    id: "my-meter", kind: "meter", vendor: "Acme", model: "PM1", source: "Acme PM1 manual, rev 2", defaultUnitId: 1,
    fields: {
      power: { table: "input", address: 12, type: "float32", unit: "W", description: "" },
      energy: { table: "input", address: 70000, type: "u32", unit: "W", description: "" },
    },
    capabilities: { power: "power", energyImport: "energy" }, maxPlausiblePowerW: 1000,
  }));
  writeFileSync(join(dataDir, "devices", "typo.json"), "{ \"id\": \"typo\", ");
  const e = await hubDeviceMaps(configWith("sdm120")).catch((x: unknown) => x);
  assert.instance(e, ConfigError);
  const lines = (e as ConfigError).problems;
  const file = join(dataDir, "devices", "my-meter.json");
  assert.ok(lines.includes(`${file}: fields.energy: address 70000 is outside 0..65535 (a 0-based protocol address: documentation number 30073 is address 72, 0x0048)`), lines.join("\n"));
  assert.ok(lines.includes(`${file}: capabilities.energyImport: field energy has unit "W"; this needs "Wh" or "kWh"`), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith(`${join(dataDir, "devices", "typo.json")}: not valid JSON`)), lines.join("\n"));
});

test("a user map cannot take a shipped map's name: the error names both files", async () => {
  const clash = JSON.parse(exampleMap()) as { id: string; aliases: string[] };
  clash.aliases = ["sdm630"];
  writeFileSync(join(dataDir, "devices", "mine.json"), JSON.stringify(clash));
  const e = await hubDeviceMaps(configWith("sdm120")).catch((x: unknown) => x);
  assert.instance(e, ConfigError);
  assert.equal((e as ConfigError).problems, [`${join(dataDir, "devices", "mine.json")}: alias "sdm630" is already used by drivers/devices/eastron-sdm630.json (a map cannot replace another: give it a new id)`]);
});

test("no Modbus device configured: no maps are loaded, not even a broken user map (the hub stays small)", async () => {
  writeFileSync(join(dataDir, "devices", "broken.json"), "nonsense");
  const config = parseConfig({ hub: { data_dir: dataDir }, devices: { charger: { driver: "none" }, eumd: { driver: "none" }, premises_meter: { driver: "none" } } }, "hub.toml");
  assert.is(await hubDeviceMaps(config), undefined);
});

test.run();
