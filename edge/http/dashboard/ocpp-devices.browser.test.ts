// The Devices page with an OCPP charger, in a real browser (Debian's chromium via playwright-core) against a whole hub
// process: an unknown charge point waits for the owner, who accepts it with one click; a vehicle tag is registered in
// the form. The charge point is the simulator's, connecting over a real WebSocket.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ScaledClock } from "../../../core/time/index.ts";
import { startSimulator, type Simulator } from "../../../drivers/sim/index.ts";
import { parseConfig } from "../../config/load.ts";
import { VIN } from "../../engine/harness.test-support.ts";
import { startHubProcess, type RunningHubProcess } from "../../hub/hub-process.ts";

const CHROMIUM = process.env.OFFPEAK_CHROMIUM ?? "/usr/bin/chromium";
const PASSWORD = "correct horse battery";
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let dir = "";
let h: RunningHubProcess;
let sim: Simulator;
let ctx: BrowserContext;
let page: Page;

if (!existsSync(CHROMIUM)) {
  // A contributor without Chromium gets one line; CI must run them (.ci/run installs Chromium).
  if (process.env.CI === "true") throw new Error(`no Chromium at ${CHROMIUM}: CI requires the OCPP devices browser test`);
  console.log(`SKIPPED OCPP devices browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set OFFPEAK_CHROMIUM)`);
} else {
  test.before(async () => {
    dir = mkdtempSync(join(tmpdir(), "offpeak-"));
    const clock = new ScaledClock(10);
    const config = parseConfig({
      hub: { port: 0, data_dir: join(dir, "hub"), poll_ms: 2000 },
      pevlink: { port: 0 },
      devices: { charger: { driver: "ocpp", meter_is_eumd: true }, eumd: { driver: "none" }, premises_meter: { driver: "none" } },
      ocpp: { host: "127.0.0.1", port: 0 },
    }, "test");
    h = await startHubProcess(config, { sync: false, dashboard: true, clock, log: () => {} });
    sim = await startSimulator({ clock });
    sim.startOcppChargePoint({ url: h.ocpp!.url, id: "GARAGE-7", password: "garage-seven-password", clock });
    ctx = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
  });
  test.after(async () => {
    await ctx?.close();
    await sim?.close();
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("issue 16: the owner sees the pending charge point on the Devices page, accepts it with one click, and registers a vehicle tag", async () => {
    await page.goto(h.url);
    await page.getByLabel("Setup code").fill(h.dashboard!.setupCode()!);
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("heading", { name: "Now", exact: true }).waitFor();
    await page.goto(`${h.url}/#devices`);
    await page.getByRole("heading", { name: "OCPP charge point" }).waitFor();
    await page.getByText(/GARAGE-7 \(Offpeak SimCP/).waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Accept" }).click();
    await page.getByText("Charge point GARAGE-7 accepted.").waitFor();
    await page.getByText(/GARAGE-7: connected, Offpeak SimCP/).waitFor({ timeout: 15_000 });
    assert.is(h.ocpp!.view().chargePoint?.id, "GARAGE-7");
    await page.getByLabel("Tag").fill("VID:0A1B2C3D4E5F");
    await page.getByLabel("VIN").fill(VIN);
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByText("Vehicle tag registered.").waitFor();
    assert.is(h.store.vinForTag("VID:0A1B2C3D4E5F"), VIN);
    await page.getByLabel("Tag").fill("CARD-2");
    await page.getByLabel("VIN").fill("not a vin");
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByText(/^Vehicle tag: .*VIN/).waitFor();
    assert.is(h.store.vinForTag("CARD-2"), null);
  });
}

test.run();
