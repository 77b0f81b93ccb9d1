// Checks a register-map document (JSON) and turns it into a DeviceMap, or says exactly what is wrong:
// every problem names the file, the place in the document and the reason, e.g.
//   devices/my-meter.json: fields.energy: address 70000 is outside 0..65535
// zod checks the shape; the cross-references (a capability naming a field that exists, a setpoint that is writable)
// are plain checks below. Loaded only when there is a user map to check: building these schemas costs memory
// (about 3 MB on top of the config's), and the shipped maps are checked by the tests instead (shipped.ts).
import { z } from "zod";
import { DeviceMapError } from "./errors.ts";
import type { ChargerMap, DeviceMap, MeterMap, RegisterField } from "./types.ts";

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_ADDRESS = 0xffff;
/** Vendor tables print addresses and masks in hex ("4000h", "0x400C"): a map may write them as "0x400C". */
const hexOrInt = z.union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, "must be an integer or a hex string like \"0x400C\"")])
  .transform((v) => (typeof v === "string" ? Number.parseInt(v.slice(2), 16) : v));
const name = z.string().regex(NAME, "must be lower-case letters, digits and '-' (e.g. \"acme-pm1\")");
const text = z.string().min(1);

const field = z.strictObject({
  table: z.enum(["input", "holding"]),
  address: hexOrInt,
  type: z.enum(["u16", "i16", "u32", "i32", "float32", "float64", "ascii"]),
  words: z.number().int().optional(),
  wordOrder: z.enum(["high-first", "low-first"]).optional(),
  scale: z.number().optional(),
  unit: z.enum(["V", "A", "W", "kW", "Wh", "kWh", "Hz", "s", "%", ""]).optional(),
  bits: z.strictObject({ shift: z.number().int().min(0).max(63), mask: hexOrInt }).optional(),
  writable: z.boolean().optional(),
  description: z.string(),
});

const common = {
  $schema: z.string().optional(),
  id: name,
  aliases: z.array(name).optional(),
  vendor: text,
  model: text,
  source: z.string().min(10, "must cite the document the registers come from (title and revision)"),
  notes: z.array(z.string()).optional(),
  defaultUnitId: z.number().int().min(0).max(255),
  serialDefaults: z.strictObject({ baudRate: z.number().int().positive(), parity: z.enum(["none", "even", "odd"]), stopBits: z.union([z.literal(1), z.literal(2)]) }).optional(),
  maxRegistersPerRead: z.number().int().min(1).max(125, "Modbus allows at most 125 registers per read").optional(),
  maxGapRegisters: z.number().int().min(0).optional(),
  fields: z.record(z.string(), field),
};

const j1772 = z.enum(["A", "B", "C", "D", "E", "F"]);

const meter = z.strictObject({
  ...common,
  kind: z.literal("meter"),
  capabilities: z.strictObject({ power: z.string(), energyImport: z.string(), voltage: z.string().optional(), current: z.string().optional(), frequency: z.string().optional() }),
  maxPlausiblePowerW: z.number().positive(),
});

const charger = z.strictObject({
  ...common,
  kind: z.literal("charger"),
  capabilities: z.strictObject({
    state: z.string(),
    stateValues: z.record(z.string(), j1772),
    currentLimit: z.string().optional(),
    currentLimitSetpoint: z.string(),
    enable: z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("register"), field: z.string(), enabledValue: z.number(), disabledValue: z.number(), readField: z.string().optional() }),
      z.strictObject({ kind: z.literal("zero-current") }),
    ]),
    power: z.string().optional(),
    sessionEnergy: z.string().optional(),
    vehicleId: z.string().optional(),
    /** A counter or transaction ID that changes at every plug-in (issue 12: swap detection across a hub restart). */
    sessionCounter: z.string().optional(),
  }),
  limits: z.strictObject({ minCurrentA: z.number().min(0), maxCurrentA: z.number().positive().max(80), phases: z.union([z.literal(1), z.literal(3)]), voltageV: z.number().min(100).max(480) }),
  failsafe: z.strictObject({
    mechanism: z.enum(["setpoint-validity", "communication-timeout", "none"]),
    timeoutField: z.string().optional(),
    safeCurrentField: z.string().optional(),
    keepAliveField: z.string().optional(),
    keepAlive: z.string().optional(),
    onTimeout: text,
    verified: z.boolean(),
    source: text,
  }).optional(),
});

