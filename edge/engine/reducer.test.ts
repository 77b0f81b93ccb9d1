import { test } from "uvu";
import * as assert from "uvu/assert";
import { initialState } from "./reducer.ts";
import { Driver, params, settings, T0, VIN, VIN2 } from "./harness.test-support.ts";

test("FR-06: a PEV message before On-Plug opens no session and is refused", () => {
  const d = new Driver();
  const out = d.send({ type: "pev.hello", vin: VIN });
  assert.is(d.state.session, null);
  assert.equal(d.of("utility.validate", out), []);
  assert.equal(d.of("pevlink.open", out), []);
  assert.ok(d.records(out).some((r) => r.kind === "pev-link.refused" && /before On-Plug/.test(r.reason)));
});

test("FR-06: the PEV link opens only on On-Plug (EVSE A→B)", () => {
  const d = new Driver();
  d.send({ type: "evse.state", state: "A" });
  assert.equal(d.of("pevlink.open"), []);
  const out = d.plug();
  assert.is(d.of("pevlink.open", out).length, 1);
  assert.is(d.state.session?.phase, "awaiting-binding");
});

test("NFR-2: binding is attempted before any charging: the EVSE is held from On-Plug until the binding is decided", () => {
  const d = new Driver();
  const out = d.plug();
  const evse = d.of("evse.set", out);
  assert.is(evse.length, 1);
  assert.is(evse[0]!.enabled, false);
  d.send({ type: "pev.hello", vin: VIN });
  assert.is(d.of("utility.validate").length, 1);
  assert.is(d.lastEvse()!.enabled, false);
  assert.not.ok(d.log.some((c) => c.type === "evse.set" && c.enabled));
});

test("NFR-3: the EVSE stays held for the whole 60 s window when the utility is silent", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  const during = d.tickFor(59);
  assert.not.ok(during.some((c) => c.type === "evse.set" && c.enabled), "no charging before 60 s");
  assert.is(d.state.session?.phase, "awaiting-binding");
  const at60 = d.tickFor(1);
  assert.is(d.state.session?.phase, "fallback");
  assert.ok(d.of("evse.set", at60).some((c) => c.enabled));
});

test("NFR-3: a comm-wait window below 60 s is refused with a clear error", () => {
  assert.throws(() => initialState(settings({ commWaitS: 30 })), /settings\.commWaitS: 30 s is below the 60 s minimum .*NFR-3/);
  const d = new Driver();
  const out = d.send({ type: "config", commWaitS: 45 });
  assert.is(d.state.settings.commWaitS, 60);
  assert.ok(d.records(out).some((r) => r.kind === "config.refused" && /45 s is below the 60 s minimum/.test(r.reason)));
});

test("FR-10: the window is configurable (90 s) and charging starts at the premises default rate when it closes unbound", () => {
  const d = new Driver(settings({ commWaitS: 90 }));
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.tickFor(89);
  assert.is(d.state.session?.phase, "awaiting-binding");
  d.tickFor(1);
  const s = d.state.session!;
  assert.is(s.phase, "fallback");
  assert.is(s.rate, "default");
  assert.is(s.fallbackReason, "comm-timeout");
  assert.ok(d.lastEvse()!.enabled);
  assert.ok(d.records().some((r) => r.kind === "fallback" && /within 90 s/.test(r.reason) && /default rate/.test(r.reason)));
});

test("FR-10: charging starts as soon as the binding is confirmed inside the window", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.tickFor(5);
  const out = d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  assert.is(d.state.session?.phase, "bound");
  assert.is(d.state.session?.rate, "program");
  const evse = d.of("evse.set", out);
  assert.is(evse.length, 1);
  assert.ok(evse[0]!.enabled);
  assert.is(evse[0]!.currentA, 32);
});

test("BR-4: fallback on rejection records the reason and bills at the default rate", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "invalid", path: "commissioning", params: null });
  const s = d.state.session!;
  assert.is(s.phase, "fallback");
  assert.is(s.fallbackReason, "rejected");
  assert.is(s.rate, "default");
  assert.ok(d.lastEvse()!.enabled);
  assert.ok(d.records().some((r) => r.kind === "fallback" && /rejected/.test(r.reason)));
});

test("BR-4: fallback for a PEV that is not enrolled (FR-05 answer, not an error)", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN2 });
  const out = d.send({ type: "utility.answer", status: "not-enrolled", path: "commissioning", params: null });
  assert.is(d.state.session!.fallbackReason, "not-enrolled");
  assert.is(d.of("pev.confirm", out)[0]!.status, "not-enrolled");
});

test("BR-4: fallback on an invalid PEV ID, with the VIN rule that failed", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: "1HGCM82633A00435O" });
  const s = d.state.session!;
  assert.is(s.fallbackReason, "invalid-pev-id");
  assert.ok(d.records().some((r) => r.kind === "fallback" && /letter O at position 17/.test(r.reason)));
  assert.equal(d.of("utility.validate"), []);
});

