// Register-map documents from the attacker's (or the tired hobbyist's) side: every bad document is refused with the
// file, the place and the reason, and every shipped document passes the same checks.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { nearestName } from "../../core/cli/index.ts";
import { DeviceMapError, DeviceMapRegistry, SHIPPED_MAPS } from "./index.ts";
import { parseDeviceMap, parseDeviceMapText } from "./schema.ts";
import { fromShippedJson, SHIPPED_DOCS } from "./shipped.ts";

const FILE = "devices/my-meter.json";
const meter = () => ({
  id: "my-meter", kind: "meter", vendor: "Acme", model: "PM1", source: "Acme PM1 manual, rev 2", defaultUnitId: 1,
  fields: {
    power: { table: "input", address: 12, type: "float32", unit: "W", description: "Active power" },
    energy: { table: "input", address: "0x0048", type: "u32", unit: "Wh", description: "Import energy" },
  },
  capabilities: { power: "power", energyImport: "energy" },
  maxPlausiblePowerW: 15000,
} as Record<string, unknown> & { fields: Record<string, Record<string, unknown>>; capabilities: Record<string, unknown> });

function problems(doc: unknown): string[] {
  try {
    parseDeviceMap(doc, FILE);
  } catch (e) {
    if (e instanceof DeviceMapError) return e.lines;
    throw e;
  }
  return [];
}
const refused = (doc: unknown, line: string) => {
  const p = problems(doc);
  assert.ok(p.includes(`${FILE}: ${line}`), `expected "${line}" among:\n${p.join("\n")}`);
};

test("every shipped JSON map passes the schema (the hub trusts them at start), and every file in drivers/devices is shipped", () => {
  const files = readdirSync(import.meta.dir).filter((f) => f.endsWith(".json")).sort();
  assert.equal(SHIPPED_MAPS.map((m) => m.file.replace("drivers/devices/", "")).sort(), files);
  for (const f of files) {
    const checked = parseDeviceMapText(readFileSync(join(import.meta.dir, f), "utf8"), `drivers/devices/${f}`);
    // What the hub builds without zod is exactly what the schema makes of the same document.
    assert.equal(fromShippedJson(SHIPPED_DOCS[f]), checked, f);
  }
});

test("a good user map parses; hex addresses and masks become numbers", () => {
  const m = parseDeviceMap(meter(), FILE);
  assert.is(m.fields.energy!.address, 0x48);
});

test("addresses outside 0..65535, or a field running past it, are refused with the field named", () => {
  const d = meter();
  d.fields.energy!.address = 70000;
  refused(d, "fields.energy: address 70000 is outside 0..65535 (a 0-based protocol address: documentation number 30073 is address 72, 0x0048)");
  const e = meter();
  e.fields.energy!.address = 65535;
  refused(e, "fields.energy: the field spans registers 65535..65536, past 65535");
  const n = meter();
  n.fields.energy!.address = -1;
  refused(n, "fields.energy: address -1 is outside 0..65535 (a 0-based protocol address: documentation number 30073 is address 72, 0x0048)");
  const h = meter();
  h.fields.energy!.address = "4000h";
  refused(h, "fields.energy.address: must be an integer or a hex string like \"0x400C\"");
});

test("shape errors: unknown keys (typos), missing keys, wrong types, unknown kind", () => {
  const d = meter();
  d.fields.power!.adress = 12;
  refused(d, "fields.power.adress: unknown key (a typo?)");
  const m = meter();
  delete m.source;
  refused(m, "source: is missing (a string is required)");
  const t = meter();
  t.fields.power!.type = "float16";
  assert.ok(problems(t).some((l) => l.startsWith(`${FILE}: fields.power.type: `)), problems(t).join("\n"));
  const k = meter();
  k.kind = "inverter";
  refused(k, "kind: kind must be \"meter\" or \"charger\"");
  refused([], "(top level): kind must be \"meter\" or \"charger\"");
  const id = meter();
  id.id = "My Meter";
  refused(id, "id: must be lower-case letters, digits and '-' (e.g. \"acme-pm1\")");
});

test("cross-references: a capability must name a field of the right unit; setpoints must be writable holding registers", () => {
  const d = meter();
  d.capabilities.energyImport = "enrgy";
  refused(d, "capabilities.energyImport: no field \"enrgy\" in fields (known: power, energy)");
  const u = meter();
  u.fields.energy!.unit = "W";
  refused(u, "capabilities.energyImport: field energy has unit \"W\"; this needs \"Wh\" or \"kWh\"");
  const w = meter();
  w.fields.power!.writable = true;
  refused(w, "fields.power: input registers cannot be written; a writable field is in table \"holding\"");
  const a = meter();
  a.fields.power!.type = "ascii";
  refused(a, "fields.power: an ascii field needs words (1..125, two characters per register)");
  const b = meter();
  b.fields.power!.bits = { shift: 8, mask: "0x7F" };
  refused(b, "fields.power: bits apply to integer types (u16, i16, u32, i32), not float32");
  const c = JSON.parse(readFileSync(join(import.meta.dir, "alfen-eve.json"), "utf8")) as { fields: Record<string, { writable?: boolean }>; failsafe: { safeCurrentField: string } };
  delete c.fields.modbusMaxCurrent!.writable;
  c.failsafe.safeCurrentField = "phases";
  const p = problems(c);
  assert.ok(p.includes(`${FILE}: capabilities.currentLimitSetpoint: field modbusMaxCurrent must be a writable holding register ("writable": true)`), p.join("\n"));
  assert.ok(p.includes(`${FILE}: failsafe.safeCurrentField: field phases has unit ""; this needs "A"`), p.join("\n"));
});

test("hostile documents: __proto__ keys, non-JSON, huge numbers are refused, never silently dropped", () => {
  const proto = parseDeviceMapText.bind(null);
  const text = JSON.stringify(meter()).replace('"power":{"table"', '"__proto__":{"table":"input","address":0,"type":"u16","description":""},"power":{"table"');
  let lines: string[] = [];
  try { proto(text, FILE); } catch (e) { lines = (e as DeviceMapError).lines; }
  assert.ok(lines.some((l) => l.includes("__proto__")), `a __proto__ field must be reported, got:\n${lines.join("\n")}`);
  assert.throws(() => parseDeviceMapText("{ nope", FILE), /devices\/my-meter\.json: not valid JSON/);
  const big = meter();
  big.maxPlausiblePowerW = Number.POSITIVE_INFINITY;
  assert.ok(problems(big).length > 0);
});

test("names: a clash between two maps names both files; the nearest name is suggested for a typo, not for nonsense", () => {
  const a = { map: parseDeviceMap(meter(), "a.json"), file: "a.json" };
  const b = { map: parseDeviceMap({ ...meter(), id: "other", aliases: ["my-meter"] }, "b.json"), file: "b.json" };
  assert.throws(() => new DeviceMapRegistry([a, b]), (e: unknown) => e instanceof DeviceMapError && e.message === "b.json: alias \"my-meter\" is already used by a.json (a map cannot replace another: give it a new id)");
  assert.is(nearestName("sdm-630", ["eastron-sdm630", "sdm630", "sdm120"]), "sdm630");
  assert.is(nearestName("EASTRON-SDM120", ["eastron-sdm120"]), "eastron-sdm120");
  assert.is(nearestName("tesla", ["sdm630", "sdm120", "alfen"]), undefined);
});

test.run();
