import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../core/time/index.ts";
import { connectSimulatedPev, startTcpPevLinkServer } from "../../drivers/pevlink/index.ts";
import { params, settings, VIN } from "../engine/harness.test-support.ts";
import { HubStore } from "../store/hub-store.ts";
import { FakeCharger, FakeMeter, FakeUtility } from "./doubles.test-support.ts";
import { Hub } from "./hub.ts";
import { PevLinkPortAdapter } from "./pevlink-port.ts";

async function rig(o: { idOnlyFallback?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-link-"));
  const clock = new TestClock(Date.now());
  const store = new HubStore(join(dir, "hub.sqlite"));
  const server = await startTcpPevLinkServer({ port: 0, clock });
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const adapter = new PevLinkPortAdapter(server, clock, log);
  const charger = new FakeCharger();
  const utility = new FakeUtility(() => params());
  const hub = new Hub({ store, clock, settings: settings(), log, idOnlyFallback: o.idOnlyFallback, ports: { charger, eumd: new FakeMeter(clock, () => 0), premisesMeter: null, pevLink: adapter, utility, reports: utility, displays: [] } });
  adapter.dispatch = (e) => hub.dispatch(e);
  hub.start();
  const settle = async (ms = 1000) => { for (let i = 0; i < 20; i++) { await Bun.sleep(5); await clock.advanceAsync(ms / 20, ms / 20); } await hub.whenIdle(); };
  const done = async () => { await hub.stop(); await server.close(); store.close(); rmSync(dir, { recursive: true, force: true }); };
  return { clock, store, server, charger, utility, hub, settle, done, lines };
}

test("FR-12, FR-23, BR-8: an EUMD inside the PEV receives the detection message over the secure link and its acknowledgement reaches the utility", async () => {
  const r = await rig();
  await r.settle();
  r.charger.state = "B";
  await r.settle();
  const pev = await connectSimulatedPev({ host: "127.0.0.1", port: r.server.port, vin: VIN, clock: r.clock, eumdId: "PEV-EUMD-1" });
  await r.settle(2000);
  assert.is(r.hub.snapshot().session?.phase, "bound");
  const detect = await pev.next("eumd-detect", 5000);
  assert.ok(detect, "the PEV-internal EUMD got the detection message");
  await r.settle(2000);
  const c = r.hub.snapshot().session!.commissioning!;
  assert.ok(c.eumdAckAt !== null && c.pevAckAt !== null, "both acknowledgements recorded");
  assert.equal([...r.utility.acks].sort(), ["eumd", "pev"]);
  assert.ok(pev.secretHex, "the per-PEV secret was delivered over the link (FR-09)");
  await pev.close();
  await r.done();
});

test("FR-06: a PEV that speaks before the EVSE reports the plug-in is held; with no plug-in its link is closed and the refusal recorded", async () => {
  const r = await rig();
  await r.settle();
  const pev = await connectSimulatedPev({ host: "127.0.0.1", port: r.server.port, vin: VIN, clock: r.clock });
  await r.settle(2000);
  assert.is(r.hub.snapshot().session, null);
  assert.equal(r.utility.requests, [], "nothing sent to the utility before On-Plug");
  await r.settle(12_000);
  assert.ok(r.lines.some((l) => /no plug-in followed within 10 s; closed \(FR-06\)/.test(l)));
  const refused = r.store.hubEvents().find((e) => e.kind === "pev-link.refused");
  assert.ok(refused, "the engine recorded the refused hello");
  await pev.close();
  await r.done();
});

test("FR-06, FR-13: a hello that arrives just before the hub polls the plug-in is delivered at On-Plug", async () => {
  const r = await rig();
  await r.settle();
  const pev = await connectSimulatedPev({ host: "127.0.0.1", port: r.server.port, vin: VIN, clock: r.clock });
  await r.settle(500);
  r.charger.state = "B";
  await r.settle(2000);
  assert.is(r.utility.requests.length, 1);
  assert.is(r.utility.requests[0]!.vin, VIN);
  await pev.close();
  await r.done();
});

test("FR-13: an EVSE that only reports the vehicle's ID: the link degrades to ID-only and says so; commissioning still works, re-binding cannot be proven", async () => {
  const r = await rig();
  r.charger.vehicleId = VIN;
  await r.settle();
  r.charger.state = "B";
  await r.settle(25_000);
  assert.equal(r.utility.requests, [], "the vehicle gets half the window to open its secure link first");
  await r.settle(8000);
  assert.equal(r.utility.requests.map((q) => [q.vin, q.path]), [[VIN, "commissioning"]]);
  assert.ok(r.lines.some((l) => /reports only a vehicle identifier; no proof is possible \(ID-only\)/.test(l)));
  assert.is(r.hub.snapshot().session?.phase, "bound");
  r.charger.state = "A";
  await r.settle(2000);
  r.charger.state = "B";
  await r.settle(35_000);
  const s = r.hub.snapshot().session!;
  assert.is(s.phase, "fallback");
  assert.is(s.fallbackReason, "proof-failed");
  assert.ok(r.store.getSession(s.id)!.events.some((e) => e.kind === "fallback" && /id-only link/i.test(e.reason)));
  await r.done();
});

test("with [pevlink] id_only = false an EVSE-reported ID is never used: no secure link means fallback after the window", async () => {
  const r = await rig({ idOnlyFallback: false });
  r.charger.vehicleId = VIN;
  await r.settle();
  r.charger.state = "B";
  await r.settle(65_000);
  assert.equal(r.utility.requests, []);
  assert.is(r.hub.snapshot().session?.fallbackReason, "comm-timeout");
  await r.done();
});

test.run();