test("BR-6: no EUMD detected at plug-in means fallback at once, charging proceeds", () => {
  const d = new Driver();
  d.send({ type: "eumd.status", present: false, reason: "Modbus timeout at 127.0.0.1:1502 unit 2" });
  d.send({ type: "evse.state", state: "B" });
  const s = d.state.session!;
  assert.is(s.phase, "fallback");
  assert.is(s.fallbackReason, "no-eumd");
  assert.is(s.rate, "default");
  assert.ok(d.lastEvse()!.enabled);
});

test("BR-6: the EUMD lost during the window means fallback", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "eumd.status", present: false, reason: "3 timeouts" });
  assert.is(d.state.session!.fallbackReason, "no-eumd");
});

test("FR-10: customer preference 'wait-off-peak' holds fallback charging until the premises off-peak period", () => {
  const d = new Driver(settings({ fallbackPreference: "wait-off-peak" }));
  d.plug();
  d.tickFor(60);
  assert.is(d.state.session!.phase, "fallback");
  assert.is(d.lastEvse()!.enabled, false);
  assert.match(d.lastEvse()!.why, /off-peak/);
  d.send({ type: "tariff.off-peak", offPeak: true });
  assert.is(d.lastEvse()!.enabled, true);
});

test("a binding that arrives after fallback does not change that session", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.tickFor(60);
  const out = d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  const s = d.state.session!;
  assert.is(s.phase, "fallback");
  assert.is(s.rate, "default");
  assert.equal(d.of("pev.confirm", out), []);
  assert.ok(d.records(out).some((r) => r.kind === "binding.late"));
});

test("FR-16, FR-18, FR-23, FR-26: commissioning delivers the authentication parameters to the PEV and the EUMD", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  const p = params({ intervalS: 300 });
  const out = d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: p });
  const confirm = d.of("pev.confirm", out)[0]!;
  assert.is(confirm.commissioning, true);
  assert.equal(confirm.params, p);
  assert.equal(d.of("eumd.detect", out)[0]!.params, p);
  const c = d.state.session!.commissioning!;
  assert.is(c.pevParamsSentAt, T0 + 0);
  assert.is(c.eumdDetectSentAt, T0 + 0);
  assert.is(d.state.settings.pendingIntervalS, 300, "EUMD interval length from the parameters is pending for the next boundary");
});

test("FR-19, FR-27: both acknowledgements are recorded and forwarded to the utility", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  d.after(2).send({ type: "pev.ack" });
  d.after(1).send({ type: "eumd.ack" });
  const c = d.state.session!.commissioning!;
  assert.is(c.pevAckAt, T0 + 2);
  assert.is(c.eumdAckAt, T0 + 3);
  assert.equal(d.of("utility.ack").map((a) => a.device), ["pev", "eumd"]);
});

test("FR-17, FR-24: the customer can see whether a session was established (display + recorded events)", () => {
  const bound = new Driver();
  bound.plug();
  bound.send({ type: "pev.hello", vin: VIN });
  bound.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  assert.match(bound.of("display")[0]!.text, /session established: EV Time-of-Use/);
  const fb = new Driver();
  fb.plug();
  fb.tickFor(60);
  assert.match(fb.of("display")[0]!.text, /regular rate/);
});

test("FR-28: a later plug-in of a commissioned PEV takes the short path (challenge, proof, short validation)", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  d.after(600).send({ type: "evse.state", state: "A" });
  d.after(3600);
  const before = d.log.length;
  d.send({ type: "evse.state", state: "B" });
  d.send({ type: "pev.hello", vin: VIN });
  assert.is(d.of("pev.challenge", d.log.slice(before)).length, 1);
  assert.equal(d.of("utility.validate", d.log.slice(before)), [], "no full validation before the proof");
  d.send({ type: "pev.proof", ok: true });
  const v = d.of("utility.validate", d.log.slice(before));
  assert.is(v.length, 1);
  assert.is(v[0]!.path, "rebinding");
  assert.is(v[0]!.proofOk, true);
  const out = d.send({ type: "utility.answer", status: "enrolled", path: "rebinding", params: null });
  assert.is(d.state.session!.phase, "bound");
  assert.equal(d.of("eumd.detect", out), [], "no re-commissioning of the EUMD");
  assert.is(d.of("pev.confirm", out)[0]!.commissioning, false);
});

test("FR-09: a failed proof at re-binding means fallback", () => {
  const d = new Driver();
  d.state.knownPevs[VIN] = { programId: "EV-TOU", commissionedAt: T0 as never, credentialExpiresAt: null };
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "pev.proof", ok: false, reason: "HMAC mismatch" });
  assert.is(d.state.session!.fallbackReason, "proof-failed");
});

