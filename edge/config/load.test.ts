import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "./load.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-cfg-"));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const errorOf = (f: () => unknown): ConfigError => { try { f(); } catch (e) { if (e instanceof ConfigError) return e; throw e; } throw new Error("no error"); };

test("no file at all: the demo defaults (127.0.0.1:8080, 60 s window, 15-minute intervals)", () => {
  const c = loadConfig(null, {});
  assert.is(c.hub.host, "127.0.0.1");
  assert.is(c.hub.port, 8080);
  assert.is(c.hub.lan, false);
  assert.is(c.session.comm_wait_s, 60);
  assert.is(c.session.interval_s, 900);
});

test("a TOML file is read and environment variables override it", () => {
  const p = file("a.toml", `[hub]\nport = 9000\n[session]\ncomm_wait_s = 120\n`);
  const c = loadConfig(p, { OFFPEAK_HUB_PORT: "9100", OFFPEAK_HUB_LAN: "false" });
  assert.is(c.hub.port, 9100);
  assert.is(c.hub.lan, false);
  assert.is(c.session.comm_wait_s, 120);
});

test("NFR-3: a comm-wait below 60 s in the config is refused naming the key and the reason", () => {
  const e = errorOf(() => loadConfig(file("b.toml", `[session]\ncomm_wait_s = 30\n`), {}));
  assert.match(e.message, /b\.toml/);
  assert.match(e.message, /session\.comm_wait_s: must be at least 60 s.*NFR-3/);
});

test("a typo in a key, a wrong type and bad TOML each get a clear error", () => {
  const typo = errorOf(() => loadConfig(file("c.toml", `[session]\ncom_wait_s = 90\n[hub]\nport = "eighty"\n`), {}));
  assert.match(typo.message, /session\.com_wait_s: unknown key/);
  assert.match(typo.message, /hub\.port:/);
  const broken = errorOf(() => loadConfig(file("d.toml", `[hub\nport = 1`), {}));
  assert.match(broken.message, /not valid TOML/);
  const missing = errorOf(() => loadConfig(join(dir, "nope.toml"), {}));
  assert.match(missing.message, /does not exist/);
  const tz = errorOf(() => loadConfig(null, { OFFPEAK_PREMISES_TIME_ZONE: "Mars/Olympus" }));
  assert.match(tz.message, /premises\.time_zone: is not an IANA time zone/);
});

test("BR-7, FR-21: the EUMD can be any supported meter wherever it sits: a panel SDM630 on RS485, a gateway, Zigbee, or none", () => {
  const p = file("e.toml", [
    "[devices.eumd]", 'driver = "modbus"', 'map = "eastron-sdm630"',
    'transport = { kind = "rtu", path = "/dev/ttyUSB0", baud_rate = 9600, parity = "even", stop_bits = 1, unit_id = 4 }',
    "[devices.premises_meter]", 'driver = "modbus"', 'map = "eastron-sdm120"', 'transport = { kind = "rtu-over-tcp", host = "192.0.2.7", port = 4196, unit_id = 1 }',
  ].join("\n"));
  const c = loadConfig(p, {});
  assert.equal(c.devices.eumd, { driver: "modbus", map: "eastron-sdm630", transport: { kind: "rtu", path: "/dev/ttyUSB0", baud_rate: 9600, parity: "even", stop_bits: 1, unit_id: 4, timeout_ms: 1000 } });
  assert.is(c.devices.premises_meter.driver, "modbus");
  const z = loadConfig(file("f.toml", '[devices.eumd]\ndriver = "zigbee"\nieee = "0x00124b0012345678"\n'), {});
  assert.equal(z.devices.eumd, { driver: "zigbee", ieee: "0x00124b0012345678", endpoint: 1 });
  const bad = errorOf(() => loadConfig(file("g.toml", '[devices.eumd]\ndriver = "zigbee"\nieee = "12:34"\n'), {}));
  assert.match(bad.message, /devices\.eumd\.ieee: must be an IEEE address/);
});

test("FR-20, FR-35: an optional [zigbee] section: absent means no Zigbee; tcp:// or a serial device, herdsman adapter names, defaults", () => {
  assert.is(loadConfig(null, {}).zigbee, undefined, "no section, no Zigbee");
  const net = loadConfig(file("z1.toml", '[zigbee]\npath = "tcp://192.0.2.10:6638"\nadapter = "zstack"\nprovider_id = 42\n'), {});
  assert.equal(net.zigbee, { path: "tcp://192.0.2.10:6638", adapter: "zstack", baud_rate: 115200, channel: 15, provider_id: 42 });
  const usb = loadConfig(file("z2.toml", '[zigbee]\npath = "/dev/ttyACM0"\nadapter = "ember"\nbaud_rate = 115200\nchannel = 20\n'), {});
  assert.equal([usb.zigbee?.path, usb.zigbee?.adapter, usb.zigbee?.channel], ["/dev/ttyACM0", "ember", 20]);
  const env = loadConfig(null, { OFFPEAK_ZIGBEE_PATH: "tcp://127.0.0.1:6638", OFFPEAK_ZIGBEE_ADAPTER: "deconz", OFFPEAK_ZIGBEE_BAUD_RATE: "38400" });
  assert.equal([env.zigbee?.adapter, env.zigbee?.baud_rate], ["deconz", 38400], "environment overrides reach [zigbee] too");
});

