import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../core/time/index.ts";
import { params, settings, VIN } from "../engine/harness.test-support.ts";
import { HubStore } from "../store/hub-store.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "./doubles.test-support.ts";
import { Hub } from "./hub.ts";

function rig() {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-hub-"));
  const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));
  const store = new HubStore(join(dir, "hub.sqlite"));
  const charger = new FakeCharger();
  const eumd = new FakeMeter(clock, () => (charger.enabled && charger.state !== "A" ? 7200 : 0), 1000);
  const utility = new FakeUtility(() => params());
  const link = new FakePevLink();
  const lines: string[] = [];
  const hub = new Hub({ store, clock, settings: settings(), ports: { charger, eumd, premisesMeter: null, pevLink: link, utility, reports: utility, displays: [] }, log: (l) => lines.push(l) });
  hub.start();
  const run = async (seconds: number) => { await clock.advanceAsync(seconds * 1000, 1000); await hub.whenIdle(); };
  const done = async () => { await hub.stop(); store.close(); rmSync(dir, { recursive: true, force: true }); };
  return { clock, store, charger, eumd, utility, link, hub, run, done, lines };
}

test("FR-08, FR-14: plug, hello, the hub asks the utility with premises and PEV IDs, binds, and the EVSE charges", async () => {
  const r = rig();
  await r.run(2);
  r.charger.state = "B";
  await r.run(2);
  assert.ok(r.link.calls[0]!.startsWith("open "), "PEV link opened at On-Plug");
  assert.is(r.charger.enabled, false, "held while awaiting binding");
  await r.hub.dispatch({ type: "pev.hello", vin: VIN });
  await r.run(1);
  assert.equal(r.utility.requests.map((q) => [q.vin, q.premisesId, q.path]), [[VIN, "PREM-1", "commissioning"]]);
  assert.is(r.hub.snapshot().session?.phase, "bound");
  assert.ok(r.link.calls.includes("confirm enrolled +secret"), "commissioning delivers the per-PEV secret");
  assert.equal(r.utility.acks, ["eumd"], "the hub acknowledges for a Modbus EUMD once it answers");
  assert.ok(r.store.getPev(VIN)?.secretHex, "secret kept for later challenges");
  await r.run(3);
  assert.is(r.charger.enabled, true);
  await r.run(1800);
  r.charger.state = "A";
  await r.run(3);
  const s = r.store.listSessions()[0]!;
  assert.is(s.phase, "ended");
  assert.is(s.rate, "program");
  const d = r.store.getSession(s.id)!;
  const total = d.intervals.reduce((a, i) => a + i.wh, 0);
  assert.ok(total > 3500 && total < 3700, `about 7.2 kW for half an hour, got ${total} Wh`);
  assert.is(total, s.totalWh);
  await r.done();
});

test("FR-07, FR-10: utility unreachable at commissioning: fallback after the window, and the vehicle charges without the utility", async () => {
  const r = rig();
  r.utility.down = true;
  await r.run(2);
  r.charger.state = "B";
  await r.run(2);
  await r.hub.dispatch({ type: "pev.hello", vin: VIN });
  await r.run(50);
  assert.is(r.hub.snapshot().session?.phase, "awaiting-binding");
  assert.is(r.charger.enabled, false);
  await r.run(12);
  assert.is(r.hub.snapshot().session?.phase, "fallback");
  assert.is(r.hub.snapshot().session?.fallbackReason, "comm-timeout");
  await r.run(2);
  assert.is(r.charger.enabled, true);
  assert.ok(r.utility.requests.length >= 2, "the hub retried inside the window");
  assert.ok(r.lines.some((l) => /utility offline/.test(l)));
  await r.done();
});

test("BR-6: a failing EUMD is declared absent after 3 reads and the plug-in falls back at once", async () => {
  const r = rig();
  r.eumd.failing = true;
  await r.run(5);
  assert.is(r.hub.snapshot().eumd, "absent");
  r.charger.state = "B";
  await r.run(2);
  assert.is(r.hub.snapshot().session?.fallbackReason, "no-eumd");
  assert.ok(r.lines.some((l) => /eumd offline after 3 failed attempts: Modbus timeout/.test(l)));
  await r.done();
});

test("FR-20, FR-29: at the unplug the hub reads the EUMD before it closes the session, so its last interval ends at the unplug", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-hub-"));
  const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));
  const store = new HubStore(join(dir, "hub.sqlite"));
  const charger = new FakeCharger();
  // The EUMD's register: exactly 2 Wh per second while the EVSE is enabled and the vehicle plugged in.
  let charged = 0;
  let lastMs = clock.nowMs();
  const integrate = () => { const now = clock.nowMs(); if (charger.enabled && charger.state !== "A") charged += (now - lastMs) / 500; lastMs = now; };
  const eumd = { async read() { integrate(); return { energyWh: Math.floor(5000 + charged) as never, powerW: 7200 as never, at: clock.now() }; }, async close() {} };
  const utility = new FakeUtility(() => params());
  // Polls every 60 s: without a read at the unplug, up to 120 Wh since the last poll would belong to no session.
  const hub = new Hub({ store, clock, settings: settings(), pollMs: 60_000, ports: { charger, eumd, premisesMeter: null, pevLink: new FakePevLink(), utility, reports: utility, displays: [] }, log: () => {} });
  hub.start();
  const run = async (seconds: number) => { await clock.advanceAsync(seconds * 1000, 1000); await hub.whenIdle(); };
  await run(1);
  charger.state = "B";
  await run(60);
  await hub.dispatch({ type: "pev.hello", vin: VIN });
  await run(1);
  assert.is(hub.snapshot().session?.phase, "bound");
  await run(1234);
  integrate();
  charger.state = "A"; // between two polls
  const atUnplug = Math.floor(charged);
  await run(120);
  const s = store.listSessions()[0]!;
  assert.is(s.phase, "ended");
  assert.ok(atUnplug > 2000, `it charged (${atUnplug} Wh)`);
  assert.is(s.totalWh, atUnplug, "every Wh up to the unplug is in the session");
  await hub.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("NFR-2: a vehicle swapped between two polls (the charger's session counter changed) is not billed to the previous one: its own session, held", async () => {
  const r = rig();
  r.charger.sessionId = "7";
  await r.run(2);
  r.charger.state = "B";
  await r.run(2);
  await r.hub.dispatch({ type: "pev.hello", vin: VIN });
  await r.run(600);
  const first = r.hub.snapshot().session!;
  assert.is(first.phase, "bound");
  assert.is(r.charger.enabled, true);
  r.charger.sessionId = "8"; // unplugged and another car plugged in within one poll
  await r.run(3);
  const now = r.hub.snapshot();
  assert.is(now.lastEnded?.id, first.id, "the first session ended");
  assert.ok(now.session && now.session.id !== first.id && now.session.phase === "awaiting-binding", "a new session with its own comm-wait");
  assert.is(r.charger.enabled, false, "held until its binding is decided");
  assert.ok(r.store.getSession(first.id)!.events.some((e) => e.kind === "evse.swap" && /from 7 to 8/.test(e.reason)));
  await r.done();
});

test.run();