test("FR-28: utility unreachable at re-binding binds offline from a valid credential, when the program allows it", () => {
  const d = new Driver();
  d.state.knownPevs[VIN] = { programId: "EV-TOU", commissionedAt: T0 as never, credentialExpiresAt: (T0 + 1e6) as never };
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "pev.proof", ok: true });
  d.send({ type: "utility.unreachable", reason: "connect ECONNREFUSED", offlineCredentialValid: true });
  assert.is(d.state.session!.phase, "bound");
  assert.is(d.state.session!.binding.offline, true);
  const d2 = new Driver();
  d2.plug();
  d2.send({ type: "pev.hello", vin: VIN });
  d2.send({ type: "utility.unreachable", reason: "connect ECONNREFUSED", offlineCredentialValid: false });
  assert.is(d2.state.session!.phase, "awaiting-binding", "commissioning never binds offline");
});

test("the engine is pure: the input state is not mutated and the same inputs give the same outputs", () => {
  const a = new Driver();
  a.plug();
  const frozen = JSON.stringify(a.state);
  const snapshot = structuredClone(a.state);
  const b = new Driver();
  b.state = structuredClone(snapshot);
  const ra = a.send({ type: "pev.hello", vin: VIN });
  const rb = b.send({ type: "pev.hello", vin: VIN });
  assert.equal(ra, rb);
  assert.is(JSON.stringify(snapshot), frozen);
});

test("demand response: pause during the event, opt-out restores charging, status reported", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  d.send({ type: "dr.event", id: "DR-1", action: "pause", limitA: null, startsAt: (d.now + 10) as never, endsAt: (d.now + 3600) as never, optOutAllowed: true });
  assert.ok(d.lastEvse()!.enabled);
  d.tickFor(10);
  assert.is(d.lastEvse()!.enabled, false);
  d.send({ type: "dr.opt-out", id: "DR-1" });
  assert.is(d.lastEvse()!.enabled, true);
  assert.equal(d.of("dr.status").map((s) => s.status), ["received", "started", "opted-out"]);
});

test("demand response: a curtail caps the current; opting out of an event that does not allow it is refused and recorded", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  d.send({ type: "dr.event", id: "DR-2", action: "curtail", limitA: 10, startsAt: d.now as never, endsAt: (d.now + 600) as never, optOutAllowed: false });
  assert.equal([d.lastEvse()!.enabled, d.lastEvse()!.currentA], [true, 10]);
  const out = d.send({ type: "dr.opt-out", id: "DR-2" });
  assert.ok(d.records(out).some((r) => r.kind === "dr.opt-out-refused"));
  assert.is(d.lastEvse()!.currentA, 10, "still curtailed");
  d.tickFor(600);
  assert.is(d.lastEvse()!.currentA, 32, "full current after the event");
  assert.equal(d.of("dr.status").map((s) => s.status), ["received", "started", "completed"]);
});

test("unplug closes the session, holds the EVSE, closes the link and reports a final revision", () => {
  const d = new Driver();
  d.plug();
  d.tickFor(60);
  const out = d.send({ type: "evse.state", state: "A" });
  assert.is(d.state.session, null);
  assert.is(d.of("pevlink.close", out).length, 1);
  assert.is(d.lastEvse()!.enabled, false);
  const reports = d.of("session.report");
  assert.equal(reports.map((r) => r.revision), [1, 2]);
});

test("FR-28: a different vehicle reported on the same plug-in ends the session and opens a new one with its own window and binding", () => {
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  const first = d.state.session!;
  d.now += 30;
  const out = d.send({ type: "evse.vehicle-changed", reason: "the charger reported idTag CARD-2" });
  const next = d.state.session!;
  assert.ok(next.id !== first.id, "a new session");
  assert.is(next.phase, "awaiting-binding");
  assert.is(next.vin, null);
  assert.is(next.windowEndsAt, d.now + settings().commWaitS);
  assert.is(d.state.lastEnded?.id, first.id);
  assert.is(d.state.lastEnded?.phase, "ended");
  assert.equal(d.of("pevlink.close", out).map((c) => c.sessionId), [first.id]);
  assert.equal(d.of("pevlink.open", out).map((c) => c.sessionId), [next.id]);
  assert.ok(d.records(out).some((r) => r.kind === "unplug" && /session ended: the charger reported idTag CARD-2/.test(r.reason)));
  assert.ok(d.records(out).some((r) => r.kind === "on-plug" && /new session on the same plug-in/.test(r.reason)));
  assert.is(d.lastEvse()!.enabled, false, "NFR-2: the new session is held until its binding is decided");
  // Without a vehicle plugged in the event changes nothing.
  d.send({ type: "evse.state", state: "A" });
  const idle = d.send({ type: "evse.vehicle-changed", reason: "late tag" });
  assert.is(d.state.session, null);
  assert.equal(d.of("pevlink.open", idle), []);
});

test.run();
