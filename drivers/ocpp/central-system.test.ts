// The central system from the attacker's side and the protocol's: who may connect, and what a malformed message earns.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimChargePoint } from "../sim/ocpp-charge-point.ts";
import { OcppConfigError } from "./central-system.ts";
import { OcppTimeoutError } from "./errors.ts";
import { ensureHubCertificate } from "./hub-certificate.ts";
import { centralSystem, PASSWORD, rawClient, waitFor } from "./test-support.ts";

const BOOT = [2, "b1", "BootNotification", { chargePointVendor: "Acme", chargePointModel: "One" }];

test("a known charge point with the right password boots and is Accepted", async () => {
  const { cs } = centralSystem();
  const c = await rawClient(`${cs.url}CP1`, { user: "CP1", password: PASSWORD });
  assert.ok(c.opened);
  assert.is(c.ws.protocol, "ocpp1.6");
  c.ws.send(JSON.stringify(BOOT));
  await waitFor("boot answer", () => c.inbox.length > 0);
  const [type, id, conf] = c.inbox[0] as [number, string, { status: string; interval: number }];
  assert.equal([type, id, conf.status, conf.interval], [3, "b1", "Accepted", 300]);
  c.ws.close();
  await cs.stop();
});

test("attacker: a wrong password, a missing password, or another charge point's name are refused before the WebSocket opens", async () => {
  const { cs, lines } = centralSystem();
  assert.not.ok((await rawClient(`${cs.url}CP1`, { user: "CP1", password: "wrong-password-123456" })).opened);
  assert.not.ok((await rawClient(`${cs.url}CP1`)).opened);
  assert.not.ok((await rawClient(`${cs.url}CP1`, { user: "CP2", password: PASSWORD })).opened, "the user name must be the charge point id");
  const res = await fetch(`${cs.url.replace("ws", "http")}CP1`, { headers: { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "ocpp1.6" } });
  assert.is(res.status, 401);
  assert.is(res.headers.get("www-authenticate"), 'Basic realm="OCPP"');
  assert.ok(lines.some((l) => /refused "CP1".*wrong charge point id or password/.test(l)));
  assert.is(cs.sessions.get("CP1")?.connected, false);
  await cs.stop();
});

test("attacker: a client that does not offer ocpp1.6 is refused; one that offers several gets ocpp1.6", async () => {
  const { cs } = centralSystem();
  assert.not.ok((await rawClient(`${cs.url}CP1`, { protocols: [], user: "CP1", password: PASSWORD })).opened);
  assert.not.ok((await rawClient(`${cs.url}CP1`, { protocols: ["ocpp2.0.1"], user: "CP1", password: PASSWORD })).opened);
  const c = await rawClient(`${cs.url}CP1`, { protocols: ["ocpp2.0.1", "ocpp1.6"], user: "CP1", password: PASSWORD });
  assert.ok(c.opened);
  assert.is(c.ws.protocol, "ocpp1.6");
  c.ws.close();
  await cs.stop();
});

test("attacker: an unknown charge point id is answered Pending, listed for the owner, and may do nothing else", async () => {
  const { cs } = centralSystem();
  const c = await rawClient(`${cs.url}STRANGER`, { user: "STRANGER", password: "stranger-password-16" });
  assert.ok(c.opened);
  c.ws.send(JSON.stringify(BOOT));
  c.ws.send(JSON.stringify([2, "s1", "StartTransaction", { connectorId: 1, idTag: "X", meterStart: 0, timestamp: "2024-06-03T07:00:00Z" }]));
  await waitFor("two answers", () => c.inbox.length >= 2);
  assert.is((c.inbox[0] as [number, string, { status: string }])[2].status, "Pending");
  assert.equal((c.inbox[1] as unknown[]).slice(0, 3), [4, "s1", "SecurityError"]);
  assert.equal(cs.listPending().map((p) => [p.id, p.offeredPassword, p.vendor, p.model]), [["STRANGER", true, "Acme", "One"]]);
  assert.not.ok(JSON.stringify(cs.listPending()).includes("stranger-password"), "the offered password is never listed");
  // The owner accepts: the charger is asked to boot again and is then Accepted.
  cs.accept("STRANGER");
  await waitFor("TriggerMessage BootNotification", () => c.inbox.some((m) => (m as unknown[])[2] === "TriggerMessage"));
  c.ws.send(JSON.stringify([2, "b2", "BootNotification", { chargePointVendor: "Acme", chargePointModel: "One" }]));
  await waitFor("second boot answer", () => c.inbox.some((m) => (m as unknown[])[1] === "b2"));
  assert.is((c.inbox.find((m) => (m as unknown[])[1] === "b2") as [number, string, { status: string }])[2].status, "Accepted");
  c.ws.close();
  await cs.stop();
});

