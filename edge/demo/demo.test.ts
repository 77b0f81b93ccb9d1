import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("npm start (offpeak demo): everything comes up on loopback, the demo vehicle plugs in and binds, Ctrl-C stops it all cleanly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-demo-"));
  const zeros = ["--hub-port", "--utility-port", "--clearinghouse-port", "--sim-port", "--sim-control-port", "--pevlink-port"].flatMap((f) => [f, "0"]);
  const p = Bun.spawn([process.execPath, "edge/cli/offpeak.ts", "demo", "--speed", "60", "--data-dir", dir, ...zeros], { stdout: "pipe", stderr: "pipe" });
  const reader = p.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 40_000;
  const seen = (re: RegExp) => re.test(out);
  try {
    while (!(seen(/Press Ctrl-C/) && seen(/ bound: vehicle 1HGCM82633A004352/) && seen(/commissioning\.eumd-ack/)) && Date.now() < deadline) {
      const { value, done } = await Promise.race([reader.read(), Bun.sleep(1000).then(() => ({ value: undefined, done: false }))]);
      if (done) break;
      if (value) out += new TextDecoder().decode(value);
    }
    assert.match(out, /one-time setup code: [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/, "the setup code is printed");
    assert.match(out, /Dashboard \(hub\):\s+http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, / bound: vehicle 1HGCM82633A004352 bound to EV Time-of-Use/, out.slice(-3000));
    const url = /Dashboard \(hub\):\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    assert.is((await fetch(url + "/healthz")).status, 200);
    p.kill("SIGINT");
    const code = await p.exited;
    for (;;) { const { value, done } = await reader.read(); if (done) break; out += new TextDecoder().decode(value); }
    assert.is(code, 0);
    assert.match(out, /offpeak demo: stopping/);
  } finally {
    p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