const document = z.discriminatedUnion("kind", [meter, charger], { error: "kind must be \"meter\" or \"charger\"" });

function shapeProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.length ? i.path.join(".") : "(top level)";
    if (i.code === "unrecognized_keys") return `${path === "(top level)" ? "" : `${path}.`}${i.keys.join(", ")}: unknown key${i.keys.length > 1 ? "s" : ""} (a typo?)`;
    if (i.code === "invalid_type" && /received undefined/.test(i.message)) return `${path}: is missing (a ${i.expected} is required)`;
    return `${path}: ${i.message}`;
  });
}

const INTEGER_TYPES = new Set(["u16", "i16", "u32", "i32"]);
const wordsOf = (f: RegisterField): number => (f.type === "ascii" ? (f.words ?? 0) : f.type === "float64" ? 4 : f.type === "u16" || f.type === "i16" ? 1 : 2);

function fieldProblems(fieldName: string, f: RegisterField): string[] {
  const at = `fields.${fieldName}`;
  const out: string[] = [];
  if (f.address < 0 || f.address > MAX_ADDRESS) {
    out.push(`${at}: address ${f.address} is outside 0..${MAX_ADDRESS} (a 0-based protocol address: documentation number 30073 is address 72, 0x0048)`);
  } else if (f.address + wordsOf(f) - 1 > MAX_ADDRESS) {
    out.push(`${at}: the field spans registers ${f.address}..${f.address + wordsOf(f) - 1}, past ${MAX_ADDRESS}`);
  }
  if (f.type === "ascii" && (f.words === undefined || f.words < 1 || f.words > 125)) out.push(`${at}: an ascii field needs words (1..125, two characters per register)`);
  if (f.type !== "ascii" && f.words !== undefined) out.push(`${at}: words is only for ascii fields (the type ${f.type} fixes the register count)`);
  if (f.bits && !INTEGER_TYPES.has(f.type)) out.push(`${at}: bits apply to integer types (u16, i16, u32, i32), not ${f.type}`);
  if (f.bits && f.bits.mask <= 0) out.push(`${at}: bits.mask must be positive`);
  if (f.scale !== undefined && (!Number.isFinite(f.scale) || f.scale === 0)) out.push(`${at}: scale ${f.scale} must be a non-zero number`);
  if (f.writable && f.table === "input") out.push(`${at}: input registers cannot be written; a writable field is in table "holding"`);
  return out;
}

