// Issue 13 from the attacker's side: hub B is a real paired hub (its own Ed25519 key, real signed HTTP) run by a
// customer who wants to be paid, or to make customer A pay. Every attack is refused or held, and no balance moves.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TestClock } from "../../../core/time/index.ts";
import { connect } from "node:net";
import { SIGNATURE_HEADERS, signRequest } from "../../protocol/index.ts";
import { ROUTES } from "../../protocol/index.ts";
import { bindPev, defineTestProgram, enrollHousehold, makeVin, newHub, OPERATOR, publicPem, sessionReport, testUtility, type TestHub, type TestUtility } from "../test-support.ts";

const VIN_A = makeVin("5YJ3E1EA7KF31001");
const VIN_B = makeVin("1N4AZ1CP8JC31002");
const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000;

let t: TestUtility;
let hubA: TestHub, hubB: TestHub;
let a: Awaited<ReturnType<typeof enrollHousehold>>, b: Awaited<ReturnType<typeof enrollHousehold>>;

test.before(async () => {
  t = await testUtility();
  await defineTestProgram(t, "ev-a", { guestCharging: "guest-pays" });
  hubA = newHub(t.utility.url, "HUB-A", t.clock);
  hubB = newHub(t.utility.url, "HUB-B", t.clock);
  a = await enrollHousehold(t, "A", { vin: VIN_A, programId: "ev-a", hub: hubA });
  b = await enrollHousehold(t, "B", { vin: VIN_B, programId: "ev-a", hub: hubB });
});
test.after(async () => { await t.close(); });

const balance = async (acct: string) => (await t.op("GET", `/v1/operator/ledger?account=${acct}`)).body.balanceNano as number;
const balances = async () => ({ a: await balance(a.accountId), b: await balance(b.accountId), total: (await t.op("GET", "/v1/operator/ledger")).body.totalNano as number });

/** The protocol's error body: `{ error: { code, message, path? } }`. */
const err = (body: Record<string, unknown>) => body.error as { code: string; message: string; path?: string };

