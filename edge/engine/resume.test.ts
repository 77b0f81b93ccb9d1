// The engine's side of a hub restart (issue 12): where the energy since the last saved step goes, when the vehicle
// left or was swapped while the hub was down, and that the charger stays held until both have been read.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { UtcSeconds } from "../../core/time/index.ts";
import { Driver, T0, VIN, VIN2 } from "./harness.test-support.ts";
import type { HubState, ResumeObservation } from "./types.ts";

/** A bound session charging at 7200 W from a register at 10 000 Wh, read every 10 s for `seconds`; then the hub "dies". */
function chargingSession(seconds: number, chargerSession: string | null = "41"): { d: Driver; wh: number } {
  const d = new Driver();
  d.send({ type: "eumd.status", present: true, reason: "EUMD answers" });
  d.send({ type: "eumd.reading", energyWh: 10_000, powerW: 0, at: T0 as UtcSeconds });
  d.send({ type: "evse.state", state: "B", chargerSession });
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: null });
  assert.is(d.state.session!.phase, "bound");
  let wh = 10_000;
  for (let t = 10; t <= seconds; t += 10) {
    wh += 20;
    d.at(T0 + t).send({ type: "eumd.reading", energyWh: wh, powerW: 7200, at: (T0 + t) as UtcSeconds });
  }
  return { d, wh };
}

/** What a restarted hub does first: it loads the snapshot with the charger's state unknown. */
function restart(d: Driver): void {
  d.state = { ...(JSON.parse(JSON.stringify(d.state)) as HubState), evse: "unknown", evseOut: null };
}

const seen = (o: Partial<ResumeObservation>): ResumeObservation => ({ evse: "C", reading: null, vehicleId: null, chargerSession: "41", chargerSessionWh: null, ...o });
const sessionWh = (d: Driver, id: string) => d.of("interval").filter((c) => c.interval.sessionId === id).reduce((a, c) => a + c.interval.wh, 0);

test("NFR-2: after a restart with a bound session open, the EVSE is held until the hub has read the EUMD and the charger", () => {
  const { d } = chargingSession(300);
  restart(d);
  const out = d.after(600).send({ type: "eumd.status", present: true, reason: "the EUMD answers" });
  const set = d.of("evse.set", out)[0]!;
  assert.is(set.enabled, false, "held while the vehicle plugged in is not yet proven");
  assert.is(set.by, "restart");
});

test("FR-20: the same vehicle still plugged in keeps its session; the energy since the last saved step is its own, estimated across intervals", () => {
  const { d, wh } = chargingSession(300);
  const id = d.state.session!.id;
  restart(d);
  const at = T0 + 1800; // 25 minutes down, across two 15-minute boundaries
  d.at(at).send({ type: "hub.resumed", observed: seen({ reading: { energyWh: wh + 3000, powerW: 7200, at: at as UtcSeconds } }) });
  assert.is(d.state.session!.id, id, "the same session continues");
  assert.is(d.state.session!.metering.totalWh, wh + 3000 - 10_000);
  assert.ok(d.of("interval").some((c) => c.interval.quality === "estimated"), "intervals spanning the outage are flagged estimated");
  assert.ok(d.lastEvse()!.enabled, "charging resumes once the vehicle is proven the same");
});

test("FR-20: a vehicle that left while the hub was down ends its session with all its energy, at an unplug time said to be uncertain, not the restart time", () => {
  const { d, wh } = chargingSession(300);
  const s0 = d.state.session!;
  restart(d);
  const at = T0 + 7200;
  d.at(at).send({ type: "hub.resumed", observed: seen({ evse: "A", reading: { energyWh: wh + 1200, powerW: 0, at: at as UtcSeconds } }) });
  assert.is(d.state.session, null);
  const ended = d.state.lastEnded!;
  assert.is(ended.id, s0.id);
  assert.is(sessionWh(d, s0.id), wh + 1200 - 10_000, "every Wh the register advanced is in the session");
  assert.ok(ended.endedAt! < at, "the unplug is not recorded at the restart time");
  assert.is(ended.endedAt, T0 + 300 + 600, "estimated from the energy at the last power: 1200 Wh at 7200 W = 600 s");
  assert.equal(ended.unpluggedBetween, { from: T0 + 300, to: at });
  const ev = d.records().find((r) => r.kind === "unplug.uncertain")!;
  assert.match(ev.reason, /uncertain/);
  assert.ok(d.of("session.report").at(-1)!.revision === ended.revision, "the final revision is reported");
});

