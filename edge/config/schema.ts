// The hub's configuration: one TOML file, every key optional (the demo needs no file), validated at start-up.
// Unknown keys are errors, so a typo is reported instead of silently ignored.
import { z } from "zod";
import { ID_MAX_LENGTH, ID_PATTERN } from "../../core/ids/index.ts";
import { MIN_COMM_WAIT_S } from "../engine/settings.ts";

const id = z.string().max(ID_MAX_LENGTH).regex(ID_PATTERN, "must hold only letters, digits and . _ : - and start with a letter or digit");
const port = z.coerce.number().int().min(0).max(65535);
// Environment overrides arrive as strings: "false" must mean false (z.coerce.boolean would say true).
const flag = z.preprocess((v) => (typeof v === "string" ? ({ true: true, "1": true, yes: true, false: false, "0": false, no: false } as Record<string, boolean>)[v.toLowerCase()] ?? v : v), z.boolean());

const modbusTransport = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("tcp"), host: z.string().min(1), port, unit_id: z.coerce.number().int().min(0).max(247).default(1), timeout_ms: z.coerce.number().int().positive().default(1000) }),
  z.strictObject({ kind: z.literal("rtu-over-tcp"), host: z.string().min(1), port, unit_id: z.coerce.number().int().min(1).max(247).default(1), timeout_ms: z.coerce.number().int().positive().default(1000) }),
  z.strictObject({
    kind: z.literal("rtu"), path: z.string().min(1), baud_rate: z.coerce.number().int().positive().default(9600),
    parity: z.enum(["none", "even", "odd"]).default("none"), stop_bits: z.union([z.literal(1), z.literal(2)]).default(1),
    unit_id: z.coerce.number().int().min(1).max(247).default(1), timeout_ms: z.coerce.number().int().positive().default(1000),
  }),
]);

// An OCPP 1.6J charger connects to the hub's central system ([ocpp]). No charge_point_id: the first charge point the
// owner accepts on the dashboard becomes the hub's charger. security_profile 0 (no password) only when set explicitly.
const ocppCharger = z.strictObject({
  driver: z.literal("ocpp"),
  charge_point_id: z.string().regex(/^[\x21-\x7e]{1,48}$/, "must be 1-48 printable ASCII characters without spaces (the charger's OCPP identity)").optional(),
  security_profile: z.union([z.literal(0), z.literal(1), z.literal(2)], { error: "must be 0 (no password; only for a charger that can do nothing else), 1 (password) or 2 (TLS and password)" }).default(1),
  /** The charger's AuthorizationKey, 16-40 characters; or password_file. */
  password: z.string().min(16, "must be 16-40 characters (OCPP AuthorizationKey)").max(40, "must be 16-40 characters (OCPP AuthorizationKey)").optional(),
  password_file: z.string().min(1).optional(),
  /** The charger's own meter (MeterValues Energy.Active.Import.Register) is the EUMD; then [devices.eumd] is "none". */
  meter_is_eumd: flag.default(false),
  connector_id: z.coerce.number().int().min(1).max(8).default(1),
});

const device = z.discriminatedUnion("driver", [
  z.strictObject({ driver: z.literal("modbus"), map: z.string().min(1), transport: modbusTransport }),
  z.strictObject({ driver: z.literal("zigbee"), ieee: z.string().regex(/^0x[0-9a-fA-F]{16}$/, "must be an IEEE address like 0x00124b0012345678"), endpoint: z.coerce.number().int().min(1).max(240).default(1) }),
  z.strictObject({ driver: z.literal("none") }),
]);

const chargerDevice = z.discriminatedUnion("driver", [...device.options, ocppCharger]);

