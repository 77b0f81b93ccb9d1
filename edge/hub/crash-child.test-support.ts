// A hub process for the crash test: real store, scaled clock, doubles for devices. The EUMD register grows
// 2 Wh per simulated second from the anchor, so the energy owed is known exactly whatever happens to the process.
// argv: dataDir anchorRealMs anchorSimMs speed
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Charger, ChargerStatus, Meter, MeterReading } from "../../core/ports/index.ts";
import { ScaledClock } from "../../core/time/index.ts";
import type { W, Wh } from "../../core/units/index.ts";
import { params, settings, VIN } from "../engine/harness.test-support.ts";
import { HubStore } from "../store/hub-store.ts";
import { FakePevLink, FakeUtility } from "./doubles.test-support.ts";
import { Hub } from "./hub.ts";

const [dir, realMs, simMs, speed] = process.argv.slice(2);
const clock = new ScaledClock(Number(speed), { realMs: Number(realMs), simMs: Number(simMs) });
const store = new HubStore(join(dir!, "hub.sqlite"));
const unplugFile = join(dir!, "unplug");
// The charger's own session counter stays the same across the restart: the same vehicle is still plugged in.
let enabled = true;
const charger: Charger = {
  limits: { minCurrentA: 6, maxCurrentA: 32, phases: 1, voltageV: 240 },
  async readStatus(): Promise<ChargerStatus> { return { state: existsSync(unplugFile) ? "A" : "C", enabled, currentLimitA: 32, sessionId: "7" }; },
  async setEnabled(on: boolean) { enabled = on; }, async setCurrentLimit() {}, async close() {},
};
const eumd: Meter = {
  async read(): Promise<MeterReading> {
    const wh = Math.floor(((clock.nowMs() - Number(simMs)) / 1000) * 2);
    const baseline = join(dir!, "baseline");
    if (!existsSync(baseline)) writeFileSync(baseline, String(wh));
    return { energyWh: wh as Wh, powerW: 7200 as W, at: clock.now() };
  },
  async close() {},
};
let hub: Hub;
class LinkThatSaysHello extends FakePevLink {
  override open(id: string) { super.open(id); queueMicrotask(() => void hub.dispatch({ type: "pev.hello", vin: VIN })); }
}
hub = new Hub({ store, clock, settings: settings({ intervalS: 60 }), pollMs: 5000, log: (l) => { if (process.env.OFFPEAK_CRASH_LOG) console.error(l); },
  ports: { charger, eumd, premisesMeter: null, pevLink: new LinkThatSaysHello(), utility: new FakeUtility(() => params({ intervalS: 60 })), reports: null, displays: [] } });
hub.start();
hub.onChange((c) => {
  if (c.kind === "step" && c.commands.some((x) => x.type === "pevlink.close")) {
    void hub.stop().then(() => { store.close(); writeFileSync(join(dir!, "done"), "1"); process.exit(0); });
  }
});