test("attacker: with unknown = Rejected, an unknown charge point's boot is Rejected (and still listed)", async () => {
  const { cs } = centralSystem(undefined, { unknown: "Rejected" });
  const c = await rawClient(`${cs.url}STRANGER`);
  c.ws.send(JSON.stringify(BOOT));
  await waitFor("answer", () => c.inbox.length > 0);
  assert.is((c.inbox[0] as [number, string, { status: string }])[2].status, "Rejected");
  assert.equal(cs.listPending().map((p) => [p.id, p.offeredPassword]), [["STRANGER", false]]);
  assert.throws(() => cs.accept("STRANGER"), /offered no password/);
  c.ws.close();
  await cs.stop();
});

test("security profile 0 only for a charger the owner turned it on for", async () => {
  const { cs } = centralSystem([{ id: "OPEN", securityProfile: 0 }, { id: "CP1", securityProfile: 1, password: PASSWORD }]);
  const open = await rawClient(`${cs.url}OPEN`);
  assert.ok(open.opened);
  assert.not.ok((await rawClient(`${cs.url}CP1`)).opened);
  open.ws.close();
  await cs.stop();
  assert.throws(() => centralSystem([{ id: "CP1", securityProfile: 1, password: "short" }]), (e: Error) => e instanceof OcppConfigError && /16-40 characters/.test(e.message));
  assert.throws(() => centralSystem([{ id: "CP1", securityProfile: 2, password: PASSWORD }]), /needs TLS/);
});

test("attacker: malformed frames get the right CALLERROR and the connection stays up", async () => {
  const { cs } = centralSystem();
  const c = await rawClient(`${cs.url}CP1`, { user: "CP1", password: PASSWORD });
  c.ws.send(JSON.stringify(BOOT));
  await waitFor("boot", () => c.inbox.length >= 1);
  // Answers only: the hub's own CALLs (the fail-safe it sets after boot) are not what this test looks at.
  const answers = () => c.inbox.filter((m) => (m as unknown[])[0] !== 2) as unknown[][];
  const cases: Array<[string, string, string]> = [
    ["{not json", "-1", "FormationViolation"],
    [JSON.stringify({ a: 1 }), "-1", "FormationViolation"],
    [JSON.stringify([2, "m1", "Heartbeat"]), "m1", "FormationViolation"],
    [JSON.stringify([9, "m2", "Heartbeat", {}]), "m2", "FormationViolation"],
    [JSON.stringify([2, "m3", "StatusNotification", { connectorId: "1", errorCode: "NoError", status: "Charging" }]), "m3", "TypeConstraintViolation"],
    [JSON.stringify([2, "m4", "StatusNotification", { connectorId: 1, errorCode: "NoError", status: "Sleeping" }]), "m4", "PropertyConstraintViolation"],
    [JSON.stringify([2, "m5", "StatusNotification", { connectorId: 1, status: "Charging" }]), "m5", "OccurenceConstraintViolation"],
    [JSON.stringify([2, "m6", "Authorize", { idTag: "x".repeat(21) }]), "m6", "PropertyConstraintViolation"],
    [JSON.stringify([2, "m7", "FlyToTheMoon", {}]), "m7", "NotImplemented"],
    [JSON.stringify([2, "m8", "GetLog", { log: {}, logType: "DiagnosticsLog", requestId: 1 }]), "m8", "NotSupported"],
    [JSON.stringify([2, "m9", "Heartbeat", { extra: true }]), "m9", "PropertyConstraintViolation"],
  ];
  for (const [frame] of cases) c.ws.send(frame);
  await waitFor("all answered", () => answers().length === 1 + cases.length);
  cases.forEach(([frame, id, code], i) => {
    const m = answers()[1 + i]!;
    assert.equal([m[0], m[1], m[2]], [4, id, code], frame);
  });
  c.ws.send(JSON.stringify([2, "ok", "Heartbeat", {}]));
  await waitFor("heartbeat answered", () => answers().length === 2 + cases.length);
  assert.equal(answers().at(-1)!.slice(0, 2), [3, "ok"], "still connected and served");
  assert.is(c.closed, null);
  c.ws.close();
  await cs.stop();
});

