// The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real hub on loopback,
// running on a 60× clock so the 60-second comm-wait window lasts one real second.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ScaledClock } from "../../../core/time/index.ts";
import { parseConfig } from "../../config/load.ts";
import { params, VIN } from "../../engine/harness.test-support.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "../../hub/doubles.test-support.ts";
import { startHub, type RunningHub } from "../../hub/runtime.ts";
import { premisesTariffs } from "../../hub/session-tariff.ts";
import { createDashboard, type Dashboard } from "./index.ts";

const CHROMIUM = process.env.OFFPEAK_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = resolve(new URL("../../../test-output/screenshots", import.meta.url).pathname);
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const PASSWORD = "correct horse battery";

let dir = "";
let h: RunningHub;
let dash: Dashboard;
let ctx: BrowserContext;
let page: Page;
const charger = new FakeCharger();
const utility = new FakeUtility(() => params());

async function shot(name: string) {
  for (const [label, width] of [["phone", 360], ["desktop", 1280]] as const) {
    await page.setViewportSize({ width, height: label === "phone" ? 780 : 900 });
    await page.waitForTimeout(50); // one layout pass after the resize
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
}

if (!existsSync(CHROMIUM)) {
  // A contributor without Chromium gets one line; CI must run them (.ci/run installs Chromium).
  if (process.env.CI === "true") throw new Error(`no Chromium at ${CHROMIUM}: CI requires the dashboard browser tests`);
  console.log(`SKIPPED dashboard browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set OFFPEAK_CHROMIUM)`);
} else {
  test.before(async () => {
    dir = mkdtempSync(join(tmpdir(), "offpeak-"));
    mkdirSync(SHOTS, { recursive: true });
    const clock = new ScaledClock(60);
    const config = parseConfig({ hub: { port: 0, data_dir: join(dir, "hub"), poll_ms: 2000 }, premises: { id: "PREM-1", utility_id: "UTIL-A" } }, "test");
    dash = createDashboard({ timeZone: config.premises.time_zone, tariffs: premisesTariffs(config.premises.default_tariff, () => {}), log: () => {} });
    h = await startHub({
      config, clock, log: () => {}, guard: dash.guard, mount: dash.mount,
      ports: { charger, eumd: new FakeMeter(clock, () => (charger.enabled ? 7200 : 0)), premisesMeter: null, pevLink: new FakePevLink(), utility, reports: null, displays: [] },
    });
    ctx = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = ctx.pages()[0] ?? (await ctx.newPage());
  });
  test.after(async () => {
    await ctx?.close();
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("first run: the setup code from the console sets the password; then login works and a wrong password is refused", async () => {
    const code = dash.setupCode();
    assert.ok(code && /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/.test(code), `setup code ${code}`);
    const printed: string[] = [];
    assert.ok(dash.printSetupCode((l) => printed.push(l), h.url));
    assert.ok(printed.some((l) => l.includes(code!)));
    await page.goto(h.url);
    await page.getByLabel("Setup code").fill(code!);
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await shot("setup");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("heading", { name: "Now", exact: true }).waitFor();
    assert.is(dash.setupCode(), null, "the setup code is one-time");
    const cookie = (await ctx.cookies(h.url)).find((c) => c.name === "offpeak_session");
    assert.ok(cookie, "session cookie set");
    assert.is(cookie!.httpOnly, true);
    assert.is(cookie!.sameSite, "Strict");
    assert.is(cookie!.path, "/");
    // Log out, fail once, log in.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("wrong password").waitFor();
    await shot("login");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Now", exact: true }).waitFor();
  });

  test("a request without the session cookie is refused; one with the cookie but no CSRF token too", async () => {
    const bare = await fetch(`${h.url}/api/v1/status`);
    assert.is(bare.status, 401);
    assert.match(((await bare.json()) as { error: { message: string } }).error.message, /log in/);
    const events = await fetch(`${h.url}/api/v1/events`);
    assert.is(events.status, 401);
    const health = await fetch(`${h.url}/healthz`);
    assert.is(health.status, 200, "/healthz stays public");
    const withCookie = await page.request.get(`${h.url}/api/v1/status`);
    assert.is(withCookie.status(), 200);
    const noToken = await page.request.post(`${h.url}/api/v1/dashboard/charge-mode`, { data: { mode: "charge-now" } });
    assert.is(noToken.status(), 403);
  });

  test("FR-17, FR-24: a session appears live as the car plugs in: waiting with the countdown, then bound to the program", async () => {
    await page.goto(`${h.url}/#/now`);
    await page.locator("op-now-page[data-ready]").waitFor();
    await shot("now-idle");
    charger.state = "B";
    await page.getByText("Waiting for the utility to confirm your car").waitFor({ timeout: 5000 });
    const countdown = await page.locator("#countdown").textContent();
    assert.match(countdown ?? "", /^\d+ s$/);
    await shot("now-waiting");
    await h.hub.dispatch({ type: "pev.hello", vin: VIN });
    await page.getByText(/Bound to/).waitFor({ timeout: 5000 });
    // Energy and power arrive live from the meter.
    await page.waitForFunction(() => {
      const app = document.querySelector("op-app")!.shadowRoot!;
      const now = app.querySelector("op-now-page")!.shadowRoot!;
      return /kW$/.test(now.querySelector("#power")?.textContent ?? "") && !/^0\.00/.test(now.querySelector("#energy")?.textContent ?? "0.00");
    }, undefined, { timeout: 10_000 });
    assert.match(await page.locator("#power").textContent() ?? "", /7\.2 kW/);
    await shot("now-bound");
    charger.state = "A";
    await page.getByText("Plug in your car to start a session").waitFor({ timeout: 5000 });
  });

  test("FR-10, BR-4: with the utility down, the page shows the fallback to the default rate after the window, with the reason", async () => {
    utility.down = true;
    charger.state = "B";
    await page.getByText("Waiting for the utility to confirm your car").waitFor({ timeout: 5000 });
    await h.hub.dispatch({ type: "pev.hello", vin: VIN });
    await page.getByText("Default rate: not bound to a program").waitFor({ timeout: 10_000 });
    await page.getByText("did not confirm the vehicle within the waiting window").waitFor();
    await shot("now-fallback");
  });

  test("the sessions page lists both sessions with their outcome, opens one, and downloads the CSV", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("heading", { name: "Sessions" }).waitFor();
    await page.locator("op-sessions-page tbody tr").nth(1).waitFor();
    assert.is(await page.locator("op-sessions-page tbody tr").count(), 2);
    await page.getByText("Default rate", { exact: false }).first().waitFor();
    await page.getByText(/Program/).first().waitFor();
    await shot("sessions");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#csv").click()]);
    const csvPath = join(dir, "sessions.csv");
    await download.saveAs(csvPath);
    const csv = await Bun.file(csvPath).text();
    const lines = csv.trim().split("\r\n");
    assert.is(lines.length, 3, csv);
    assert.match(lines[0]!, /^session_id,plugged_in_local \(America\/Los_Angeles\)/);
    assert.ok(lines.some((l) => l.includes(",fallback,") && l.includes("comm-timeout")), csv);
    assert.ok(lines.some((l) => l.includes(",program,")), csv);
    // One session: timeline and interval chart.
    await page.locator("op-sessions-page tbody tr").nth(1).getByRole("link").click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    await page.getByText(/bound/).first().waitFor();
    await shot("session-detail");
  });

  test("every other page renders, at phone and desktop width", async () => {
    charger.state = "A";
    for (const [hash, heading] of [["usage", "Usage and bills"], ["program", "Program"], ["devices", "Devices"], ["settings", "Settings"]] as const) {
      await page.goto(`${h.url}/#/${hash}`);
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await page.waitForFunction((p) => !document.querySelector("op-app")!.shadowRoot!.querySelector(`op-${p}-page`)!.shadowRoot!.textContent!.includes("Loading…"), hash);
      await shot(hash);
    }
    assert.ok(existsSync(join(SHOTS, "settings-phone.png")));
  });

}
test.run();
