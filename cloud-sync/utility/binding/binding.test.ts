// Enrollment and binding over real HTTP on loopback: the hub side is part A's UtilityClient (signed requests).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPublicKey } from "node:crypto";
import type { PremisesId } from "../../../core/ids/index.ts";
import type { Vin } from "../../../core/ids/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { verifyBindingCredential } from "../../protocol/index.ts";
import { signRequest, type ErrorBody } from "../../protocol/index.ts";
import { UtilityRejectedError } from "../../protocol/index.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, testUtility, type TestHub, type TestUtility } from "../test-support.ts";

const VIN1 = makeVin("5YJ3E1EA7KF31755");
const VIN2 = makeVin("1N4AZ1CP8JC31234");
const VIN_UNKNOWN = makeVin("WBY8P2C05K7D1234");

let t: TestUtility;
let hub1: TestHub, hub2: TestHub;
let p1: string, p2: string;

test.before(async () => {
  t = await testUtility();
  await defineTestProgram(t, "ev-a", { guestCharging: "guest-pays" });
  hub1 = newHub(t.utility.url, "HUB-1", t.clock);
  hub2 = newHub(t.utility.url, "HUB-2", t.clock);
  p1 = (await enrollHousehold(t, "1", { vin: VIN1, programId: "ev-a", hub: hub1, bind: false })).premisesId;
  p2 = (await enrollHousehold(t, "2", { vin: VIN2, programId: "ev-a", hub: hub2, bind: false })).premisesId;
});
test.after(async () => { await t.close(); });

const now = () => t.clock.now();
const bindReq = (vin: string, premisesId: string, hubId: string, path: "commissioning" | "rebinding", pevProofOk = path === "rebinding") =>
  ({ v: 1 as const, hubId: hubId as never, premisesId: premisesId as PremisesId, vin: vin as Vin, path, pevProofOk, at: now() });

test("FR-01, FR-02: programs and how to enroll are public", async () => {
  const res = await fetch(`${t.utility.url}/v1/programs`);
  assert.is(res.status, 200);
  const body = (await res.json()) as { programs: { id: string; enrollmentMethods: string[]; tariffId: string }[] };
  const p = body.programs.find((x) => x.id === "ev-a");
  assert.ok(p, "program listed");
  assert.equal(p!.enrollmentMethods, ["web", "phone"]);
  assert.is(p!.tariffId, "test-tou");
});

test("FR-04, FR-05: an enrolled PEV is known with its program; an unknown one is `enrolled: false`, not an error", async () => {
  const known = await t.op("GET", `/v1/operator/enrollments/${VIN1}`);
  assert.is(known.status, 200);
  assert.is(known.body.enrolled, true);
  assert.is((known.body.program as { guestCharging: string }).guestCharging, "guest-pays");
  const unknown = await t.op("GET", `/v1/operator/enrollments/${VIN_UNKNOWN}`);
  assert.is(unknown.status, 200);
  assert.is(unknown.body.enrolled, false);
});

test("FR-03: a PEV with a bad VIN check digit is refused with 400 naming `vin`", async () => {
  const bad = VIN1.slice(0, 8) + (VIN1[8] === "1" ? "2" : "1") + VIN1.slice(9);
  const r = await t.op("POST", "/v1/operator/pevs", { vin: bad, accountId: "ACCT-1" });
  assert.is(r.status, 400);
  assert.is(r.body.error?.path, "vin");
  assert.match(String(r.body.error?.message), /check digit/);
});

test("operator actions need the operator token", async () => {
  const res = await fetch(`${t.utility.url}/v1/operator/customers`, { method: "POST", body: "{}", headers: { authorization: "Bearer wrong-token-xx" } });
  assert.is(res.status, 401);
});

