// The broker goes away in the middle of a session (a private Mosquitto this test kills and restarts, losing every
// retained message), or never answers at all (a TCP listener that accepts and stays silent). Either way the hub keeps
// charging and metering, the session record is unharmed, and the MQTT view catches up when a broker is back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PrivateBroker, SilentBroker, Watcher } from "./broker.test-support.ts";
import { rig } from "./rig.test-support.ts";

const hasMosquitto = Bun.which("mosquitto") !== null;
if (!hasMosquitto) {
  const msg = "edge/mqtt/broker-outage.test.ts: mosquitto is not installed";
  if (process.env.CI === "true") throw new Error(`${msg}; CI must install it (apt-get install mosquitto)`);
  console.log(`${msg}; suite skipped`);
}

if (hasMosquitto) {
  test("issue 17: broker restart mid-session: state and discovery are re-published, the session is unharmed", async () => {
    const broker = await PrivateBroker.start();
    const r = await rig({ url: broker.url });
    try {
      await r.plugAndBind();
      await r.run(300);
      const before = await r.watcher.waitForJson<{ energyWh: number; bindingState: string }>(r.topics.state("session"), (s) => s.bindingState === "bound" && (s.energyWh as number) > 0);
      await r.watcher.close();
      await broker.down();
      // While the broker is gone the hub charges and meters on, and the view's queue stays bounded.
      await r.run(1200);
      assert.is(r.charger.enabled, true);
      const duringWh = r.hub.snapshot().session!.metering.totalWh;
      assert.ok(duringWh > before.energyWh + 2000, `metering went on: ${before.energyWh} → ${duringWh} Wh`);
      assert.ok(r.view.stats.pending <= 64, `bounded: ${r.view.stats.pending}`);
      assert.not.ok(r.view.connected);
      await broker.up();
      // A Home Assistant starting after the restart sees the device and the state again, from retained messages alone.
      const ha = await Watcher.connect(broker.url, [`${r.config.discovery_prefix}/#`, `${r.config.base_topic}/#`]);
      r.watcher = ha;
      await ha.waitFor(r.topics.discovery, (p) => p !== "", 30_000);
      await ha.waitFor(r.topics.availability, (p) => p === "online");
      // Messages the client had in flight when the broker died are re-sent first; the fresh state follows them.
      await ha.waitForJson<{ energyWh: number; bindingState: string }>(r.topics.state("session"), (s) => s.bindingState === "bound" && s.energyWh >= duringWh, 30_000);
      const late = await Watcher.connect(broker.url, [r.topics.state("session")]);
      const retained = await late.waitForJson<{ energyWh: number }>(r.topics.state("session"), () => true);
      await late.close();
      assert.ok(retained.energyWh >= duringWh, `the retained state carries the energy metered meanwhile (${retained.energyWh} ≥ ${duringWh})`);
      assert.ok(r.lines.some((l) => /connection to the broker lost/.test(l)) && r.lines.some((l) => /connected .* again/.test(l)), r.lines.filter((l) => l.startsWith("mqtt")).join("\n"));
      // The session itself: still bound, intervals sum to its total (MQTT is a view; the store is the record).
      r.charger.state = "A";
      await r.run(3);
      const s = r.store.listSessions()[0]!;
      const d = r.store.getSession(s.id)!;
      assert.equal([s.phase, s.rate], ["ended", "program"]);
      assert.is(d.intervals.reduce((a, i) => a + i.wh, 0), s.totalWh);
      assert.ok(s.totalWh > 2000);
    } finally {
      await r.done();
      await broker.close();
    }
  });
}

test("issue 17: a broker that accepts and never answers: the hub keeps charging and metering, the queue stays bounded", async () => {
  const silent = await SilentBroker.start();
  const r = await rig({ url: silent.url, watchUrl: null, view: { connectTimeoutMs: 300, reconnectMinMs: 100, reconnectMaxMs: 400 } });
  try {
    await r.plugAndBind();
    await r.run(1800);
    assert.is(r.hub.snapshot().session?.phase, "bound");
    assert.is(r.charger.enabled, true);
    const metered = r.hub.snapshot().session!.metering.totalWh;
    assert.ok(metered > 3000, `metered ${metered} Wh in half an hour at 7.2 kW`);
    const s = r.store.listSessions()[0]!;
    assert.ok(r.store.getSession(s.id)!.intervals.length >= 1, "intervals closed and stored");
    assert.not.ok(r.view.connected);
    assert.ok(silent.accepted >= 1, "the view did try the silent broker");
    assert.ok(r.view.stats.pending <= 64 && r.view.stats.published === 0, JSON.stringify(r.view.stats));
  } finally {
    await r.done();
    await silent.close();
  }
});

test.run();