/** Cross-references: every capability names a field of the right kind. */
function referenceProblems(m: DeviceMap): string[] {
  const out: string[] = [];
  const need = (path: string, fieldName: string | undefined, rule: { numeric?: boolean; ascii?: boolean; writable?: boolean; units?: readonly string[] } = {}): void => {
    if (fieldName === undefined) return;
    const f = m.fields[fieldName];
    if (!f) { out.push(`${path}: no field ${JSON.stringify(fieldName)} in fields (known: ${Object.keys(m.fields).join(", ") || "none"})`); return; }
    if (rule.numeric && f.type === "ascii") out.push(`${path}: field ${fieldName} is ascii; this needs a number`);
    if (rule.ascii && f.type !== "ascii") out.push(`${path}: field ${fieldName} is ${f.type}; this needs an ascii field`);
    if (rule.writable && !(f.writable && f.table === "holding")) out.push(`${path}: field ${fieldName} must be a writable holding register ("writable": true)`);
    if (rule.units && !rule.units.includes(f.unit ?? "")) out.push(`${path}: field ${fieldName} has unit ${JSON.stringify(f.unit ?? "")}; this needs ${rule.units.map((u) => JSON.stringify(u)).join(" or ")}`);
  };
  if (m.aliases) {
    const seen = new Set<string>();
    for (const a of m.aliases) {
      if (a === m.id || seen.has(a)) out.push(`aliases: ${JSON.stringify(a)} is listed twice (or repeats the id)`);
      seen.add(a);
    }
  }
  if (m.kind === "meter") {
    const c = m.capabilities;
    need("capabilities.power", c.power, { numeric: true, units: ["W", "kW"] });
    need("capabilities.energyImport", c.energyImport, { numeric: true, units: ["Wh", "kWh"] });
    need("capabilities.voltage", c.voltage, { numeric: true, units: ["V"] });
    need("capabilities.current", c.current, { numeric: true, units: ["A"] });
    need("capabilities.frequency", c.frequency, { numeric: true, units: ["Hz"] });
    return out;
  }
  const c = m.capabilities;
  need("capabilities.state", c.state);
  if (Object.keys(c.stateValues).length === 0) out.push("capabilities.stateValues: lists no state (raw value → J1772 state A..F)");
  need("capabilities.currentLimit", c.currentLimit, { numeric: true, units: ["A"] });
  need("capabilities.currentLimitSetpoint", c.currentLimitSetpoint, { numeric: true, writable: true, units: ["A"] });
  if (c.enable.kind === "register") {
    need("capabilities.enable.field", c.enable.field, { numeric: true, writable: true });
    need("capabilities.enable.readField", c.enable.readField, { numeric: true });
    if (c.enable.enabledValue === c.enable.disabledValue) out.push("capabilities.enable: enabledValue and disabledValue are the same");
  }
  need("capabilities.power", c.power, { numeric: true, units: ["W", "kW"] });
  need("capabilities.sessionEnergy", c.sessionEnergy, { numeric: true, units: ["Wh", "kWh"] });
  need("capabilities.vehicleId", c.vehicleId, { ascii: true });
  need("capabilities.sessionCounter", c.sessionCounter);
  if (m.limits.minCurrentA >= m.limits.maxCurrentA) out.push(`limits: minCurrentA ${m.limits.minCurrentA} must be below maxCurrentA ${m.limits.maxCurrentA}`);
  const fs = m.failsafe;
  if (fs) {
    need("failsafe.timeoutField", fs.timeoutField, { numeric: true, units: ["s"] });
    need("failsafe.safeCurrentField", fs.safeCurrentField, { numeric: true, units: ["A"] });
    need("failsafe.keepAliveField", fs.keepAliveField, { writable: true });
    if (fs.mechanism !== "none" && !fs.timeoutField && !fs.keepAlive) out.push("failsafe: say how the timer is fed (timeoutField or keepAlive)");
  }
  return out;
}

/** Parses one register-map document; `file` is how errors name it (e.g. "devices/my-meter.json"). */
export function parseDeviceMap(doc: unknown, file: string): DeviceMap {
  // Field names are checked on the raw document: a "__proto__" key would vanish in the parsed copy, not be refused.
  const rawFields = typeof doc === "object" && doc !== null ? (doc as { fields?: unknown }).fields : undefined;
  const badNames = typeof rawFields === "object" && rawFields !== null ? Object.keys(rawFields).filter((n) => !FIELD_NAME.test(n)) : [];
  if (badNames.length) throw new DeviceMapError(file, badNames.map((n) => `fields.${n}: a field name must start with a letter and hold only letters, digits and _`));
  const r = document.safeParse(doc);
  if (!r.success) throw new DeviceMapError(file, shapeProblems(r.error.issues));
  const { $schema: _schema, ...m } = r.data;
  const map: MeterMap | ChargerMap = m;
  const problems = [...Object.entries(map.fields).flatMap(([n, f]) => fieldProblems(n, f)), ...referenceProblems(map)];
  if (problems.length) throw new DeviceMapError(file, problems);
  return map;
}

/** Parses JSON text first, so a syntax error also names the file. */
export function parseDeviceMapText(text: string, file: string): DeviceMap {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DeviceMapError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseDeviceMap(doc, file);
}