test("FR-14, FR-16, FR-18: commissioning returns signed authentication parameters and a fresh per-PEV secret", async () => {
  const a = await hub1.client.validateBinding(bindReq(VIN1, p1, "HUB-1", "commissioning"));
  assert.is(a.status, "enrolled");
  if (a.status !== "enrolled") return;
  assert.is(a.parameters.programId, "ev-a");
  assert.is(a.parameters.tariffId, "test-tou");
  assert.is(a.parameters.intervalS, 900);
  assert.ok(a.parameters.commWaitS >= 60);
  assert.ok(a.pevSecret && a.pevSecret.length >= 22, "secret delivered");
  const key = createPublicKey(t.utility.publicKeyPem);
  const verdict = verifyBindingCredential(a.parameters.credential, { keys: new Map([[t.utility.keyId, key]]), now: now(), vin: VIN1 as Vin, premisesId: p1 as PremisesId });
  assert.ok(verdict.ok, JSON.stringify(verdict));
  const rec = await t.op("GET", `/v1/operator/enrollments/${VIN1}`);
  assert.is((rec.body.binding as { state: string }).state, "commissioning", "pending acks (FR-19, FR-27)");
});

test("FR-19, FR-27: commissioning completes once both the PEV and the EUMD acknowledge", async () => {
  const base = { v: 1 as const, hubId: "HUB-1" as never, premisesId: p1 as PremisesId, vin: VIN1 as Vin, at: now() };
  const r1 = await hub1.client.acknowledge({ ...base, kind: "pev", programId: "ev-a", tariffId: "test-tou", credentialKeyId: t.utility.keyId, credentialExpiresAt: (now() + 1000) as UtcSeconds });
  assert.is(r1.duplicate, false);
  let rec = await t.op("GET", `/v1/operator/enrollments/${VIN1}`);
  assert.is((rec.body.binding as { state: string }).state, "commissioning");
  await hub1.client.acknowledge({ ...base, kind: "eumd", eumdId: "eumd-1", intervalS: 900 });
  rec = await t.op("GET", `/v1/operator/enrollments/${VIN1}`);
  const b = rec.body.binding as { state: string; pevAckAt: number; eumdAckAt: number };
  assert.is(b.state, "commissioned");
  assert.ok(b.pevAckAt && b.eumdAckAt);
  const again = await hub1.client.acknowledge({ ...base, kind: "eumd", eumdId: "eumd-1", intervalS: 900 });
  assert.is(again.duplicate, true);
});

test("FR-28: re-binding confirms without a new secret when the PEV proved its secret", async () => {
  const a = await hub1.client.validateBinding(bindReq(VIN1, p1, "HUB-1", "rebinding", true));
  assert.is(a.status, "enrolled");
  assert.is((a as { pevSecret?: string }).pevSecret, undefined);
  const noProof = await hub1.client.validateBinding(bindReq(VIN1, p1, "HUB-1", "rebinding", false));
  assert.is(noProof.status, "invalid");
});

test("FR-28: re-binding with no commissioning on record is refused (commission first)", async () => {
  const a = await hub2.client.validateBinding(bindReq(VIN2, p2, "HUB-2", "rebinding", true));
  assert.is(a.status, "invalid");
  assert.match((a as { reason: string }).reason, /commission/);
});

test("FR-05: a PEV no one enrolled gets `not-enrolled`, as an answer", async () => {
  const a = await hub1.client.validateBinding(bindReq(VIN_UNKNOWN, p1, "HUB-1", "commissioning"));
  assert.is(a.status, "not-enrolled");
});

test("FR-33: a PEV enrolled at another premises binds as a guest, paid per the host program (guest-pays)", async () => {
  const a = await hub1.client.validateBinding(bindReq(VIN2, p1, "HUB-1", "rebinding"));
  assert.is(a.status, "guest");
  if (a.status !== "guest") return;
  assert.is(a.visitor.payer, "guest");
  assert.is(a.visitor.homeUtilityId, "UTIL-A");
  assert.is(a.parameters.offlineRebinding, false);
});

test("FR-33: with guest charging off at the host program, a guest PEV is not enrolled there", async () => {
  await t.op("PUT", "/v1/operator/programs/ev-off", { name: "No guests", tariffId: "test-tou", guestCharging: "off" });
  const hub3 = newHub(t.utility.url, "HUB-3", t.clock);
  const { premisesId } = await enrollHousehold(t, "3", { vin: makeVin("JTDKN3DU0A123456"), programId: "ev-off", hub: hub3, bind: false });
  const a = await hub3.client.validateBinding(bindReq(VIN1, premisesId, "HUB-3", "rebinding"));
  assert.is(a.status, "not-enrolled");
});

