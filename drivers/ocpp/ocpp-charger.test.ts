// The engine's charger port over OCPP, end to end on loopback: the central system and a simulated charge point that
// applies charging profiles as the specification says. The charger's own behaviour (its status, its energy) is the judge.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimChargePoint, type SimChargePointOptions } from "../sim/ocpp-charge-point.ts";
import { createOcppCharger } from "./ocpp-charger.ts";
import { centralSystem, PASSWORD, rawClient, waitFor } from "./test-support.ts";

const VID = "VID:0A1B2C3D4E5F";

async function rig(sim: Partial<SimChargePointOptions> = {}) {
  const { cs, clock, lines } = centralSystem();
  const session = cs.session("CP1");
  const charger = createOcppCharger(session, { clock, log: (l) => lines.push(l) });
  const cp = new SimChargePoint({ url: cs.url, id: "CP1", password: PASSWORD, clock, ...sim });
  const settle = () => waitFor("both sides caught up", () => {
    const hub = session.rpc?.counts;
    return !!hub && hub.in === cp.frames.out && hub.out === cp.frames.in;
  });
  /** Simulated time in 10 s steps, letting the real sockets carry each step's messages. */
  const run = async (seconds: number) => {
    for (let t = 0; t < seconds; t += 10) { clock.advance(10_000); await Bun.sleep(0); await settle(); }
  };
  await cp.connect();
  await waitFor("fail-safe set after boot", () => cp.received.some((r) => r.action === "TriggerMessage"));
  await settle();
  const done = async () => { await charger.close(); await cp.stop(); await cs.stop(); };
  return { cs, clock, lines, session, charger, cp, settle, run, done };
}

test("issue 16 (4): every BootNotification sets the charger's fail-safe: fallback TxDefaultProfile, heartbeat, sampling, LocalAuthorizeOffline", async () => {
  const r = await rig();
  const cfg = r.cp.received.filter((x) => x.action === "ChangeConfiguration").map((x) => [x.payload.key, x.payload.value]);
  assert.equal(cfg, [["HeartbeatInterval", "300"], ["MeterValueSampleInterval", "10"], ["MeterValuesSampledData", "Energy.Active.Import.Register,Power.Active.Import"], ["LocalAuthorizeOffline", "false"]]);
  const prof = r.cp.received.find((x) => x.action === "SetChargingProfile")!.payload;
  assert.is(prof.connectorId, 0);
  assert.equal((prof.csChargingProfiles as { chargingProfilePurpose: string; stackLevel: number }).chargingProfilePurpose, "TxDefaultProfile");
  assert.is(r.cp.effectiveLimitA(), 16, "without the hub the charger offers the fallback limit");
  await r.done();
});

test("NFR-2, FR-06, FR-10 over OCPP: plug-in held at 0 A by TxDefaultProfile through the window, then allowed; MeterValues give the EUMD's energy; unplug stops", async () => {
  const r = await rig();
  await r.charger.setEnabled(false); // the engine holds the EVSE while no vehicle is present
  await r.settle();
  assert.is((await r.charger.readStatus()).state, "A");
  await r.cp.plugIn(VID);
  await r.settle();
  const held = await r.charger.readStatus();
  assert.equal([held.state, held.enabled, held.currentLimitA, held.vehicleId], ["B", false, 0, VID]);
  assert.is(r.cp.status, "SuspendedEVSE", "the charger itself is not charging");
  await r.run(60);
  assert.is(r.cp.energyWh, 0, "NFR-2: no energy flows during the comm-wait window");
  assert.ok(r.cp.received.some((x) => x.action === "Authorize") === false, "hold is never done by refusing Authorize");
  await r.charger.setCurrentLimit(16);
  await r.charger.setEnabled(true); // FR-10: the window expired (or binding succeeded): charging proceeds
  await r.settle();
  await r.run(10);
  assert.is((await r.charger.readStatus()).state, "C");
  assert.is(r.cp.status, "Charging");
  await r.run(600);
  const reading = await r.charger.meter.read();
  assert.ok(Math.abs(reading.energyWh - 16 * 230 * 610 / 3600) < 25, `about 16 A × 230 V for 10 min, got ${reading.energyWh} Wh`);
  assert.is(reading.powerW, 16 * 230);
  await r.cp.unplug();
  await r.settle();
  assert.is((await r.charger.readStatus()).state, "A");
  const tx = [...r.session.transactions.values()][0]!;
  assert.equal([tx.idTag, tx.stoppedAt !== undefined, tx.meterStopWh], [VID, true, Math.round(r.cp.energyWh)]);
  assert.is(r.charger.controlMode, "charging-profile");
  await r.done();
});