/** Sends a raw signed body as hub `hub` (the attacker controls every byte of it). */
async function signedPost(hub: TestHub, path: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = signRequest({ method: "POST", path, body, hubId: hub.hubId, privateKey: hub.keys.privateKey, time: t.clock.now() });
  const res = await fetch(`${t.utility.url}${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test("issue 13: hub B sending revision 2 of A's session cannot reverse A's charge (it is B's own, unbound: held)", async () => {
  const genuine = sessionReport({ sessionId: "PREM-A-1", hubId: "HUB-A", premisesId: a.premisesId, vin: VIN_A, start: T0, wh: [1000, 1000] });
  assert.is((await hubA.client.sendSessionReport(genuine)).outcome, "accepted");
  const before = await balances();
  const forged = sessionReport({ sessionId: "PREM-A-1", revision: 2, hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_A, start: T0, wh: [0] });
  const r = await hubB.client.sendSessionReport(forged);
  assert.is(r.outcome, "held-for-review");
  assert.equal(await balances(), before, "A's posted charge stands; nobody billed");
  const s = await t.op("GET", "/v1/operator/sessions/PREM-A-1");
  assert.is((s.body.session as { hubId: string; status: string }).hubId, "HUB-A");
  assert.is((s.body.session as { status: string }).status, "posted");
});

test("issue 13: hub B pre-claiming A's next session ID at revision 1000 does not swallow A's genuine report", async () => {
  const before = await balances();
  const squat = sessionReport({ sessionId: "PREM-A-2", revision: 1000, hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_A, start: T0 + 7200, wh: [0] });
  assert.is((await hubB.client.sendSessionReport(squat)).outcome, "held-for-review");
  assert.equal(await balances(), before, "the squat bills nobody");
  const genuine = sessionReport({ sessionId: "PREM-A-2", hubId: "HUB-A", premisesId: a.premisesId, vin: VIN_A, start: T0 + 7200, wh: [500] });
  const r = await hubA.client.sendSessionReport(genuine);
  assert.is(r.outcome, "accepted", "A's own session, not superseded by B's");
  assert.is(await balance(a.accountId) - before.a, 500 * 200_000, "A billed exactly its 0.5 kWh off-peak");
  assert.is(await balance(b.accountId), before.b);
});

test("issue 13: a binding ID hub B did not open is refused with 403 binding-not-yours", async () => {
  const granted = await bindPev(t, hubA, a.premisesId, VIN_A, { sessionId: "PREM-A-3", path: "rebinding" });
  assert.is(granted.status, "enrolled");
  const bindingId = (granted as { bindingId?: string }).bindingId!;
  assert.match(bindingId, /^bnd_[A-Za-z0-9_-]{22}$/);
  const before = await balances();
  const stolen = { ...sessionReport({ sessionId: "PREM-B-9", hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0 + 4 * 3600, wh: [100] }), bindingId };
  const res = await signedPost(hubB, ROUTES.sessions.path, JSON.stringify(stolen));
  assert.is(res.status, 403);
  assert.is(err(res.body).code, "binding-not-yours");
  assert.is(err(res.body).path, "bindingId");
  assert.equal(await balances(), before);
});

test("issue 13: 20 kWh reported by hub B for A's enrolled VIN with no plug-in and no binding is held, never billed to A", async () => {
  const before = await balances();
  for (const status of ["enrolled", "guest"] as const) {
    const fake = sessionReport({ sessionId: `FAKE-${status}`, hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_A, start: T0 + 10 * 3600, wh: [4000, 4000, 4000, 4000, 4000], status });
    const r = await hubB.client.sendSessionReport(fake);
    assert.is(r.outcome, "held-for-review");
    assert.match(r.note ?? "", /no guest binding granted to hub HUB-B/);
  }
  assert.equal(await balances(), before, "A not charged, B not credited");
});

test("issue 13: 10 GWh in a 15-minute interval is a 400 naming the field; Number.MAX_SAFE_INTEGER Wh too, never a 500", async () => {
  const before = await balances();
  for (const wh of [10_000_000_000, Number.MAX_SAFE_INTEGER]) {
    const r = sessionReport({ sessionId: `HUGE-${wh}`, hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0 + 20 * 3600, wh: [wh] });
    const res = await signedPost(hubB, ROUTES.sessions.path, JSON.stringify(r));
    assert.is(res.status, 400);
    assert.is(err(res.body).path, "intervals[0].wh");
  }
  const rev = sessionReport({ sessionId: "HUGE-REV", revision: Number.MAX_SAFE_INTEGER, hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0, wh: [1] });
  const res = await signedPost(hubB, ROUTES.sessions.path, JSON.stringify(rev));
  assert.is(res.status, 400);
  assert.is(err(res.body).path, "revision");
  assert.equal(await balances(), before);
});

test("issue 13: an interval beyond the EVSE's rated power × its length is held with the reason (physics before money)", async () => {
  const before = await balances();
  // 19.2 kW × 0.25 h = 4.8 kWh (+ 2 % + 10 Wh): 10 MWh cannot have flowed through a home charger in 15 minutes.
  const r = sessionReport({ sessionId: "PHYS-1", hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0 + 20 * 3600, wh: [10_000_000] });
  const receipt = await hubB.client.sendSessionReport(r);
  assert.is(receipt.outcome, "held-for-review");
  assert.match(receipt.note ?? "", /intervals\[0\]\.wh: 10000000 Wh in 900 s is more than the EVSE's rated 19200 W/);
  assert.equal(await balances(), before);
});

test("issue 13: the same energy under a second session ID for the same PEV and hour is held for review", async () => {
  const first = sessionReport({ sessionId: "DUP-1", hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0 + 30 * 3600, wh: [2000, 2000] });
  assert.is((await hubB.client.sendSessionReport(first)).outcome, "accepted");
  const before = await balances();
  const again = sessionReport({ sessionId: "DUP-2", hubId: "HUB-B", premisesId: b.premisesId, vin: VIN_B, start: T0 + 30 * 3600 + 900, wh: [2000, 2000] });
  const r = await hubB.client.sendSessionReport(again);
  assert.is(r.outcome, "held-for-review");
  assert.match(r.note ?? "", /overlaps session DUP-1/);
  // The same EUMD, without a VIN (fallback), is caught too.
  const fallback = sessionReport({ sessionId: "DUP-3", hubId: "HUB-B", premisesId: b.premisesId, vin: null, start: T0 + 30 * 3600, wh: [2000], rate: "default" });
  assert.is((await hubB.client.sendSessionReport(fallback)).outcome, "held-for-review");
  assert.equal(await balances(), before);
});

test("issue 13: re-pairing a paired hub to another customer's premises is a 409 with the reason; it stays where it was", async () => {
  const r = await t.op("POST", "/v1/operator/hubs", { hubId: "HUB-B", premisesId: a.premisesId, publicKeyPem: publicPem(hubB) });
  assert.is(r.status, 409);
  assert.is(err(r.body).code, "already-paired");
  assert.match(String(err(r.body).message), /unpair it first/);
  const cfg = await hubB.client.pullConfig();
  assert.is(cfg.premisesId, b.premisesId);
  assert.is((await t.op("POST", "/v1/operator/hubs", { hubId: "HUB-B", premisesId: b.premisesId, publicKeyPem: publicPem(hubB) })).status, 201, "the same pairing again is idempotent");
});

test("issue 13: an operator token of the right length in non-ASCII characters is a 401, not a 500", async () => {
  // Raw bytes on a socket: fetch() will not send non-ASCII header values, an attacker's client will.
  for (const token of ["é".repeat(OPERATOR.length), "€".repeat(OPERATOR.length / 3 | 0), "x"]) {
    const answer = await new Promise<string>((resolve, reject) => {
      let out = "";
      const sock = connect(t.utility.port, "127.0.0.1", () => {
        sock.write(Buffer.concat([Buffer.from("GET /v1/operator/ledger HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer "),
          Buffer.from(token, "utf8"), Buffer.from("\r\n\r\n")]));
      });
      sock.on("data", (d) => { out += d.toString("latin1"); });
      sock.on("end", () => resolve(out));
      sock.on("error", reject);
    });
    assert.match(answer, /^HTTP\/1\.1 401/, `token ${JSON.stringify(token)}: ${answer.slice(0, 40)}`);
  }
});

test("issue 13: a reassigned VIN's earlier history is not the new owner's; visitors show without VIN or review text", async () => {
  // A's VIN is sold to B's customer and enrolled at B's premises: B must not see the sessions A had with it.
  (t.clock as TestClock).advance(3 * 86_400_000);
  assert.is((await t.op("POST", "/v1/operator/pevs", { vin: VIN_A, accountId: b.accountId })).status, 201);
  assert.is((await t.op("POST", "/v1/operator/enrollments", { vin: VIN_A, premisesId: b.premisesId, programId: "ev-a" })).status, 201);
  const res = await fetch(`${t.utility.url}/v1/customer/sessions`, { headers: { authorization: `Bearer ${b.customerToken}` } });
  const sessions = ((await res.json()) as { sessions: { sessionId: string; hubSessionId: string; hubId: string; vin: string | null; reviewReason: string | null }[] }).sessions;
  assert.not.ok(sessions.some((s) => s.hubId === "HUB-A"), "A's history with the VIN stays A's");
  const squat = sessions.find((s) => s.hubSessionId === "PREM-A-2");
  assert.ok(squat, "the session reported at B's premises before the VIN was B's is listed as a visitor's");
  assert.is(squat!.vin, null);
  assert.is(squat!.reviewReason, null);
});

test("issue 13: the nonce is persisted before the answer, so a replay is refused even across a restart", async () => {
  const body = JSON.stringify(sessionReport({ sessionId: "NONCE-1", hubId: "HUB-B", premisesId: b.premisesId, vin: null, start: T0 + 40 * 3600, wh: [1], rate: "default" }));
  const headers = signRequest({ method: "POST", path: ROUTES.sessions.path, body, hubId: hubB.hubId, privateKey: hubB.keys.privateKey, time: t.clock.now() });
  const send = () => fetch(`${t.utility.url}${ROUTES.sessions.path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
  assert.is((await send()).status, 200);
  // The nonce is on disk before the answer: it is in the table now, not a tick later.
  const row = await t.utility.db.get("SELECT 1 AS x FROM sync_nonces WHERE hub_id = 'HUB-B' AND nonce = ?", (headers as Record<string, string>)[SIGNATURE_HEADERS.nonce]!);
  assert.ok(row, "nonce persisted before the answer");
  const replay = await send();
  assert.is(replay.status, 401);
});

test.run();