test("bad [zigbee] values are refused naming each key: path, adapter, baud rate, channel, provider ID, typos", () => {
  const e = errorOf(() => loadConfig(file("z3.toml", '[zigbee]\npath = "COM3"\nadapter = "conbee"\nbaud_rate = 12345\nchannel = 27\nprovider_id = -1\nchanel = 11\n'), {}));
  assert.match(e.message, /z3\.toml/);
  assert.match(e.message, /zigbee\.path: must be tcp:\/\/host:port .* or a serial device path like \/dev\/ttyACM0/);
  assert.match(e.message, /zigbee\.adapter: must be one of zstack, ember, deconz, zigate, zboss, zoh/);
  assert.match(e.message, /zigbee\.baud_rate: must be one of .*115200/);
  assert.match(e.message, /zigbee\.channel: must be a Zigbee channel 11\.\.26/);
  assert.match(e.message, /zigbee\.provider_id:/);
  assert.match(e.message, /zigbee\.chanel: unknown key/);
  const noAdapter = errorOf(() => loadConfig(file("z4.toml", '[zigbee]\npath = "tcp://127.0.0.1:6638"\n'), {}));
  assert.match(noAdapter.message, /zigbee\.adapter: must be one of/);
  const noPort = errorOf(() => loadConfig(file("z5.toml", '[zigbee]\npath = "tcp://127.0.0.1"\nadapter = "zstack"\n'), {}));
  assert.match(noPort.message, /zigbee\.path:/);
});