test("BR-4, BR-6 over OCPP: a charger that rejects profiles falls back to Remote Start/Stop, recorded, and still holds and allows", async () => {
  const r = await rig();
  r.cp.faults.rejectProfiles = true;
  await r.cp.plugIn(VID);
  await r.settle();
  await r.charger.setEnabled(false);
  await r.settle();
  assert.is(r.charger.controlMode, "remote-start-stop");
  assert.ok(r.lines.some((l) => /charging profiles not usable \(SetChargingProfile TxDefaultProfile answered Rejected\)/.test(l)), "recorded");
  assert.is(r.cp.transactionId, null, "held by RemoteStopTransaction");
  assert.is(r.cp.status, "SuspendedEVSE");
  await r.charger.setEnabled(true);
  await r.settle();
  await r.run(10);
  assert.ok(r.cp.transactionId !== null, "allowed by RemoteStartTransaction");
  assert.is(r.cp.status, "Charging");
  await r.done();
});

test("a charger without Smart Charging (quirk profile) is driven by Remote Start/Stop from the first command", async () => {
  const r = await rig({ model: "SimCP-NoSmart", smartCharging: false });
  assert.is(r.session.quirks.id, "offpeak-sim-no-smart-charging");
  await r.cp.plugIn(VID);
  await r.settle();
  await r.charger.setEnabled(false);
  await r.settle();
  assert.is(r.cp.transactionId, null);
  assert.is(r.charger.controlMode, "remote-start-stop");
  await r.done();
});

test("quirks: a charger limited in W, TxProfile in a transaction, ChargePointMaxProfile first, energy in kWh without a unit, MeterValues only on change", async () => {
  const r = await rig({ model: "SimCP-Quirky", energyInKwhUnstated: true, meterValuesOnlyOnChange: true, vehicleMaxA: 16 });
  assert.is(r.session.quirks.id, "offpeak-sim-watts");
  const profiles = r.cp.received.filter((x) => x.action === "SetChargingProfile").map((x) => (x.payload.csChargingProfiles as { chargingProfilePurpose: string; chargingSchedule: { chargingRateUnit: string } }));
  assert.equal(profiles.map((p) => [p.chargingProfilePurpose, p.chargingSchedule.chargingRateUnit]), [["ChargePointMaxProfile", "W"], ["TxDefaultProfile", "W"]]);
  await r.charger.setEnabled(false);
  await r.cp.plugIn(VID);
  await r.settle();
  await r.charger.setCurrentLimit(10);
  await r.charger.setEnabled(true);
  await r.settle();
  const last = r.cp.received.filter((x) => x.action === "SetChargingProfile").at(-1)!.payload.csChargingProfiles as { chargingProfilePurpose: string; transactionId: number; chargingSchedule: { chargingSchedulePeriod: Array<{ limit: number }> } };
  assert.equal([last.chargingProfilePurpose, last.transactionId, last.chargingSchedule.chargingSchedulePeriod[0]!.limit], ["TxProfile", r.cp.transactionId, 2300]);
  await r.run(360);
  const e = (await r.charger.meter.read()).energyWh;
  assert.ok(Math.abs(e - 2300 * 0.1) < 10, `kWh without a unit read as kWh: ${e} Wh`);
  await r.charger.setEnabled(false);
  await r.settle();
  await r.run(60);
  const later = await r.charger.meter.read();
  assert.is(later.energyWh, Math.round(r.cp.energyWh), "no MeterValues for a minute (no change) is still a reading");
  await r.done();
});

test("a reconnect resumes the open transaction; a duplicate StopTransaction is not counted twice; late MeterValues never move the register back", async () => {
  const r = await rig();
  await r.charger.setCurrentLimit(16);
  await r.charger.setEnabled(true);
  await r.cp.plugIn(VID);
  await r.settle();
  await r.run(60);
  const txId = r.cp.transactionId;
  r.cp.disconnect();
  await waitFor("hub saw the disconnect", () => !r.session.connected);
  await r.charger.readStatus().then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /disconnected/));
  await r.cp.connect();
  await waitFor("fail-safe again", () => r.cp.received.filter((x) => x.action === "TriggerMessage").length === 2);
  await r.settle();
  await r.run(30);
  assert.is(r.cp.transactionId, txId);
  assert.is([...r.session.transactions.values()].filter((t) => t.stoppedAt === undefined).length, 1, "one open transaction, not two");
  r.cp.faults.lateMeterValuesMs = 25_000;
  await r.run(20);
  r.cp.faults.lateMeterValuesMs = 0;
  await r.run(30);
  assert.ok(r.lines.some((l) => /late MeterValues/.test(l)));
  r.cp.faults.duplicateStop = true;
  await r.cp.unplug();
  await r.settle();
  assert.ok(r.lines.some((l) => new RegExp(`duplicate StopTransaction for transaction ${txId} ignored`).test(l)));
  await r.done();
});

