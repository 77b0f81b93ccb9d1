import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnChild } from "../system/testing/child-processes.test-support.ts";

test("the single-executable build runs the hub and serves the embedded dashboard with no project files around it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-pi-"));
  try {
    const build = Bun.spawn([process.execPath, "scripts/build-pi.ts", "--target", "x64", "--out", join(dir, "out")], { stdout: "pipe", stderr: "pipe" });
    const [err, code] = await Promise.all([new Response(build.stderr).text(), build.exited]);
    assert.is(code, 0, err);
    const exe = join(dir, "out", "offpeak-linux-x64");
    const cfg = join(dir, "hub.toml");
    writeFileSync(cfg, `[hub]\nport = 0\ndata_dir = "${join(dir, "data")}"\n[pevlink]\nport = 0\n[devices.charger]\ndriver = "none"\n[devices.eumd]\ndriver = "none"\n[devices.premises_meter]\ndriver = "none"\n`);
    const hub = spawnChild("offpeak executable", [exe, "hub", "--config", cfg, "--no-sync"], {}, dir);
    const url = (await hub.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
    const page = await fetch(url + "/");
    assert.is(page.status, 200);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, "index.html names its script");
    const js = await fetch(url + script);
    assert.is(js.status, 200);
    assert.match(js.headers.get("cache-control") ?? "", /immutable/);
    assert.match(hub.output(), /one-time setup code/);
    hub.proc.kill("SIGINT");
    assert.is(await hub.proc.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
