import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnOffpeak } from "../testing/child-processes.test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-demo-"));
const zeros = ["--hub-port", "--utility-port", "--clearinghouse-port", "--sim-port", "--sim-control-port", "--pevlink-port"].flatMap((f) => [f, "0"]);

async function runDemoUntil(re: RegExp, extra: string[] = [], dataDir = dir) {
  const demo = spawnOffpeak("demo", ["demo", "--speed", "60", "--data-dir", dataDir, ...zeros, ...extra]);
  try {
    await demo.waitFor(re, 40_000);
    const url = /Dashboard \(hub\):\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(demo.output())![1]!;
    assert.is((await fetch(url + "/healthz")).status, 200);
    demo.proc.kill("SIGINT");
    assert.is(await demo.proc.exited, 0, "Ctrl-C stops everything cleanly");
    assert.match(demo.output(), /offpeak demo: stopping/);
    return demo.output();
  } finally {
    await demo.stop();
  }
}

test("npm start (offpeak demo): everything comes up on loopback, the demo vehicle plugs in and binds (S1), Ctrl-C stops it all cleanly", async () => {
  const out = await runDemoUntil(/commissioning\.eumd-ack/);
  assert.match(out, /one-time setup code: [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/, "the setup code is printed");
  assert.match(out, /Dashboard \(hub\):\s+http:\/\/127\.0\.0\.1:\d+/);
  assert.match(out, / bound: vehicle 1HGCM82633A004352 bound to EV Time-of-Use/);
});

test("FR-28: npm start again on the same data: the vehicle re-binds by the short path (it kept its secret, like a real car)", async () => {
  const out = await runDemoUntil(/ bound: vehicle 1HGCM82633A004352/);
  assert.match(out, /pev\.proof-ok: PEV 1HGCM82633A004352 proved its secret/);
  // The first run's vehicle left while the hub was down: the resumed session ends with its unplug time flagged uncertain.
  assert.match(out, /unplug(\.uncertain)?: vehicle unplugged/, "the session resumed from the first run ends before the new one");
  assert.not.match(out, /is before the previous reading/, "simulated time continues from the first run, never backwards");
});

test("npm start -- --charger ocpp: the whole demo over OCPP 1.6J — the simulated charge point connects to the hub, its meter is the EUMD, the vehicle binds (S1) and charges", async () => {
  const ocppDir = mkdtempSync(join(tmpdir(), "offpeak-demo-ocpp-"));
  try {
    const out = await runDemoUntil(/commissioning\.eumd-ack/, ["--charger", "ocpp", "--ocpp-port", "0"], ocppDir);
    assert.match(out, /Charger \(OCPP 1\.6J\):\s+charge point SIM-CP-1 connects to ws:\/\/127\.0\.0\.1:\d+\/ocpp\//);
    assert.match(out, /ocpp SIM-CP-1: BootNotification from Offpeak SimCP: accepted/);
    assert.match(out, / bound: vehicle 1HGCM82633A004352 bound to EV Time-of-Use/);
    // The session event (`<time> fallback: ...`), not the hub's note that the charger has no communication-loss fallback.
    assert.not.match(out, /Z fallback:/, "the charger's meter was there as the EUMD at plug-in");
  } finally {
    rmSync(ocppDir, { recursive: true, force: true });
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
