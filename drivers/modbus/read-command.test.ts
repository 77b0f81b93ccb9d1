// `offpeak modbus read` with a map that is only a file: the hobbyist's check of a new map before the hub uses it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../core/time/index.ts";
import { startSimulator } from "../sim/index.ts";
import { modbusReadCommand } from "./index.ts";

const sdm120 = () => JSON.parse(readFileSync(join(import.meta.dir, "../devices/eastron-sdm120.json"), "utf8")) as Record<string, unknown>;

test("modbus read --map FILE.json reads the simulator with a map not installed anywhere; --data-dir finds installed ones", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-read-"));
  const sim = await startSimulator({ clock: new TestClock(), houseLoadW: 500 });
  try {
    const file = join(dir, "acme-pm1.json");
    writeFileSync(file, JSON.stringify({ ...sdm120(), id: "acme-pm1", aliases: ["pm1"], vendor: "Acme", model: "PM1" }));
    const out: string[] = [];
    const args = ["--host", "127.0.0.1", "--port", String(sim.ports.premises), "--unit", String(sim.units.premises)];
    assert.is(await modbusReadCommand(["read", "--map", file, ...args], (l) => out.push(l), (l) => out.push(l)), 0, out.join("\n"));
    assert.match(out.join("\n"), /Acme PM1 \(acme-pm1\)/);
    mkdirSync(join(dir, "devices"));
    writeFileSync(join(dir, "devices", "acme-pm1.json"), readFileSync(file));
    out.length = 0;
    assert.is(await modbusReadCommand(["read", "--map", "pm1", "--data-dir", dir, ...args], (l) => out.push(l), (l) => out.push(l)), 0, out.join("\n"));
    out.length = 0;
    assert.is(await modbusReadCommand(["read", "--map", "pm-1", "--data-dir", dir, ...args], (l) => out.push(l), (l) => out.push(l)), 2);
    assert.match(out.join("\n"), /--map: unknown device map "pm-1": known maps are .*acme-pm1.*did you mean "pm1"\?/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ ...sdm120(), maxRegistersPerRead: 200 }));
    out.length = 0;
    assert.is(await modbusReadCommand(["read", "--map", broken, ...args], (l) => out.push(l), (l) => out.push(l)), 2);
    assert.ok(out.join("\n").includes(`${broken}: maxRegistersPerRead: Modbus allows at most 125 registers per read`), out.join("\n"));
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
