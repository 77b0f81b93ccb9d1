// Home Assistant's documented rules for a device discovery message, written down independently of discovery.ts so
// the tests judge our payload by HA's schema, not by itself. Sources: HA core homeassistant/components/mqtt
// (schemas.py DEVICE_DISCOVERY_SCHEMA: `dev` with identifiers or connections, `o` with a name, `cmps` each with a
// platform; MQTT_RW_SCHEMA: command_topic required for select, number, text, button; select also `options`; sensor and
// binary_sensor need state_topic) and the sensor docs (device classes, their units and state classes).

const ABBREVIATIONS: Record<string, string> = {
  dev: "device", o: "origin", cmps: "components", p: "platform", ids: "identifiers", mf: "manufacturer", mdl: "model",
  sw: "sw_version", hw: "hw_version", cu: "configuration_url", avty_t: "availability_topic", stat_t: "state_topic",
  cmd_t: "command_topic", uniq_id: "unique_id", val_tpl: "value_template", dev_cla: "device_class", stat_cla: "state_class",
  unit_of_meas: "unit_of_measurement", pl_avail: "payload_available", pl_not_avail: "payload_not_available",
};
const expand = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [ABBREVIATIONS[k] ?? k, v]));

/** Keys HA requires per platform (beyond `platform`); device discovery also wants a unique_id on every entity. */
export const REQUIRED_KEYS: Record<string, string[]> = {
  sensor: ["state_topic", "unique_id"],
  binary_sensor: ["state_topic", "unique_id"],
  select: ["command_topic", "options", "unique_id"],
  number: ["command_topic", "unique_id"],
  text: ["command_topic", "unique_id"],
  button: ["command_topic", "unique_id"],
};

const UNITS: Record<string, string[]> = {
  power: ["mW", "W", "kW", "MW", "GW", "TW", "BTU/h"],
  energy: ["J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"],
  duration: ["d", "h", "min", "s", "ms", "µs"],
};
const STATE_CLASSES: Record<string, (string | undefined)[]> = {
  power: ["measurement", undefined],
  energy: ["total", "total_increasing", undefined],
  monetary: ["total", undefined],
  duration: ["measurement", "total", "total_increasing", undefined],
  enum: [undefined],
};

/** Follows `value_json.a.b` in a template through the retained JSON; undefined when a step is missing. */
function follow(template: string, json: unknown): { path: string; found: boolean; value: unknown }[] {
  return [...template.matchAll(/value_json((?:\.\w+)+)/g)].map((m) => {
    let v: unknown = json;
    let found = true;
    for (const k of m[1]!.slice(1).split(".")) {
      if (v && typeof v === "object" && k in (v as object)) v = (v as Record<string, unknown>)[k];
      else { found = false; v = undefined; break; }
    }
    return { path: m[1]!.slice(1), found, value: v };
  });
}