test("NFR-2, BR-4: a vehicle swapped while the hub was down (the charger's session counter changed) ends the old session at its last provable reading and opens a new one with its own comm-wait", () => {
  const { d, wh } = chargingSession(300, "41");
  const s0 = d.state.session!;
  restart(d);
  const at = T0 + 3600;
  // The old vehicle drew 1000 Wh more, then left; the new one drew 500 Wh on the old one's output before the hub came back.
  d.at(at).send({ type: "hub.resumed", observed: seen({ evse: "C", chargerSession: "42", chargerSessionWh: 500, vehicleId: VIN2, reading: { energyWh: wh + 1500, powerW: 0, at: at as UtcSeconds } }) });
  const old = d.state.lastEnded!;
  assert.is(old.id, s0.id);
  assert.is(sessionWh(d, s0.id), wh + 1000 - 10_000, "the old vehicle keeps exactly what was not the new one's");
  assert.ok(old.endedAt! < at);
  const fresh = d.state.session!;
  assert.ok(fresh.id !== s0.id);
  assert.is(fresh.phase, "awaiting-binding");
  assert.is(fresh.pluggedAt, at);
  assert.is(fresh.windowEndsAt, at + 60, "a comm-wait of its own");
  assert.is(fresh.metering.totalWh, 500, "the new vehicle's energy so far is its own");
  assert.is(fresh.chargerSession, "42");
  assert.is(d.lastEvse()!.enabled, false, "held until its binding is decided");
  assert.ok(d.records().some((r) => r.kind === "evse.swap" && /session counter changed from 41 to 42/.test(r.reason)));
});

test("NFR-2: a different vehicle ID from the charger proves a swap when the charger has no session counter", () => {
  const { d, wh } = chargingSession(300, null);
  restart(d);
  d.after(900).send({ type: "hub.resumed", observed: seen({ chargerSession: null, vehicleId: VIN2, reading: { energyWh: wh, powerW: 0, at: (T0 + 1200) as UtcSeconds } }) });
  assert.ok(d.records().some((r) => r.kind === "evse.swap" && new RegExp(VIN2).test(r.reason)));
  assert.is(d.state.session!.phase, "awaiting-binding");
});

test("NFR-2: with no counter and no vehicle ID to compare, the hub errs towards a new session", () => {
  const { d, wh } = chargingSession(300, null);
  const s0 = d.state.session!;
  restart(d);
  d.after(900).send({ type: "hub.resumed", observed: seen({ chargerSession: null, vehicleId: null, reading: { energyWh: wh + 400, powerW: 0, at: (T0 + 1200) as UtcSeconds } }) });
  assert.is(d.state.lastEnded!.id, s0.id);
  assert.is(sessionWh(d, s0.id), wh - 10_000, "the old session ends at its last provable reading");
  assert.is(d.state.session!.metering.totalWh, 400, "what cannot be proven the old vehicle's goes to the new session");
  assert.ok(d.records().some((r) => r.kind === "evse.swap" && /errs towards a new session/.test(r.reason)));
});

test("the same charger session counter after a restart proves the same plug-in: no swap", () => {
  const { d, wh } = chargingSession(300, "41");
  const id = d.state.session!.id;
  restart(d);
  d.after(60).send({ type: "hub.resumed", observed: seen({ chargerSession: "41", vehicleId: "SOMETHING-ELSE", reading: { energyWh: wh + 30, powerW: 7200, at: (T0 + 360) as UtcSeconds } }) });
  assert.is(d.state.session!.id, id);
  assert.not.ok(d.records().some((r) => r.kind === "evse.swap"));
});

test("a charger session named after the plug-in (an OCPP transaction starts once authorized) becomes the session's: after a restart the same one continues, another one is a swap", () => {
  const { d, wh } = chargingSession(300, null);
  const id = d.state.session!.id;
  const out = d.send({ type: "evse.state", state: "C", chargerSession: "ocpp-tx-7" });
  assert.is(d.state.session!.chargerSession, "ocpp-tx-7");
  assert.ok(d.of("record", out).some((c) => c.event.kind === "evse.charger-session"), "recorded, so the step is saved with it");
  // A later, different one is not silently adopted: it is the hub's swap check that sees it.
  d.send({ type: "evse.state", state: "C", chargerSession: "ocpp-tx-8" });
  assert.is(d.state.session!.chargerSession, "ocpp-tx-7");
  const saved = JSON.parse(JSON.stringify(d.state)) as HubState;
  restart(d);
  d.after(60).send({ type: "hub.resumed", observed: seen({ chargerSession: "ocpp-tx-7", reading: { energyWh: wh + 30, powerW: 7200, at: (T0 + 360) as UtcSeconds } }) });
  assert.is(d.state.session!.id, id, "the same transaction: the same vehicle");
  d.state = { ...saved, evse: "unknown", evseOut: null };
  d.after(60).send({ type: "hub.resumed", observed: seen({ chargerSession: "ocpp-tx-9", reading: { energyWh: wh + 30, powerW: 7200, at: (T0 + 420) as UtcSeconds } }) });
  assert.ok(d.state.session!.id !== id);
  assert.ok(d.records().some((r) => r.kind === "evse.swap" && /from ocpp-tx-7 to ocpp-tx-9/.test(r.reason)));
});

test("a charger in fault (E/F) at restart is neither an unplug nor a swap: the session stays open and held", () => {
  const { d, wh } = chargingSession(300, "41");
  const id = d.state.session!.id;
  restart(d);
  d.after(60).send({ type: "hub.resumed", observed: seen({ evse: "F", chargerSession: null, reading: { energyWh: wh, powerW: 0, at: (T0 + 360) as UtcSeconds } }) });
  assert.is(d.state.session!.id, id);
  assert.is(d.lastEvse()!.enabled, false);
  assert.is(d.lastEvse()!.by, "fault");
});

test.run();