test("the configuration examples in the README and the Raspberry Pi guide are valid configs, key for key", () => {
  for (const doc of ["README.md", "docs/raspberry-pi.md"]) {
    const text = readFileSync(join(import.meta.dir, "../..", doc), "utf8");
    const example = /```toml\n([\s\S]*?)```/.exec(text)?.[1];
    assert.ok(example, `${doc} has a TOML example`);
    const c = loadConfig(file(`${doc.replace(/\W/g, "-")}.toml`, example!), {});
    assert.is(c.devices.charger.driver, "modbus", doc);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test("a bad OFFPEAK_* value is blamed on the variable, not on the config file", () => {
  const e = errorOf(() => loadConfig(null, { OFFPEAK_HUB_PORT: "abc" }, () => {}));
  assert.is(e.source, "the environment");
  assert.match(e.message, /hub\.port: .*\(from the environment: OFFPEAK_HUB_PORT="abc"\)/);
});

test("a misspelled OFFPEAK_* variable is reported with the nearest real name, not silently ignored", () => {
  const warnings: string[] = [];
  const c = loadConfig(null, { OFFPEAK_SESION_COMM_WAIT_S: "90", OFFPEAK_SIM_CLOCK: "x", OFFPEAK_SOMETHING_ELSE_ENTIRELY: "1" }, (l) => warnings.push(l));
  assert.is(c.session.comm_wait_s, 60, "the misspelled variable changed nothing");
  assert.equal(warnings, [
    "config: OFFPEAK_SESION_COMM_WAIT_S is not a configuration variable and is ignored; did you mean OFFPEAK_SESSION_COMM_WAIT_S?",
    "config: OFFPEAK_SOMETHING_ELSE_ENTIRELY is not a configuration variable and is ignored",
  ]);
});

test("an OCPP charger: [devices.charger] driver = \"ocpp\" and [ocpp] are read; each mistake names its key", () => {
  const ok = loadConfig(file("ocpp.toml", `[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "GARAGE-1"\npassword = "0123456789abcdef"\nmeter_is_eumd = true\n[devices.eumd]\ndriver = "none"\n[ocpp]\nport = 9887\n`), { OFFPEAK_OCPP_HOST: "127.0.0.1" });
  assert.equal(ok.devices.charger, { driver: "ocpp", charge_point_id: "GARAGE-1", password: "0123456789abcdef", meter_is_eumd: true, security_profile: 1, connector_id: 1 });
  assert.equal([ok.ocpp.host, ok.ocpp.port, ok.ocpp.path, ok.ocpp.unknown], ["127.0.0.1", 9887, "/ocpp/", "pending"]);
  const problems = (toml: string) => errorOf(() => loadConfig(file("bad-ocpp.toml", toml), {})).problems;
  assert.equal(problems(`[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "GARAGE 1"\npassword = "short"\n`), [
    "devices.charger.charge_point_id: must be 1-48 printable ASCII characters without spaces (the charger's OCPP identity)",
    "devices.charger.password: must be 16-40 characters (OCPP AuthorizationKey)",
  ]);
  assert.equal(problems(`[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "GARAGE-1"\n`), ["devices.charger.password: security profile 1 needs the charger's password (password or password_file, 16-40 characters)"]);
  assert.equal(problems(`[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "G"\npassword = "0123456789abcdef"\nmeter_is_eumd = true\n`),
    ['devices.eumd.driver: must be "none" when the OCPP charger\'s meter is the EUMD ([devices.charger] meter_is_eumd = true): one EUMD per session']);
  assert.equal(problems(`[devices.charger]\ndriver = "ocpp"\nsecurity_profile = 2\n[ocpp]\ntls = false\n`), ["ocpp.tls: security profile 2 ([devices.charger] security_profile) needs TLS; remove tls = false or choose profile 1"]);
  // The example in docs/hardware.md is a valid config.
  const doc = readFileSync(join(import.meta.dir, "../..", "docs/hardware.md"), "utf8");
  const example = [...doc.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((t) => t.includes('driver = "ocpp"'));
  assert.ok(example, "docs/hardware.md has an OCPP example");
  const fromDoc = loadConfig(file("hardware-ocpp.toml", example!), {});
  assert.equal([fromDoc.devices.charger.driver, fromDoc.devices.eumd.driver, fromDoc.ocpp.port], ["ocpp", "none", 8887]);
  assert.equal(problems(`[devices.charger]\ndriver = "ocpp"\nsecurity_profile = 0\n[ocpp]\npath = "ocpp"\nlisten = 1\n`), ["ocpp.path: must start and end with / (e.g. /ocpp/)", "ocpp.listen: unknown key (a typo?)"]);
});

test("issue 16 (7): [[charge_points]] add charge points beside [devices.charger], each with its charger and EUMD; each mistake names its entry and key", () => {
  const ok = loadConfig(file("two.toml", `[[charge_points]]\nid = "garage-2"\n[charge_points.charger]\ndriver = "ocpp"\ncharge_point_id = "CP-2"\npassword = "0123456789abcdef"\nmeter_is_eumd = true\n\n[[charge_points]]\nid = "bay-3"\n[charge_points.charger]\ndriver = "modbus"\nmap = "abb-terra-ac"\ntransport = { kind = "tcp", host = "10.0.0.9", port = 502 }\n[charge_points.eumd]\ndriver = "modbus"\nmap = "eastron-sdm120"\ntransport = { kind = "tcp", host = "10.0.0.9", port = 502, unit_id = 4 }\n`), {});
  assert.equal(ok.charge_points.map((c) => [c.id, c.charger.driver, c.eumd.driver]), [["garage-2", "ocpp", "none"], ["bay-3", "modbus", "modbus"]]);
  assert.is(ok.devices.charger.driver, "modbus", "[devices.charger] stays the first charge point");
  assert.equal(loadConfig(null, {}).charge_points, [], "zero-config: one charge point");
  const problems = (toml: string) => errorOf(() => loadConfig(file("bad-cps.toml", toml), {})).problems;
  const ocpp = (id: string, cp: string, extra = "") => `[[charge_points]]\nid = "${id}"\n[charge_points.charger]\ndriver = "ocpp"\ncharge_point_id = "${cp}"\npassword = "0123456789abcdef"\n${extra}`;
  assert.equal(problems(ocpp("a", "CP-1") + ocpp("a", "CP-1")), [
    'charge_points.1.id: "a" names two charge points; each needs its own id',
    'charge_points.1.charger.charge_point_id: "CP-1" is already the charge point of charge_points[0]',
  ]);
  assert.equal(problems(`[[charge_points]]\nid = "x y"\n[charge_points.charger]\ndriver = "none"\n`), [
    "charge_points.0.id: must hold only letters, digits and . _ : - and start with a letter or digit",
    "charge_points.0.charger.driver: a charge point needs a charger (modbus or ocpp)",
  ]);
  assert.equal(problems(`[[charge_points]]\nid = "x"\n[charge_points.charger]\ndriver = "none"\n`), ["charge_points.0.charger.driver: a charge point needs a charger (modbus or ocpp)"]);
  assert.equal(problems(`[[charge_points]]\nid = "x"\n[charge_points.charger]\ndriver = "ocpp"\n`), ["charge_points.0.charger.charge_point_id: is required here: only [devices.charger] may take the charge point the owner accepts on the dashboard"]);
  assert.equal(problems(ocpp("x", "CP-1", `meter_is_eumd = true\n[charge_points.eumd]\ndriver = "zigbee"\nieee = "0x00124b0012345678"\n`)), [
    'charge_points.0.eumd.driver: must be "none" when the OCPP charger\'s meter is the EUMD ([charge_points.0.charger] meter_is_eumd = true): one EUMD per session',
  ]);
  // The example in docs/hardware.md is a valid config.
  const doc = readFileSync(join(import.meta.dir, "../..", "docs/hardware.md"), "utf8");
  const example = [...doc.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((t) => t.includes("[[charge_points]]"));
  assert.equal(loadConfig(file("hardware-cps.toml", example!), {}).charge_points.map((c) => c.id), ["garage-2", "bay-3"]);
  assert.equal(problems(`[[charge_points]]\nid = "x"\nspeed = 3\n[charge_points.charger]\ndriver = "ocpp"\ncharge_point_id = "C"\npassword = "0123456789abcdef"\n`), ["charge_points.0.speed: unknown key (a typo?)"]);
});

test.run();