/** Every rule the payload breaks, as text; `retained` maps topics to their retained payloads. */
export function haDiscoveryProblems(raw: Record<string, unknown>, retained: (topic: string) => string | undefined): string[] {
  const out: string[] = [];
  const d = expand(raw);
  const dev = d.device && typeof d.device === "object" ? expand(d.device as Record<string, unknown>) : null;
  if (!dev) out.push("device: missing");
  else {
    const ids = dev.identifiers;
    if (!(Array.isArray(ids) ? ids.length > 0 : typeof ids === "string" && ids !== "") && !dev.connections) out.push("device: needs identifiers or connections");
    if (typeof dev.name !== "string" || dev.name === "") out.push("device: no name");
  }
  const origin = d.origin && typeof d.origin === "object" ? (d.origin as Record<string, unknown>) : null;
  if (!origin || typeof origin.name !== "string" || origin.name === "") out.push("origin: name is required");
  const cmps = d.components;
  if (!cmps || typeof cmps !== "object") return [...out, "components: missing"];
  const uids = new Set<string>();
  for (const [key, rawC] of Object.entries(cmps as Record<string, Record<string, unknown>>)) {
    const c = expand(rawC);
    const p = c.platform;
    if (typeof p !== "string" || !(p in REQUIRED_KEYS)) { out.push(`${key}: platform ${JSON.stringify(p)} is not one HA supports here`); continue; }
    if (Object.keys(c).length === 1) continue; // platform only: HA's removal form
    for (const k of REQUIRED_KEYS[p]!) if (c[k] === undefined || c[k] === "") out.push(`${key} (${p}): ${k} is required`);
    if (typeof c.unique_id === "string") { if (uids.has(c.unique_id)) out.push(`${key}: unique_id ${c.unique_id} used twice`); uids.add(c.unique_id); }
    if (p === "select" && !(Array.isArray(c.options) && c.options.length > 0 && c.options.every((x) => typeof x === "string"))) out.push(`${key}: options must be a non-empty list of strings`);
    const dc = c.device_class as string | undefined;
    const unit = c.unit_of_measurement as string | undefined;
    const sc = c.state_class as string | undefined;
    if (p === "sensor" && dc) {
      if (UNITS[dc] && !UNITS[dc]!.includes(unit ?? "")) out.push(`${key}: unit ${JSON.stringify(unit)} is not valid for device_class ${dc}`);
      if (STATE_CLASSES[dc] && !STATE_CLASSES[dc]!.includes(sc)) out.push(`${key}: state_class ${JSON.stringify(sc)} is not valid for device_class ${dc}`);
      if (dc === "enum" && (!Array.isArray(c.options) || unit !== undefined)) out.push(`${key}: an enum sensor needs options and no unit`);
    }
    if (p === "sensor" && dc !== "enum" && c.options !== undefined) out.push(`${key}: options are only allowed with device_class enum`);
    if (p === "number" && !(Number(c.min ?? 1) < Number(c.max ?? 100) && Number(c.step ?? 1) > 0)) out.push(`${key}: number needs min < max and step > 0`);
    // The state the entity will read must be there, retained, and hold what the template asks for.
    for (const topicKey of ["state_topic", "json_attributes_topic"]) {
      const topic = c[topicKey];
      if (typeof topic !== "string") continue;
      const payload = retained(topic);
      if (payload === undefined || payload === "") { out.push(`${key}: nothing retained on its ${topicKey} ${topic}`); continue; }
      let json: unknown;
      try { json = JSON.parse(payload); } catch { out.push(`${key}: ${topic} does not hold JSON`); continue; }
      if (topicKey !== "state_topic" || typeof c.value_template !== "string") continue;
      for (const f of follow(c.value_template, json)) {
        if (!f.found) { out.push(`${key}: ${topic} has no ${f.path} for its value_template`); continue; }
        const numeric = p === "sensor" && (sc !== undefined || (dc !== undefined && dc !== "enum"));
        if (numeric && f.value !== null && typeof f.value !== "number") out.push(`${key}: ${f.path} = ${JSON.stringify(f.value)} is not a number`);
        if (p === "sensor" && dc === "enum" && !(c.options as string[]).includes(String(f.value))) out.push(`${key}: ${JSON.stringify(f.value)} is not one of its options`);
        if (p === "select" && !(c.options as string[]).includes(String(f.value))) out.push(`${key}: ${JSON.stringify(f.value)} is not one of its options`);
        if (p === "binary_sensor" && ![c.payload_on ?? "ON", c.payload_off ?? "OFF", "None"].includes(String(f.value))) out.push(`${key}: ${JSON.stringify(f.value)} is neither payload_on nor payload_off`);
      }
    }
  }
  if (typeof d.availability_topic === "string" && retained(d.availability_topic) !== (d.payload_available ?? "online")) out.push(`availability: ${d.availability_topic} does not hold the available payload`);
  return out;
}
