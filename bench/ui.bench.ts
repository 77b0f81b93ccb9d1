// Dashboard figures: the bundle's gzip size, meter reading at the hub → number changed on screen (p95, loopback,
// headless Chromium), and first render of the Now page after navigation.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Meter, MeterReading } from "../core/ports/index.ts";
import { RealClock } from "../core/time/index.ts";
import type { W, Wh } from "../core/units/index.ts";
import { parseConfig } from "../edge/config/index.ts";
import { params, VIN } from "../edge/engine/harness.test-support.ts";
import { FakeCharger, FakePevLink, FakeUtility } from "../edge/hub/doubles.test-support.ts";
import { startHub } from "../edge/hub/index.ts";
import { createDashboard, ensureUiBuilt } from "../edge/http/index.ts";
import { premisesTariffs } from "../edge/hub/session-tariff.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
const dist = join(dir, "dist");
await ensureUiBuilt(dist);
const jsFiles = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"));
const gz = jsFiles.reduce((a, f) => a + Bun.gzipSync(readFileSync(join(dist, "assets", f))).length, 0);
console.log(`ui.bundle_gzip_kb: ${(gz / 1024).toFixed(1)} KB`);

const CHROMIUM = process.env.OFFPEAK_CHROMIUM ?? "/usr/bin/chromium";
if (!(await Bun.file(CHROMIUM).exists())) {
  console.error(`no Chromium at ${CHROMIUM}: browser figures skipped`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** A meter whose power steps by 100 W each read, so every reading changes the number on screen; read times are kept. */
class SteppingMeter implements Meter {
  wh = 0;
  n = 0;
  readAtMs = new Map<string, number>();
  constructor(private readonly clock: RealClock) {}
  async read(): Promise<MeterReading> {
    this.n++;
    const powerW = 1000 + (this.n % 60) * 100;
    this.wh += 10;
    this.readAtMs.set((powerW / 1000).toFixed(1), Date.now());
    return { energyWh: this.wh as Wh, powerW: powerW as W, at: this.clock.now() };
  }
  async close() {}
}

const clock = new RealClock();
const meter = new SteppingMeter(clock);
const charger = new FakeCharger();
const config = parseConfig({ hub: { port: 0, data_dir: join(dir, "hub"), poll_ms: 150 } }, "bench");
const dash = createDashboard({ timeZone: config.premises.time_zone, tariffs: premisesTariffs(config.premises.default_tariff, console.log), log: () => {}, distDir: dist });
const h = await startHub({
  config, clock, log: () => {}, guard: dash.guard, mount: dash.mount,
  ports: { charger, eumd: meter, premisesMeter: null, pevLink: new FakePevLink(), utility: new FakeUtility(() => params()), reports: null, displays: [] },
});
const setup = await fetch(`${h.url}/api/v1/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: dash.setupCode(), password: "benchmark password" }) });
const token = /offpeak_session=([^;]+)/.exec(setup.headers.get("set-cookie") ?? "")![1]!;
charger.state = "B";
await Bun.sleep(300);
await h.hub.dispatch({ type: "pev.hello", vin: VIN });

const ctx = await chromium.launchPersistentContext(join(dir, "profile"), {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
await ctx.addCookies([{ name: "offpeak_session", value: token, url: h.url }]);
const page = ctx.pages()[0] ?? (await ctx.newPage());

// First render of Now after navigation: a full page load (cold bundle each time: cache disabled by a fresh page).
const renders: number[] = [];
for (let i = 0; i < 6; i++) {
  await page.goto("about:blank");
  const t0 = performance.now();
  await page.goto(`${h.url}/#/now`);
  await page.waitForFunction(() => document.querySelector("op-app")?.shadowRoot?.querySelector("op-now-page[data-ready]") != null, undefined, { polling: "raf" });
  renders.push(performance.now() - t0);
}
renders.sort((a, b) => a - b);
console.log(`ui.now_first_render_ms: ${renders[Math.floor(renders.length / 2)]!.toFixed(0)} ms`);

// Reading → screen: the page stamps each change of the power figure after the frame that shows it.
await page.evaluate(() => {
  const w = window as unknown as { __changes: [string, number][] };
  w.__changes = [];
  const el = document.querySelector("op-app")!.shadowRoot!.querySelector("op-now-page")!.shadowRoot!.querySelector("#power")!;
  new MutationObserver(() => {
    const text = el.textContent ?? "";
    requestAnimationFrame(() => w.__changes.push([text, Date.now()]));
  }).observe(el, { subtree: true, characterData: true, childList: true });
});
await Bun.sleep(8000);
const changes = await page.evaluate(() => (window as unknown as { __changes: [string, number][] }).__changes);
const lat: number[] = [];
for (const [text, at] of changes) {
  const kw = /([\d.]+) kW/.exec(text)?.[1];
  const readAt = kw ? meter.readAtMs.get(kw) : undefined;
  if (readAt !== undefined && at >= readAt) lat.push(at - readAt);
}
lat.sort((a, b) => a - b);
if (lat.length < 10) throw new Error(`only ${lat.length} readings reached the screen`);
console.log(`ui.reading_to_screen_p95_ms: ${lat[Math.floor(lat.length * 0.95)]!.toFixed(0)} ms`);
console.log(`ui.reading_to_screen_p50_ms: ${lat[Math.floor(lat.length * 0.5)]!.toFixed(0)} ms`);

await ctx.close();
await h.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
