import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function run(args: string[], timeoutMs = 20_000): Promise<{ code: number; out: string }> {
  const p = Bun.spawn([process.execPath, "system/cli/offpeak.ts", ...args], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { code, out: o + e };
}

test("every command answers --help with its usage and exit 0", async () => {
  for (const cmd of [["hub"], ["utility"], ["clearinghouse"], ["sim"], ["demo"], ["modbus", "read"]]) {
    const r = await run([...cmd, "--help"]);
    assert.is(r.code, 0, `${cmd.join(" ")} --help: ${r.out}`);
    assert.match(r.out.toLowerCase(), /usage|options/, cmd.join(" "));
  }
  const top = await run(["--help"]);
  assert.is(top.code, 0);
  for (const c of ["demo", "hub", "utility", "clearinghouse", "sim", "modbus read"]) assert.match(top.out, new RegExp(`\\n  ${c} `));
});

test("bad input on the command line: an unknown command, an unknown option, a missing config file, a config typo", async () => {
  const unknown = await run(["hbu"]);
  assert.is(unknown.code, 2);
  assert.match(unknown.out, /unknown command "hbu"/);
  const option = await run(["hub", "--prot", "80"]);
  assert.is(option.code, 2);
  assert.match(option.out, /offpeak hub: .*--prot/);
  const missing = await run(["hub", "--config", "/nonexistent/hub.toml"]);
  assert.is(missing.code, 2);
  assert.match(missing.out, /configuration error in \/nonexistent\/hub\.toml:\n  - the file does not exist/);
  const dir = mkdtempSync(join(tmpdir(), "offpeak-cli-"));
  writeFileSync(join(dir, "hub.toml"), "[session]\ncomm_wait_s = 59\n");
  const typo = await run(["hub", "--config", join(dir, "hub.toml")]);
  assert.is(typo.code, 2);
  assert.match(typo.out, /session\.comm_wait_s: must be at least 60 s/);
  // A bad option value is blamed on the option, even when the config file exists and is fine.
  writeFileSync(join(dir, "ok.toml"), "[session]\ncomm_wait_s = 90\n");
  for (const cmd of [["hub", "--config", join(dir, "ok.toml")], ["utility"], ["clearinghouse"]]) {
    const port = await run([...cmd, "--port", "abc"]);
    assert.is(port.code, 2, cmd[0]);
    assert.match(port.out, new RegExp(`offpeak ${cmd[0]}: --port must be a port number from 0 to 65535, got "abc"`), cmd[0]);
    assert.not.match(port.out, /configuration error/);
  }
  rmSync(dir, { recursive: true, force: true });
});

test("offpeak demo with a port already in use stops with an error naming the service, the port and the option", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "offpeak-cli-"));
  const r = await run(["demo", "--data-dir", dir, "--clearinghouse-port", String(port), "--utility-port", "0", "--hub-port", "0", "--sim-port", "0", "--sim-control-port", "0", "--pevlink-port", "0"]);
  blocker.close();
  rmSync(dir, { recursive: true, force: true });
  assert.is(r.code, 1);
  assert.match(r.out, new RegExp(`clearinghouse: port ${port} on 127\\.0\\.0\\.1 is already in use; stop the other program or pass --clearinghouse-port`));
});

test("offpeak demo --charger ocpp with the OCPP port taken names that port and --ocpp-port, not the hub's", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "offpeak-cli-"));
  const r = await run(["demo", "--data-dir", dir, "--charger", "ocpp", "--ocpp-port", String(port), "--clearinghouse-port", "0", "--utility-port", "0", "--hub-port", "0", "--sim-port", "0", "--sim-control-port", "0", "--pevlink-port", "0"]);
  blocker.close();
  rmSync(dir, { recursive: true, force: true });
  assert.is(r.code, 1);
  assert.match(r.out, new RegExp(`hub's OCPP central system: port ${port} on 127\\.0\\.0\\.1 is taken by another program; stop it or pass --ocpp-port`));
  const bad = await run(["demo", "--charger", "zigbee"]);
  assert.equal([bad.code, bad.out.trim()], [2, 'offpeak demo: --charger must be modbus or ocpp, got "zigbee"']);
});

test.run();