test("attacker: an oversized frame closes only that connection (1009)", async () => {
  const { cs } = centralSystem([{ id: "CP1", securityProfile: 1, password: PASSWORD }, { id: "CP2", securityProfile: 1, password: PASSWORD }], { maxFrameBytes: 4096 });
  const a = await rawClient(`${cs.url}CP1`, { user: "CP1", password: PASSWORD });
  const b = await rawClient(`${cs.url}CP2`, { user: "CP2", password: PASSWORD });
  a.ws.send(JSON.stringify([2, "big", "DataTransfer", { vendorId: "x", data: "y".repeat(10_000) }]));
  await waitFor("closed", () => a.closed !== null);
  assert.is(a.closed!.code, 1009);
  b.ws.send(JSON.stringify(BOOT));
  await waitFor("other still served", () => b.inbox.some((m) => (m as unknown[])[1] === "b1"));
  b.ws.close();
  await cs.stop();
});

test("hub calls: each OCPP 1.6 command reaches the charger, is answered and schema-checked; no answer times out", async () => {
  const { cs, clock } = centralSystem();
  const cp = new SimChargePoint({ url: cs.url, id: "CP1", password: PASSWORD, clock });
  await cp.connect();
  const s = cs.sessions.get("CP1")!;
  await waitFor("accepted", () => cp.accepted);
  const calls: Array<[string, Record<string, unknown>, string]> = [
    ["GetConfiguration", { key: ["HeartbeatInterval", "Nope"] }, "configurationKey"],
    ["ChangeConfiguration", { key: "HeartbeatInterval", value: "120" }, "status"],
    ["ClearChargingProfile", { chargingProfilePurpose: "TxDefaultProfile" }, "status"],
    ["TriggerMessage", { requestedMessage: "Heartbeat" }, "status"],
    ["ChangeAvailability", { connectorId: 1, type: "Operative" }, "status"],
    ["UnlockConnector", { connectorId: 1 }, "status"],
    ["RemoteStartTransaction", { connectorId: 1, idTag: "CARD1" }, "status"],
    ["RemoteStopTransaction", { transactionId: 1 }, "status"],
  ];
  for (const [action, payload, key] of calls) {
    const r = await s.call(action, payload);
    assert.ok(key in r, `${action} answered ${JSON.stringify(r)}`);
  }
  await assert.not.throws(() => s.call("ChangeConfiguration", { key: "HeartbeatInterval" }).catch(() => undefined));
  await s.call("ChangeConfiguration", { key: "HeartbeatInterval" }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /refusing to send ChangeConfiguration: \/value/));
  // The charger stops answering: the call fails at its timeout on the hub's clock.
  cp.disconnect();
  await waitFor("hub saw the close", () => !s.connected);
  await s.call("Reset", { type: "Soft" }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /not connected/));
  const c = await rawClient(`${cs.url}CP1`, { user: "CP1", password: PASSWORD });
  await waitFor("reconnected", () => s.connected);
  const pending = s.call("Reset", { type: "Soft" });
  await waitFor("reset sent", () => c.inbox.length > 0);
  clock.advance(30_001);
  await pending.then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof OcppTimeoutError && /no answer within 30 s/.test(e.message)));
  c.ws.close();
  await cp.stop();
  await cs.stop();
});

test("security profile 2: TLS with the hub's own certificate; its SHA-256 fingerprint is shown; a client that does not trust it cannot connect", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-ocpp-tls-"));
  const cert = ensureHubCertificate(dir);
  assert.match(cert.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.is(ensureHubCertificate(dir).fingerprintSha256, cert.fingerprintSha256, "made once, then kept");
  const { cs, clock } = centralSystem([{ id: "CP1", securityProfile: 2, password: PASSWORD }], { tls: { certPem: cert.certPem, keyPem: cert.keyPem } });
  assert.match(cs.url, /^wss:\/\//);
  const cp = new SimChargePoint({ url: cs.url, id: "CP1", password: PASSWORD, clock, caPem: cert.certPem });
  await cp.connect();
  await waitFor("accepted over TLS", () => cp.accepted);
  const untrusting = new SimChargePoint({ url: cs.url, id: "CP1", password: PASSWORD, clock });
  await untrusting.connect().then(() => assert.unreachable("connected without trusting the certificate"), () => undefined);
  const wrong = new SimChargePoint({ url: cs.url, id: "CP1", password: "wrong-password-123456", clock, caPem: cert.certPem });
  await wrong.connect().then(() => assert.unreachable("wrong password over TLS"), () => undefined);
  await cp.stop();
  await cs.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