// The adapter names zigbee-herdsman 10.9.5 accepts (Adapter.create), minus the deprecated "ezsp".
export const ZIGBEE_ADAPTERS = ["zstack", "ember", "deconz", "zigate", "zboss", "zoh"] as const;
// The rates the hub's serial bridge can set with stty (drivers/zigbee/serial-bridge.ts).
const ZIGBEE_BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/** Absent = no Zigbee. `path` is tcp://host:port (network coordinator, ser2net) or a serial device the hub bridges itself. */
const zigbee = z.strictObject({
  path: z.string().refine((p) => /^tcp:\/\/[^/\s]+:\d{1,5}$/.test(p) || /^\/dev\/\S+$/.test(p), "must be tcp://host:port (a network coordinator or ser2net) or a serial device path like /dev/ttyACM0"),
  adapter: z.enum(ZIGBEE_ADAPTERS, { error: `must be one of ${ZIGBEE_ADAPTERS.join(", ")} (zigbee-herdsman adapter names)` }),
  baud_rate: z.coerce.number().int().refine((b) => ZIGBEE_BAUD_RATES.includes(b), `must be one of ${ZIGBEE_BAUD_RATES.join(", ")}`).default(115200),
  channel: z.coerce.number().int().min(11, "must be a Zigbee channel 11..26").max(26, "must be a Zigbee channel 11..26").default(15),
  /** The utility's provider ID in PublishPrice (SE 1.2 D.4.2.4.1.1). */
  provider_id: z.coerce.number().int().min(0).max(0xfffffffe).default(0),
});