// --- trust: replayed, tampered, stale and cross-premises requests are refused ---

async function signedPost(hub: TestHub, path: string, body: string, o: { time?: number; nonce?: string; tamper?: string } = {}) {
  const headers = signRequest({ method: "POST", path, body, hubId: hub.hubId, privateKey: hub.keys.privateKey, time: (o.time ?? now()) as UtcSeconds, ...(o.nonce ? { nonce: o.nonce } : {}) });
  const res = await fetch(`${t.utility.url}${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: o.tamper ?? body });
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

test("trust: a replayed request (same nonce) is refused with 401 replayed", async () => {
  const body = JSON.stringify(bindReq(VIN1, p1, "HUB-1", "rebinding"));
  const first = await signedPost(hub1, "/v1/hub/binding", body, { nonce: "nonce-replay-000001" });
  assert.is(first.status, 200);
  const again = await signedPost(hub1, "/v1/hub/binding", body, { nonce: "nonce-replay-000001" });
  assert.is(again.status, 401);
  assert.is(again.body.error?.code, "replayed");
});

test("trust: a tampered body is refused with 401 bad-signature", async () => {
  const body = JSON.stringify(bindReq(VIN1, p1, "HUB-1", "rebinding"));
  const r = await signedPost(hub1, "/v1/hub/binding", body, { tamper: body.replace('"rebinding"', '"commissioning"') });
  assert.is(r.status, 401);
  assert.is(r.body.error?.code, "bad-signature");
});

test("trust: a stale timestamp is refused with 401 stale", async () => {
  const body = JSON.stringify(bindReq(VIN1, p1, "HUB-1", "rebinding"));
  const r = await signedPost(hub1, "/v1/hub/binding", body, { time: now() - 3600 });
  assert.is(r.status, 401);
  assert.is(r.body.error?.code, "stale");
});

test("trust: a hub asking for another premises is refused with 403 cross-premises", async () => {
  const r = await signedPost(hub1, "/v1/hub/binding", JSON.stringify(bindReq(VIN2, p2, "HUB-1", "rebinding")));
  assert.is(r.status, 403);
  assert.is(r.body.error?.code, "cross-premises");
  assert.is(r.body.error?.path, "premisesId");
  try {
    await hub1.client.validateBinding(bindReq(VIN2, p2, "HUB-1", "rebinding"));
    assert.unreachable("should refuse");
  } catch (e) {
    assert.instance(e, UtilityRejectedError);
  }
});

test("trust: a hub that was never paired is refused with 401 unknown-hub", async () => {
  const stranger = newHub(t.utility.url, "HUB-X", t.clock);
  const r = await signedPost(stranger, "/v1/hub/binding", JSON.stringify(bindReq(VIN1, p1, "HUB-X", "rebinding")));
  assert.is(r.status, 401);
  assert.is(r.body.error?.code, "unknown-hub");
});

test("malformed binding request: 400 naming the field (vin)", async () => {
  const body = JSON.stringify({ ...bindReq(VIN1, p1, "HUB-1", "rebinding"), vin: "NOT-A-VIN" });
  const r = await signedPost(hub1, "/v1/hub/binding", body);
  assert.is(r.status, 400);
  assert.is(r.body.error?.path, "vin");
});

test("malformed operator bodies: 400 naming the field; unknown routes: 404 JSON", async () => {
  const r = await t.op("PUT", "/v1/operator/programs/p-bad", { name: "x", tariffId: "test-tou", commWaitS: 30 });
  assert.is(r.status, 400);
  assert.is(r.body.error?.path, "commWaitS");
  const j = await t.op("POST", "/v1/operator/customers", "{not json");
  assert.is(j.status, 400);
  const nf = await fetch(`${t.utility.url}/v1/nowhere`);
  assert.is(nf.status, 404);
  assert.is(((await nf.json()) as { error: { code: string } }).error.code, "not-found");
});

test("healthz and openapi.json answer", async () => {
  const h = await fetch(`${t.utility.url}/healthz`);
  assert.is(h.status, 200);
  const o = (await (await fetch(`${t.utility.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.is(o.openapi, "3.1.0");
  assert.ok(o.paths["/v1/hub/binding"]);
  assert.ok(o.paths["/v1/operator/enrollments"]);
});

test.run();
