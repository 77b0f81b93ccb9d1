import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
