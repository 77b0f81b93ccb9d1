// The hub's MQTT view against the real Mosquitto on 127.0.0.1:1883, watched the way Home Assistant watches it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sharedBrokerOrSkip, SHARED_BROKER, Watcher } from "./broker.test-support.ts";
import { haDiscoveryProblems } from "./ha-rules.test-support.ts";
import { rig, type Rig } from "./rig.test-support.ts";
import { removeFromBroker } from "./mqtt-view.ts";
import type { DevicePayload } from "./discovery.ts";
import { STATE_TOPICS } from "./topics.ts";
import type { UtcSeconds } from "../../core/time/index.ts";

const URL = `mqtt://${SHARED_BROKER.host}:${SHARED_BROKER.port}`;
type Json = Record<string, unknown>;

const retainedOf = (r: Rig) => (topic: string) => r.watcher.last(topic)?.payload;
const discovery = (r: Rig) => r.watcher.waitForJson<DevicePayload>(r.topics.discovery, () => true);
const events = (r: Rig) => r.store.db.query("SELECT kind, reason FROM session_events ORDER BY id").all() as { kind: string; reason: string }[];

if (await sharedBrokerOrSkip("edge/mqtt/mqtt-view.test.ts")) {
  test("issue 17: the discovery message is complete per Home Assistant's documented keys, with every entity the issue lists", async () => {
    const r = await rig({ url: URL });
    try {
      await r.plugAndBind();
      await r.watcher.waitForJson(r.topics.state("session"), (s) => s.bindingState === "bound");
      await r.watcher.waitFor(r.topics.availability, (p) => p === "online");
      for (const t of STATE_TOPICS) await r.watcher.waitFor(r.topics.state(t));
      const d = await discovery(r);
      const problems = haDiscoveryProblems(d as unknown as Json, retainedOf(r));
      assert.equal(problems, [], problems.join("\n"));
      const c = d.cmps;
      for (const k of ["power", "lifetime_energy", "session_energy", "binding_state", "comm_wait", "price_now", "dr_active", "charge_mode", "departure", "energy_needed"]) assert.ok(c[k] && Object.keys(c[k]!).length > 1, `entity ${k}`);
      assert.is(c.power!.device_class, "power");
      assert.equal([c.lifetime_energy!.device_class, c.lifetime_energy!.state_class], ["energy", "total_increasing"], "usable in HA's Energy dashboard");
      assert.is(c.price_now!.device_class, "monetary");
      assert.is(c.dr_active!.p, "binary_sensor");
      assert.equal([c.charge_mode!.p, c.charge_mode!.options], ["select", ["Charge now", "Cheapest hours"]]);
      assert.equal(c.dr_opt_out, { p: "button" }, "no opt-out button while no DR event allows it");
      assert.is(d.dev.name, "Offpeak charger");
      assert.ok(r.watcher.last(r.topics.discovery)!.retain || r.watcher.messages.some((m) => m.topic === r.topics.discovery), "retained");
    } finally { await r.done(); }
  });

  test("issue 16 (7): a hub with two charge points publishes each one's state; Home Assistant discovery gets each one's components, valid per HA's keys", async () => {
    const r = await rig({ url: URL, secondChargePoint: true });
    try {
      const second = r.topics.chargePointState("garage-2", "session");
      await r.run(2);
      await r.watcher.waitForJson(second, (s) => s.bindingState === "no vehicle");
      // Only the second charge point's vehicle plugs in: its own topic shows its window, the first stays idle.
      r.second!.charger.state = "B";
      await r.run(3);
      const waiting = await r.watcher.waitForJson<Json>(second, (s) => s.bindingState === "awaiting binding");
      assert.ok((waiting.commWaitLeftS as number) > 50, "its own comm-wait countdown");
      await r.watcher.waitForJson(r.topics.chargePointState("garage-2", "charge_point"), (s) => s.controlledBy === "comm-wait hold");
      await r.watcher.waitForJson(r.topics.state("session"), (s) => s.bindingState === "no vehicle");
      const d = await r.watcher.waitForJson<DevicePayload>(r.topics.discovery, (x) => "cp_garage-2_binding_state" in x.cmps);
      const problems = haDiscoveryProblems(d as unknown as Json, retainedOf(r));
      assert.equal(problems, [], problems.join("\n"));
      for (const k of ["session_energy", "binding_state", "comm_wait", "controlled_by"]) assert.is(d.cmps[`cp_garage-2_${k}`]!.state_topic !== undefined, true, k);
      assert.is(d.cmps["cp_garage-2_binding_state"]!.state_topic, second);
    } finally { await r.done(); }
  });

  test("issue 17: the HA rules catch a broken payload (the judge can fail)", () => {
    const bad = { dev: { name: "x" }, o: {}, cmps: { a: { p: "sensor", unique_id: "u", device_class: "energy", unit_of_measurement: "W", state_class: "measurement" }, b: { p: "select", unique_id: "u", command_topic: "t" }, c: { p: "light" } } };
    const problems = haDiscoveryProblems(bad, () => undefined);
    for (const expect of [/identifiers or connections/, /origin: name/, /a \(sensor\): state_topic is required/, /unit "W" is not valid for device_class energy/, /state_class "measurement" is not valid/, /b \(select\): options is required/, /unique_id u used twice/, /platform "light"/]) {
      assert.ok(problems.some((p) => expect.test(p)), `${expect} in ${problems.join(" | ")}`);
    }
  });

  test("FR-35: the customer sees the session over MQTT: state on plug-in, binding, charging and unplug; lifetime energy only increases", async () => {
    const r = await rig({ url: URL });
    try {
      const session = r.topics.state("session");
      const cp = r.topics.state("charge_point");
      await r.run(2);
      await r.watcher.waitForJson(session, (s) => s.bindingState === "no vehicle" && s.active === false);
      r.charger.state = "B";
      await r.run(3);
      const waiting = await r.watcher.waitForJson<Json>(session, (s) => s.bindingState === "awaiting binding");
      assert.ok(typeof waiting.commWaitLeftS === "number" && waiting.commWaitLeftS > 0 && waiting.commWaitLeftS <= 60, `countdown ${waiting.commWaitLeftS}`);
      const held = await r.watcher.waitForJson<Json>(cp, (s) => s.controlledBy === "comm-wait hold");
      assert.is(held.enabled, false);
      const before = r.watcher.messages.length;
      await r.run(2);
      const later = await r.watcher.waitForJson<Json>(session, (s) => s.bindingState === "awaiting binding" && (s.commWaitLeftS as number) < (waiting.commWaitLeftS as number), undefined, before);
      assert.ok((later.commWaitLeftS as number) < (waiting.commWaitLeftS as number), "the countdown moves each second");
      await r.hub.dispatch({ type: "pev.hello", vin: "1HGCM82633A004352" });
      await r.run(3);
      await r.watcher.waitForJson(session, (s) => s.bindingState === "bound" && typeof s.reason === "string" && /EV Time-of-Use/.test(s.reason as string));
      await r.watcher.waitForJson(cp, (s) => s.enabled === true && s.controlledBy === "charging");
      await r.run(600);
      const charging = await r.watcher.waitForJson<Json>(session, (s) => s.powerW === 7200 && (s.energyWh as number) > 1000);
      const energy1 = await r.watcher.waitForJson<{ lifetimeWh: number }>(r.topics.state("energy"), (e) => e.lifetimeWh >= (charging.energyWh as number));
      assert.ok(typeof charging.costUsd === "number" && charging.costUsd > 0, `estimated cost ${charging.costUsd}`);
      r.charger.state = "A";
      await r.run(3);
      await r.watcher.waitForJson(session, (s) => s.bindingState === "no vehicle" && s.powerW === 0);
      const sessionWh = r.store.listSessions()[0]!.totalWh;
      const energy2 = await r.watcher.waitForJson<{ lifetimeWh: number }>(r.topics.state("energy"), (e) => e.lifetimeWh === sessionWh);
      assert.ok(energy2.lifetimeWh >= energy1.lifetimeWh);
      const all = r.watcher.messages.filter((m) => m.topic === r.topics.state("energy")).map((m) => (JSON.parse(m.payload) as { lifetimeWh: number }).lifetimeWh);
      assert.ok(all.every((v, i) => i === 0 || v >= all[i - 1]!), `never decreasing: ${all.join(",")}`);
      const price = r.watcher.json(r.topics.state("price"));
      assert.ok(typeof price.priceUsdPerKWh === "number" && typeof price.until === "string", JSON.stringify(price));
    } finally { await r.done(); }
  });

  test("issue 17: commands go through the dashboard's path, are recorded as from MQTT, and bad ones are refused on the error topic", async () => {
    const r = await rig({ url: URL });
    try {
      await r.plugAndBind();
      const plan = r.topics.state("charge_plan");
      await r.watcher.waitForJson(plan, (p) => p.mode === "charge-now");
      let mark = r.watcher.messages.length;
      await r.watcher.publish(r.topics.command("charge_mode"), "Cheapest hours");
      const err = await r.watcher.waitForJson<Json>(r.topics.error, (e) => e.command === "charge_mode", undefined, mark);
      assert.match(err.error as string, /departAt .* is needed for cheapest hours/);
      await r.watcher.publish(r.topics.command("departure"), "07:30");
      await r.watcher.publish(r.topics.command("energy_needed"), "12.5");
      await r.watcher.publish(r.topics.command("charge_mode"), "Cheapest hours");
      const p = await r.watcher.waitForJson<Json>(plan, (x) => x.mode === "cheapest-hours");
      assert.equal([p.departAt, p.energyNeededKWh, p.modeOption], ["07:30", 12.5, "Cheapest hours"]);
      assert.is(r.hub.snapshot().chargeMode, "cheapest-hours");
      assert.ok(r.hub.schedule!.preference()!.energyNeededWh === 12_500, "the scheduler plans for the energy asked");
      const rec = events(r).filter((e) => e.kind === "owner.request");
      assert.ok(rec.some((e) => /^over MQTT: charge in the cheapest hours before 07:30 for 12.5 kWh/.test(e.reason)), JSON.stringify(rec));
      await r.watcher.waitForJson(r.topics.state("charge_point"), (c) => c.controlledBy === "customer preference" && c.enabled === false);
      for (const [cmd, payload, why] of [["charge_mode", "turbo", /unknown charge mode "turbo"/], ["departure", "25:00", /local time like 07:30/], ["energy_needed", "-3", /number of kWh/], ["energy_needed", "1e9", /number of kWh/], ["dr_opt_out", "DR-NOPE", /no demand-response event "DR-NOPE"/], ["charge_mode", "x".repeat(300), /at most 256/]] as const) {
        mark = r.watcher.messages.length;
        await r.watcher.publish(r.topics.command(cmd), payload);
        const e = await r.watcher.waitForJson<Json>(r.topics.error, (x) => x.command === cmd, undefined, mark);
        assert.match(e.error as string, why);
      }
      assert.is(r.hub.snapshot().chargeMode, "cheapest-hours", "refused commands changed nothing");
      await r.watcher.publish(r.topics.command("charge_mode"), "Charge now");
      await r.watcher.waitForJson(r.topics.state("charge_point"), (c) => c.enabled === true);
    } finally { await r.done(); }
  });

  test("NFR-2, NFR-3: nothing over MQTT releases the comm-wait hold", async () => {
    const r = await rig({ url: URL });
    try {
      await r.run(2);
      r.charger.state = "B";
      await r.run(2);
      await r.watcher.waitForJson(r.topics.state("session"), (s) => s.bindingState === "awaiting binding");
      const mark = r.watcher.messages.length;
      await r.watcher.publish(r.topics.command("charge_mode"), "Charge now");
      // Commands are applied in order: once the departure shows, the charge-now before it has been applied.
      await r.watcher.publish(r.topics.command("departure"), "06:00");
      await r.watcher.waitForJson(r.topics.state("charge_plan"), (p) => p.departAt === "06:00", undefined, mark);
      await r.run(5);
      assert.is(r.charger.enabled, false, "the EVSE stays held while the window runs");
      assert.is(r.hub.snapshot().evseOut?.why.includes("NFR-2"), true);
      assert.ok(events(r).some((e) => e.kind === "owner.request" && /^over MQTT: charge now/.test(e.reason)), "the request is on record");
    } finally { await r.done(); }
  });

  test("issue 17: a DR event without opt-out cannot be escaped over MQTT; one that allows it shows the button and honours it", async () => {
    const r = await rig({ url: URL });
    try {
      await r.plugAndBind();
      const now = r.clock.now();
      const at = (s: number) => (now + s) as UtcSeconds;
      await r.hub.dispatch({ type: "dr.event", id: "DR-STRICT", action: "curtail", limitA: 8, startsAt: now, endsAt: at(3600), optOutAllowed: false });
      await r.run(2);
      const dr = await r.watcher.waitForJson<Json>(r.topics.state("demand_response"), (d) => d.id === "DR-STRICT" && d.active === true);
      assert.equal([dr.state, dr.optOutAllowed], ["ON", false]);
      await r.watcher.waitForJson(r.topics.state("charge_point"), (c) => c.controlledBy === "utility demand response" && c.currentLimitA === 8);
      assert.equal((await discovery(r)).cmps.dr_opt_out, { p: "button" }, "no opt-out button");
      let mark = r.watcher.messages.length;
      await r.watcher.publish(r.topics.command("dr_opt_out"), "DR-STRICT");
      const refused = await r.watcher.waitForJson<Json>(r.topics.error, (e) => e.command === "dr_opt_out", undefined, mark);
      assert.equal([refused.refused, /does not allow opting out/.test(refused.error as string)], [true, true]);
      await r.run(2);
      assert.equal([r.charger.enabled, r.charger.currentA, r.hub.snapshot().dr?.optedOut], [true, 8, false], "still curtailed");

      await r.hub.dispatch({ type: "dr.cancel", id: "DR-STRICT" });
      const t = r.clock.now();
      mark = r.watcher.messages.length;
      await r.hub.dispatch({ type: "dr.event", id: "DR-SOFT", action: "pause", limitA: null, startsAt: t, endsAt: (t + 3600) as UtcSeconds, optOutAllowed: true });
      await r.run(2);
      const d = await r.watcher.waitForJson<DevicePayload>(r.topics.discovery, (x) => x.cmps.dr_opt_out?.payload_press === "DR-SOFT", undefined, mark);
      assert.equal([d.cmps.dr_opt_out!.command_topic, d.cmps.dr_opt_out!.unique_id], [r.topics.command("dr_opt_out"), `${r.topics.deviceId}_dr_opt_out`]);
      assert.equal(haDiscoveryProblems(d as unknown as Json, retainedOf(r)), []);
      assert.is(r.charger.enabled, false, "paused");
      await r.watcher.publish(r.topics.command("dr_opt_out"), d.cmps.dr_opt_out!.payload_press as string);
      await r.watcher.waitForJson(r.topics.state("demand_response"), (x) => x.optedOut === true);
      await r.run(2);
      assert.is(r.charger.enabled, true, "the customer opted out");
      assert.ok(events(r).some((e) => e.kind === "owner.request" && e.reason === "over MQTT: opt out of demand-response event DR-SOFT"));
      await r.watcher.waitForJson<DevicePayload>(r.topics.discovery, (x) => Object.keys(x.cmps.dr_opt_out ?? {}).length === 1, undefined, mark);
    } finally { await r.done(); }
  });

  test("issue 17: commands are ignored unless [mqtt] commands = true, and the controls are not offered", async () => {
    const r = await rig({ url: URL, commands: false });
    try {
      await r.plugAndBind();
      const d = await discovery(r);
      for (const k of ["charge_mode", "departure", "energy_needed", "dr_opt_out"]) assert.is(Object.keys(d.cmps[k]!).length, 1, `${k} removed`);
      assert.equal(haDiscoveryProblems(d as unknown as Json, retainedOf(r)), []);
      await r.watcher.publish(r.topics.command("departure"), "07:30");
      await r.watcher.publish(r.topics.command("charge_mode"), "Cheapest hours");
      // Messages from one client arrive in order: once the hub answers this HA announcement, it has seen the commands.
      const mark = r.watcher.messages.length;
      await r.watcher.publish(r.topics.haStatus, "online");
      await r.watcher.waitFor(r.topics.discovery, (p) => p !== "", undefined, mark);
      await r.run(1);
      assert.is(r.hub.snapshot().chargeMode, "charge-now");
      assert.not.ok(events(r).some((e) => e.kind === "owner.request"));
    } finally { await r.done(); }
  });

  test("issue 17: discovery is re-published when Home Assistant announces online; turning MQTT off removes it", async () => {
    const r = await rig({ url: URL });
    try {
      await discovery(r);
      const mark = r.watcher.messages.length;
      await r.watcher.publish(r.topics.haStatus, "online");
      await r.watcher.waitFor(r.topics.discovery, (p) => p !== "", undefined, mark);
      await r.view.stop();
      await r.watcher.waitFor(r.topics.availability, (p) => p === "offline");
      assert.ok(await removeFromBroker({ config: r.config, hubId: "HUB-T1", log: () => {} }, 5000));
      // A Home Assistant starting now finds no retained config (an empty retained message deletes it).
      const fresh = await Watcher.connect(URL, [`${r.config.discovery_prefix}/#`, `${r.config.base_topic}/#`]);
      const probe = `${r.config.base_topic}/probe`;
      await fresh.publish(probe, "x");
      await fresh.waitFor(probe);
      assert.equal(fresh.messages.filter((m) => m.retain && m.payload !== ""), [], "nothing retained is left");
      await fresh.close();
    } finally { await r.done(); }
  });
}

test.run();