// An MQTT topic level path the hub publishes under: no wildcards, no empty levels, no leading or trailing slash.
const topicPath = z.string().min(1).max(200).regex(/^[^/#+\s\u0000]+(\/[^/#+\s\u0000]+)*$/, "must be a topic path like offpeak/garage: levels separated by /, no + or # wildcards, no spaces, no empty levels");

/** Absent = no MQTT (the mqtt package is not even loaded). See docs/home-assistant.md. */
const mqtt = z.strictObject({
  url: z.string().refine((u) => { try { const p = new URL(u); return (p.protocol === "mqtt:" || p.protocol === "mqtts:") && p.hostname !== ""; } catch { return false; } }, "must be mqtt://host[:port] or mqtts://host[:port] (TLS)"),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Default offpeak-<hub id>. */
  client_id: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces").optional(),
  /** Default offpeak/<hub id>. */
  base_topic: topicPath.optional(),
  /** Home Assistant's discovery prefix. */
  discovery_prefix: topicPath.default("homeassistant"),
  /** PEM file of the CA that signed the broker's certificate (mqtts:// with a private CA). */
  ca_file: z.string().min(1).optional(),
  /** Accept charge mode, departure, energy needed and DR opt-out over MQTT (off by default: MQTT is a view). */
  commands: flag.default(false),
  /** false = connect once, remove the retained discovery and state, and stay off (turning MQTT off cleanly). */
  enabled: flag.default(true),
});

/** The hub's OCPP 1.6J central system: used when [devices.charger] driver = "ocpp". See docs/hardware.md. */
const ocpp = z.strictObject({
  /** 0.0.0.0 to let chargers on the LAN connect (the default: a charger is never on the hub's loopback). */
  host: z.string().min(1).default("0.0.0.0"),
  port: port.default(8887),
  path: z.string().regex(/^\/([A-Za-z0-9._~-]+\/)*$/, "must start and end with / (e.g. /ocpp/)").default("/ocpp/"),
  /** wss:// with the hub's own certificate (security profile 2). Default: on when the charger's security_profile is 2. */
  tls: flag.optional(),
  /** Host names and IP addresses chargers use to reach the hub, for the certificate (made once). */
  tls_names: z.array(z.string().min(1)).default([]),
  /** What a charge point the hub does not know is answered at boot; either way the dashboard lists it. */
  unknown: z.enum(["pending", "rejected"]).default("pending"),
  heartbeat_interval_s: z.coerce.number().int().min(10).max(86_400).default(300),
  meter_value_sample_interval_s: z.coerce.number().int().min(1).max(3600).default(10),
  /** The program's rule: may the charger authorize locally while the hub is away. */
  local_authorize_offline: flag.default(false),
});

const configObject = z.strictObject({
  hub: z.strictObject({
    id: id.default("HUB-DEMO-1"),
    host: z.string().default("127.0.0.1"),
    port: port.default(8080),
    /** Opt-in: serve the dashboard on the LAN (0.0.0.0) instead of loopback only. */
    lan: flag.default(false),
    /** Extra Host names the dashboard answers to (besides loopback, this machine's name and addresses): a DNS name you gave the hub. */
    allowed_hosts: z.array(z.string().min(1)).default([]),
    data_dir: z.string().default("./data/hub"),
    poll_ms: z.coerce.number().int().min(100).max(60_000).default(1000),
    speed: z.coerce.number().positive().max(3600).default(1),
  }).prefault({}),
  premises: z.strictObject({
    id: id.default("PREM-DEMO-1001"),
    utility_id: id.default("UTIL-DEMO"),
    time_zone: z.string().default("America/Los_Angeles").refine((tz) => { try { new Intl.DateTimeFormat("en-US", { timeZone: tz }); return true; } catch { return false; } }, "is not an IANA time zone (e.g. America/Los_Angeles)"),
    default_tariff: z.string().default("pge-e-tou-c"),
  }).prefault({}),
  session: z.strictObject({
    comm_wait_s: z.coerce.number().int().min(MIN_COMM_WAIT_S, `must be at least ${MIN_COMM_WAIT_S} s: the PEV waits at least one minute for the utility (NFR-3)`).max(3600).default(60),
    interval_s: z.coerce.number().int().refine((s) => s >= 60 && s <= 3600 && 3600 % s === 0, "must divide an hour evenly (60, 300, 900, 1800, 3600 ...)").default(900),
    fallback: z.enum(["charge-now", "wait-off-peak"]).default("charge-now"),
    max_current_a: z.coerce.number().int().min(6).max(80).default(32),
    voltage_v: z.coerce.number().int().min(100).max(480).default(240),
  }).prefault({}),
  utility: z.strictObject({
    url: z.string().url().default("http://127.0.0.1:8081"),
    /** Where the utility's credential-signing public key is kept once paired. */
    key_file: z.string().optional(),
  }).prefault({}),
  pevlink: z.strictObject({
    host: z.string().default("127.0.0.1"),
    port: port.default(8090),
    /** Use a vehicle ID the EVSE reports (EVCCID, RFID, VIN) when no vehicle opens a secure link (ID-only). */
    id_only: flag.default(true),
  }).prefault({}),
  devices: z.strictObject({
    charger: chargerDevice.default({ driver: "modbus", map: "offpeak-sim-evse", transport: { kind: "tcp", host: "127.0.0.1", port: 1502, unit_id: 1, timeout_ms: 1000 } }),
    eumd: device.default({ driver: "modbus", map: "eastron-sdm120", transport: { kind: "tcp", host: "127.0.0.1", port: 1502, unit_id: 2, timeout_ms: 1000 } }),
    premises_meter: device.default({ driver: "modbus", map: "eastron-sdm630", transport: { kind: "tcp", host: "127.0.0.1", port: 1502, unit_id: 3, timeout_ms: 1000 } }),
  }).prefault({}),
  /**
   * More charge points beside [devices.charger] (issue 16 item 7): each runs its own session engine with its own EUMD
   * (the OCPP charger's meter, or a sub-meter), comm-wait window and binding. Absent: the one charger, as before.
   */
  charge_points: z.array(z.strictObject({
    /** How the hub, its store, the dashboard, MQTT and the utility name this charge point. */
    id,
    charger: chargerDevice,
    eumd: device.default({ driver: "none" }),
  })).max(500).default([]),
  zigbee: zigbee.optional(),
  mqtt: mqtt.optional(),
  ocpp: ocpp.prefault({}),
});

type ChargerSetting = z.infer<typeof chargerDevice>;
type DeviceSetting = z.infer<typeof device>;

/** The OCPP rules of one charge point; `at` is where its keys live (["devices"] or ["charge_points", n]). */
function checkOcppCharger(ch: ChargerSetting, eumd: DeviceSetting, at: (string | number)[], eumdAt: (string | number)[], tlsOff: boolean, ctx: z.RefinementCtx): void {
  if (ch.driver !== "ocpp") return;
  const where = at.join(".");
  if (ch.security_profile !== 0 && ch.charge_point_id !== undefined && !ch.password && !ch.password_file) {
    ctx.addIssue({ code: "custom", path: [...at, "password"], message: `security profile ${ch.security_profile} needs the charger's password (password or password_file, 16-40 characters)` });
  }
  if (ch.password && ch.password_file) ctx.addIssue({ code: "custom", path: [...at, "password_file"], message: "give password or password_file, not both" });
  if (ch.security_profile === 2 && tlsOff) ctx.addIssue({ code: "custom", path: ["ocpp", "tls"], message: `security profile 2 ([${where}] security_profile) needs TLS; remove tls = false or choose profile 1` });
  if (ch.meter_is_eumd && eumd.driver !== "none") {
    ctx.addIssue({ code: "custom", path: [...eumdAt, "driver"], message: `must be "none" when the OCPP charger's meter is the EUMD ([${where}] meter_is_eumd = true): one EUMD per session` });
  }
}

/** Rules across sections; each problem names the key to change. */
export const configSchema = configObject.superRefine((c, ctx) => {
  const tlsOff = c.ocpp.tls === false;
  checkOcppCharger(c.devices.charger, c.devices.eumd, ["devices", "charger"], ["devices", "eumd"], tlsOff, ctx);
  const ids = new Set<string>();
  const ocppIds = new Map<string, string>();
  if (c.devices.charger.driver === "ocpp" && c.devices.charger.charge_point_id) ocppIds.set(c.devices.charger.charge_point_id, "devices.charger");
  c.charge_points.forEach((cp, n) => {
    checkOcppCharger(cp.charger, cp.eumd, ["charge_points", n, "charger"], ["charge_points", n, "eumd"], tlsOff, ctx);
    if (ids.has(cp.id)) ctx.addIssue({ code: "custom", path: ["charge_points", n, "id"], message: `${JSON.stringify(cp.id)} names two charge points; each needs its own id` });
    ids.add(cp.id);
    if (cp.charger.driver === "none") ctx.addIssue({ code: "custom", path: ["charge_points", n, "charger", "driver"], message: "a charge point needs a charger (modbus or ocpp)" });
    if (cp.charger.driver === "ocpp") {
      if (cp.charger.charge_point_id === undefined) ctx.addIssue({ code: "custom", path: ["charge_points", n, "charger", "charge_point_id"], message: "is required here: only [devices.charger] may take the charge point the owner accepts on the dashboard" });
      else if (ocppIds.has(cp.charger.charge_point_id)) ctx.addIssue({ code: "custom", path: ["charge_points", n, "charger", "charge_point_id"], message: `${JSON.stringify(cp.charger.charge_point_id)} is already the charge point of ${ocppIds.get(cp.charger.charge_point_id)}` });
      else ocppIds.set(cp.charger.charge_point_id, `charge_points[${n}]`);
    }
  });
});

export type HubConfig = z.infer<typeof configSchema>;
export type DeviceConfig = z.infer<typeof device>;
export type ChargerConfig = z.infer<typeof chargerDevice>;
export type OcppChargerConfig = z.infer<typeof ocppCharger>;
export type OcppConfig = z.infer<typeof ocpp>;
export type ChargePointConfig = HubConfig["charge_points"][number];
export type ZigbeeConfig = z.infer<typeof zigbee>;
export type MqttConfig = z.infer<typeof mqtt>;