test("FR-28 over OCPP: the idTag of Authorize/StartTransaction is the vehicle identity, and a new idTag on the same plug-in is reported", async () => {
  const r = await rig();
  const seen: string[] = [];
  r.charger.onVehicleId((id) => seen.push(id));
  await r.cp.plugIn("CARD-0001");
  await r.settle();
  r.cp.idTag = "VID:AABBCCDDEEFF";
  await r.cp.send("Authorize", { idTag: "VID:AABBCCDDEEFF" });
  await r.settle();
  assert.equal(seen, ["CARD-0001", "CARD-0001", "VID:AABBCCDDEEFF"], "Authorize and StartTransaction, then the new tag");
  await r.done();
});

test("issue 12 over OCPP: held and allowed by charging profile, the transaction is the Charger port's session, with its energy; by Remote Start/Stop (a transaction per allow) it is not", async () => {
  const r = await rig();
  await r.charger.setEnabled(false);
  await r.cp.plugIn(VID);
  await r.settle();
  const held = await r.charger.readStatus();
  assert.equal([held.state, held.sessionId, held.sessionEnergyWh], ["B", `ocpp-tx-${r.cp.transactionId}`, 0]);
  await r.charger.setCurrentLimit(16);
  await r.charger.setEnabled(true);
  await r.settle();
  await r.run(360);
  const charging = await r.charger.readStatus();
  assert.is(charging.sessionId, held.sessionId, "allowing does not end the transaction: still the same plug-in");
  const tx = [...r.session.transactions.values()][0]!;
  assert.is(charging.sessionEnergyWh, r.session.lastSample.get(1)!.energyWh - tx.meterStartWh, "the charger's register since StartTransaction");
  assert.ok(charging.sessionEnergyWh! > 0);
  // The charger starts refusing profiles: from the next decision on, it is held by stopping its transaction.
  r.cp.faults.rejectProfiles = true;
  await r.charger.setEnabled(false);
  await r.settle();
  assert.is(r.charger.controlMode, "remote-start-stop");
  const remote = await r.charger.readStatus();
  assert.equal([remote.state, remote.sessionId, remote.sessionEnergyWh], ["B", undefined, undefined], "a transaction no longer stands for the plug-in");
  await r.done();
});

/** A charge point written frame by frame (a hub restarted under it: it reports its state before its transaction). */
async function rawChargePoint() {
  const { cs, clock, lines } = centralSystem();
  const charger = createOcppCharger(cs.session("CP1"), { clock, log: (l) => lines.push(l), transactionWaitS: 30 });
  const c = await rawClient(`${cs.url}CP1`, { user: "CP1", password: PASSWORD });
  assert.ok(c.opened);
  let n = 0;
  const call = async (action: string, payload: Record<string, unknown>) => {
    const id = `m${++n}`;
    c.ws.send(JSON.stringify([2, id, action, payload]));
    await waitFor(`${action} answered`, () => c.inbox.some((m) => Array.isArray(m) && m[0] === 3 && m[1] === id));
  };
  await call("BootNotification", { chargePointVendor: "Offpeak", chargePointModel: "SimCP" });
  const done = async () => { c.ws.close(); await charger.close(); await cs.stop(); };
  return { clock, charger, call, done };
}

test("issue 12 over OCPP: a hub that finds a charge point mid-transaction (it restarted) waits for the charger to name the transaction, within a bound", async () => {
  const r = await rawChargePoint();
  try {
    await r.call("StatusNotification", { connectorId: 1, errorCode: "NoError", status: "Charging" });
    // Reported now without its transaction, the vehicle would look like another one and get a second session.
    await r.charger.readStatus().then(() => assert.unreachable("a charging connector reported without its transaction"), (e: Error) => assert.match(e.message, /has not named it since it connected/));
    await r.call("MeterValues", {
      connectorId: 1, transactionId: 4242,
      meterValue: [{ timestamp: new Date(r.clock.nowMs()).toISOString(), sampledValue: [{ value: "1234", measurand: "Energy.Active.Import.Register", unit: "Wh" }] }],
    });
    const named = await r.charger.readStatus();
    assert.equal([named.state, named.sessionId, named.sessionEnergyWh], ["C", "ocpp-tx-4242", undefined], "adopted: its start register is unknown, so no session energy");
  } finally {
    await r.done();
  }
  // A charger that never names it: after the bound the status is reported without one (the hub then errs towards a
  // new session), the vehicle is not held back for ever.
  const q = await rawChargePoint();
  try {
    await q.call("StatusNotification", { connectorId: 1, errorCode: "NoError", status: "SuspendedEVSE" });
    await q.charger.readStatus().then(() => assert.unreachable("reported before the bound"), (e: Error) => assert.match(e.message, /waiting for its MeterValues/));
    q.clock.advance(31_000);
    const unnamed = await q.charger.readStatus();
    assert.equal([unnamed.state, unnamed.sessionId], ["B", undefined]);
  } finally {
    await q.done();
  }
});

test.run();
