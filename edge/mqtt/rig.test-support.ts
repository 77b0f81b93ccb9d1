// A hub on a test clock with device doubles and tariffs, its MQTT view on a real broker, and a watcher subscribed as
// Home Assistant would. Each rig uses its own base topic and discovery prefix, so suites sharing the broker never
// see each other's retained messages.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_TARIFFS, tariffById } from "../../core/tariff/index.ts";
import { TestClock } from "../../core/time/index.ts";
import type { MqttConfig } from "../config/schema.ts";
import { params, settings, VIN } from "../engine/harness.test-support.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "../hub/doubles.test-support.ts";
import { Hub } from "../hub/hub.ts";
import { HubStore } from "../store/hub-store.ts";
import { Watcher } from "./broker.test-support.ts";
import { MqttView, removeFromBroker, type MqttViewOptions } from "./mqtt-view.ts";
import { topicsFor, type Topics } from "./topics.ts";

export const TIME_ZONE = "America/Los_Angeles";
export const HUB_ID = "HUB-T1";

export interface Rig {
  clock: TestClock; store: HubStore; hub: Hub; charger: FakeCharger; eumd: FakeMeter; utility: FakeUtility;
  view: MqttView; watcher: Watcher; topics: Topics; config: MqttConfig; lines: string[];
  /** With `secondChargePoint`: charge point "garage-2"'s own engine and charger (issue 16 item 7). */
  second: { hub: Hub; charger: FakeCharger } | null;
  run(seconds: number): Promise<void>;
  plugAndBind(): Promise<void>;
  done(): Promise<void>;
}

/** `url`: the broker the hub's view uses; `watchUrl`: where the watcher subscribes (null: no watcher, e.g. a silent broker). */
export async function rig(o: { url: string; watchUrl?: string | null; commands?: boolean; view?: Partial<MqttViewOptions>; secondChargePoint?: boolean }): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-mqtt-"));
  const tag = Math.random().toString(36).slice(2, 8);
  const config: MqttConfig = { url: o.url, base_topic: `offpeak-test/${tag}`, discovery_prefix: `ha-test-${tag}`, commands: o.commands ?? true, enabled: true };
  // 2024-06-03 22:00 UTC = 15:00 in California: the example tariffs' peak, so cheaper hours lie ahead.
  const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));
  const store = new HubStore(join(dir, "hub.sqlite"));
  const charger = new FakeCharger();
  const eumd = new FakeMeter(clock, () => (charger.enabled && charger.state !== "A" ? 7200 : 0), 1000);
  const utility = new FakeUtility(() => params());
  const lines: string[] = [];
  const hub = new Hub({
    store, clock, settings: settings(), log: (l) => lines.push(l),
    ports: { charger, eumd, premisesMeter: null, pevLink: new FakePevLink(), utility, reports: null, displays: [] },
    tariffs: { premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: tariffById },
  });
  let second: Rig["second"] = null;
  if (o.secondChargePoint) {
    const charger2 = new FakeCharger();
    const eumd2 = new FakeMeter(clock, () => (charger2.enabled && charger2.state !== "A" ? 7200 : 0), 1000);
    const hub2 = new Hub({
      store, clock, settings: settings(), log: (l) => lines.push(l), chargePoint: { id: "garage-2", seqSlot: { index: 1, of: 1000 } },
      ports: { charger: charger2, eumd: eumd2, premisesMeter: null, pevLink: new FakePevLink(), utility, reports: null, displays: [] },
    });
    second = { hub: hub2, charger: charger2 };
  }
  hub.start();
  second?.hub.start();
  const topics = topicsFor(config, HUB_ID);
  const watchUrl = o.watchUrl === undefined ? o.url : o.watchUrl;
  const watcher = watchUrl === null ? null : await Watcher.connect(watchUrl, [`${config.discovery_prefix}/#`, `${config.base_topic}/#`]);
  const view = await MqttView.start({
    config, hubId: HUB_ID, hub, store, clock, timeZone: TIME_ZONE, tariffs: { premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: tariffById },
    log: (l) => lines.push(l), reconnectMinMs: 100, reconnectMaxMs: 1000, ...(second ? { hubs: [hub, second.hub] } : {}), ...o.view,
  });
  const run = async (seconds: number) => { await clock.advanceAsync(seconds * 1000, 1000); await hub.whenIdle(); await second?.hub.whenIdle(); };
  const r: Rig = {
    clock, store, hub, charger, eumd, utility, view, watcher: watcher as Watcher, topics, config, lines, run, second,
    async plugAndBind() {
      await run(2);
      charger.state = "B";
      await run(2);
      await hub.dispatch({ type: "pev.hello", vin: VIN });
      await run(2);
    },
    async done() {
      await view.stop();
      await hub.stop();
      await second?.hub.stop();
      store.close();
      if (watcher) {
        await removeFromBroker({ config: { ...config, url: watchUrl! }, hubId: HUB_ID, log: () => {}, ...(second ? { chargePoints: ["garage-2"] } : {}) }, 3000);
        await r.watcher.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return r;
}
