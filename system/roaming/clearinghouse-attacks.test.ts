// Issue 13, item 4, from a registered utility's side: the clearinghouse believes a utility only about its own
// customers' VINs, and only on that utility's signature; it takes no negative or implausible CDR; a home utility's
// refusal dead-letters a CDR, a home utility's 5xx is retried with a growing delay; a sender dead-letters what the
// clearinghouse refuses. Two real head-ends and the clearinghouse on loopback (one shared simulated clock), plus a
// stand-in home utility where the test must choose the answer (a 5xx). After every attack, no ledger balance moved.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock, type UtcSeconds } from "../../core/time/index.ts";
import type { RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair, signUtilityRequest, type ErrorBody, type KeyObject, type OcpiCdr } from "../../cloud-sync/protocol/index.ts";
import { defineTestProgram, makeVin, testUtility, type TestUtility } from "../../cloud-sync/utility/test-support.ts";
import { registerUtility, startTwoUtilities, TOKEN_A, TOKEN_B, type TwoUtilities } from "./two-utilities.test-support.ts";

const TOKEN_C = "token-of-utility-c-0123456789";
const VIN_B = makeVin("3FA6P0SU1K123456"); // utility B's customer's PEV, roaming allowed
const VIN_B2 = makeVin("1G1FY6S07K412345"); // registered by B, but not (any longer) a PEV at B
const VIN_C = makeVin("5YJ3E1EA7KF31755"); // the stand-in utility C's

let world: TwoUtilities;
const clock = new TestClock();
let ch: RunningClearinghouse;
let a: TestUtility;
let b: TestUtility;
const keyC = generateEd25519KeyPair();
/** The stand-in home utility C: answers CDR pushes with `cAnswer`, counting them. */
let cAnswer = 503;
let cPushes = 0;
let cServer: ReturnType<typeof Bun.serve>;

/** Every ledger account's balance at a head-end, read from its postings: "no balance moved" compares two of these. */
const balances = (t: TestUtility) =>
  t.utility.db.all("SELECT ledger_account AS account, SUM(amount_nano) AS nano FROM postings GROUP BY ledger_account ORDER BY ledger_account");

async function call(method: string, path: string, bearer: string, o: { body?: unknown; sign?: { utilityId: string; key: KeyObject; time?: number; nonce?: string } } = {}) {
  const text = o.body === undefined ? "" : typeof o.body === "string" ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
  if (o.sign) Object.assign(headers, signUtilityRequest({ method, path, body: text, utilityId: o.sign.utilityId, privateKey: o.sign.key, time: (o.sign.time ?? clock.now()) as UtcSeconds, ...(o.sign.nonce ? { nonce: o.sign.nonce } : {}) }));
  const res = await fetch(`${ch.url}${path}`, { method, headers, ...(o.body === undefined ? {} : { body: text }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Partial<ErrorBody>, headers };
}

const keyOf = (t: TestUtility) => t.utility.headEnd.key.privateKey;
const homeOf = (vin: string) => (ch.db.query("SELECT utility_id FROM tokens WHERE vin = ?").get(vin) as { utility_id: string } | null)?.utility_id ?? null;

function cdr(sessionId: string, uid: string, o: { usd?: number; kwh?: number; hours?: number } = {}): OcpiCdr {
  const start = "2024-06-03T08:00:00Z";
  const end = new Date(Date.parse(start) + (o.hours ?? 1) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const kwh = o.kwh ?? 2;
  return {
    country_code: "US", party_id: "UTA", id: `cdr-${sessionId}`, start_date_time: start, end_date_time: end, session_id: sessionId,
    cdr_token: { country_code: "US", party_id: "UTB", uid, type: "OTHER", contract_id: uid }, auth_method: "AUTH_REQUEST",
    cdr_location: { id: "loc-1", address: "withheld", city: "withheld", country: "USA", coordinates: { latitude: "0.000000", longitude: "0.000000" }, evse_uid: "HUB-A1", evse_id: "US*UTA*EHUBA1", connector_id: "1", connector_standard: "IEC_62196_T1", connector_format: "CABLE", connector_power_type: "AC_1_PHASE" },
    currency: "USD", charging_periods: [{ start_date_time: start, dimensions: [{ type: "ENERGY", volume: kwh }] }],
    total_cost: { excl_vat: o.usd ?? 0.5 }, total_energy: kwh, total_time: o.hours ?? 1, last_updated: end,
  };
}

test.before(async () => {
  try {
    world = await startTwoUtilities(clock);
    ({ ch, a, b } = world);
    cServer = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => { cPushes++; return Response.json({ error: { code: "x", message: `stand-in answers ${cAnswer}` } }, { status: cAnswer }); } });
    await registerUtility(ch, "UTIL-C", `http://127.0.0.1:${cServer.port}`, TOKEN_C, exportPublicKeyPem(keyC.publicKey));
    // The operator token is checked like any bearer token: a utility's own token does not register utilities.
    assert.is((await call("POST", "/v1/utilities", TOKEN_A, { body: { utilityId: "UTIL-X", baseUrl: "http://127.0.0.1:9", token: "x".repeat(20), publicKeyPem: a.utility.publicKeyPem } })).status, 401);
    // B enrolls its customer's PEV in a program that allows roaming; its head-end publishes the VIN, signed.
    await defineTestProgram(b, "ev-b", { roamingAllowed: true });
    for (const [m, p, body] of [
      ["POST", "/v1/operator/customers", { id: "CUST-B1", name: "Roamer" }],
      ["POST", "/v1/operator/accounts", { id: "ACCT-B1", customerId: "CUST-B1" }],
      ["POST", "/v1/operator/premises", { id: "PREM-B1", accountId: "ACCT-B1", address: "9 Far Away", defaultTariffId: "test-flat" }],
      ["POST", "/v1/operator/pevs", { vin: VIN_B, accountId: "ACCT-B1" }],
      ["POST", "/v1/operator/enrollments", { vin: VIN_B, premisesId: "PREM-B1", programId: "ev-b" }],
    ] as const) {
      const r = await b.op(m, p, body);
      assert.ok(r.status < 300, `${p}: ${JSON.stringify(r.body)}`);
    }
    await b.utility.flushRoaming();
    assert.is(homeOf(VIN_B), "UTIL-B", "B's signed registration was taken");
    const signedPut = await call("PUT", `/v1/tokens/${VIN_C}`, TOKEN_C, { sign: { utilityId: "UTIL-C", key: keyC.privateKey } });
    assert.is(signedPut.status, 200, JSON.stringify(signedPut.body));
  } catch (e) {
    console.error("clearinghouse attack test setup failed:", e);
    throw e;
  }
});

test.after(async () => {
  await cServer?.stop(true);
  await world?.close();
});

test("issue 13: utility A cannot overwrite or delete utility B's roaming VIN, even signing with its own key", async () => {
  const before = [await balances(a), await balances(b)];
  const put = await call("PUT", `/v1/tokens/${VIN_B}`, TOKEN_A, { sign: { utilityId: "UTIL-A", key: keyOf(a) } });
  assert.is(put.status, 409);
  assert.is(put.body.error?.code, "held-by-other-utility");
  const del = await call("DELETE", `/v1/tokens/${VIN_B}`, TOKEN_A, { sign: { utilityId: "UTIL-A", key: keyOf(a) } });
  assert.is(del.status, 409);
  // Through A's own head-end: its operator enrolls B's PEV as an A customer's; A's signed push is refused the same way.
  await defineTestProgram(a, "ev-a", { roamingAllowed: true });
  for (const [m, p, body] of [
    ["POST", "/v1/operator/customers", { id: "CUST-A9", name: "Claimant" }],
    ["POST", "/v1/operator/accounts", { id: "ACCT-A9", customerId: "CUST-A9" }],
    ["POST", "/v1/operator/premises", { id: "PREM-A9", accountId: "ACCT-A9", address: "1 Near", defaultTariffId: "test-flat" }],
    ["POST", "/v1/operator/pevs", { vin: VIN_B, accountId: "ACCT-A9" }],
    ["POST", "/v1/operator/enrollments", { vin: VIN_B, premisesId: "PREM-A9", programId: "ev-a" }],
  ] as const) assert.ok((await a.op(m, p, body)).status < 300, p);
  await a.utility.flushRoaming();
  assert.is(homeOf(VIN_B), "UTIL-B", "B's VIN is still B's");
  // A's head-end sets the refused token aside with the reason instead of asking again every flush.
  const refused = await a.utility.db.get<{ refused: string | null }>("SELECT refused FROM roaming_tokens WHERE vin = ?", VIN_B);
  assert.match(refused?.refused ?? "", /HTTP 409 .*held-by-other-utility/);
  const attemptsByA = () => ch.db.query("SELECT COUNT(*) AS n FROM sync_nonces WHERE hub_id = 'UTIL-A'").get();
  const seen = attemptsByA();
  await a.utility.flushRoaming();
  assert.equal(attemptsByA(), seen, "no signed request was sent again");
  assert.equal(ch.db.query("SELECT utility_id, action FROM token_changes WHERE vin = ?").all(VIN_B), [{ utility_id: "UTIL-B", action: "put" }],
    "only B's own signed registration is on record");
  assert.equal([await balances(a), await balances(b)], before);
});

test("issue 13: an unsigned, a wrongly signed, a replayed or another utility's signed token registration is refused; nothing is registered", async () => {
  const path = `/v1/tokens/${VIN_B2}`;
  const unsigned = await call("PUT", path, TOKEN_B);
  assert.is(unsigned.status, 401);
  assert.is(unsigned.body.error?.code, "missing-header");
  const stranger = generateEd25519KeyPair();
  const forged = await call("PUT", path, TOKEN_B, { sign: { utilityId: "UTIL-B", key: stranger.privateKey } });
  assert.is(forged.status, 401);
  assert.is(forged.body.error?.code, "bad-signature");
  // A's key and A's name on the signature, B's bearer token (stolen): the signer is not the caller.
  const mixed = await call("PUT", path, TOKEN_B, { sign: { utilityId: "UTIL-A", key: keyOf(a) } });
  assert.is(mixed.status, 403);
  assert.is(mixed.body.error?.code, "signer-mismatch");
  // A's key under B's name.
  const claimed = await call("PUT", path, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(a) } });
  assert.is(claimed.status, 401);
  assert.is(claimed.body.error?.code, "bad-signature");
  // A signature an hour old, and a captured good request sent again.
  assert.is((await call("PUT", path, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(b), time: clock.now() - 3600 } })).body.error?.code, "stale");
  const good = await call("PUT", path, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(b) } });
  assert.is(good.status, 200);
  const del = await call("DELETE", path, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(b) } });
  assert.is(del.status, 200);
  const replay = await fetch(`${ch.url}${path}`, { method: "PUT", headers: good.headers });
  assert.is(replay.status, 401);
  assert.is(((await replay.json()) as ErrorBody).error.code, "replayed");
  assert.is(homeOf(VIN_B2), null, "the replayed registration did not bring the VIN back");
  // A hub-style signature (the hub's first line and header) is no utility signature.
  const hubStyle = await fetch(`${ch.url}${path}`, { method: "PUT", headers: { ...good.headers, "x-offpeak-hub": "UTIL-B", "x-offpeak-utility": "" } });
  assert.is(hubStyle.status, 401);
});

test("issue 13: any string as a VIN is a 400 naming the VIN, signed or not", async () => {
  for (const bad of ["NOT-A-VIN", "1HGCM82633A004353" /* wrong check digit */, "1HGCM82633A00435I" /* I is not a VIN letter */, "x".repeat(40)]) {
    const r = await call("PUT", `/v1/tokens/${bad}`, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(b) } });
    assert.is(r.status, 400, bad);
    assert.is(r.body.error?.path, "path.vin");
    assert.is(homeOf(bad), null);
  }
  const cdrBad = await call("POST", "/v1/cdrs", TOKEN_A, { body: { v: 1, cdr: cdr("S-BADVIN", "ANY STRING") } });
  assert.is(cdrBad.status, 400);
  assert.is(cdrBad.body.error?.path, "cdr.cdr_token.uid");
});

test("issue 13: a CDR of −$5,000 is refused at the clearinghouse and by the home utility; no balance moves", async () => {
  const before = [await balances(a), await balances(b)];
  const r = await call("POST", "/v1/cdrs", TOKEN_A, { body: { v: 1, cdr: cdr("S-NEG", VIN_B, { usd: -5000 }) } });
  assert.is(r.status, 422);
  assert.is(r.body.error?.path, "cdr.total_cost.excl_vat");
  assert.equal(ch.db.query("SELECT COUNT(*) AS n FROM cdrs WHERE session_id = 'S-NEG'").get(), { n: 0 });
  // A clearinghouse that let it through (or anyone holding its token) meets the home utility's own check.
  const pushed = await fetch(`${b.utility.url}/v1/clearinghouse/cdrs`, {
    method: "POST", headers: { authorization: `Bearer ${TOKEN_B}`, "content-type": "application/json" },
    body: JSON.stringify({ v: 1, clearinghouseCdrId: "ch-forged", fromUtilityId: "UTIL-A", homeUtilityId: "UTIL-B", cdr: cdr("S-NEG", VIN_B, { usd: -5000 }) }),
  });
  assert.is(pushed.status, 422);
  assert.equal([await balances(a), await balances(b)], before);
});

test("issue 13: a $1e9 CDR in a sender's outbox is refused (422) and dead-lettered there with the reason, never sent again", async () => {
  const before = [await balances(a), await balances(b)];
  // Utility A's own outbox holds a CDR of a billion dollars for 2 kWh (a misbehaving or compromised sender).
  const big = cdr("S-BILLION", VIN_B, { usd: 1e9 });
  await a.utility.db.run("INSERT INTO cdrs_out (premises_id, session_id, cdr_id, home_utility_id, body, state) VALUES ('PREM-X', ?, ?, 'UTIL-B', ?, 'pending')", big.session_id, big.id, JSON.stringify(big));
  const flushed = await a.utility.headEnd.roaming.flush();
  assert.equal([flushed.tokens, flushed.cdrs], [0, 0]);
  assert.equal(flushed.errors.map((e) => [e.kind, e.id, e.status]), [["cdr", big.id, 422]], "the flush reports the refusal (issue 14)");
  const out = (await a.utility.headEnd.roaming.cdrOut("PREM-X", "S-BILLION"))!;
  assert.is(out.state, "dead");
  assert.match(out.lastError ?? "", /HTTP 422 implausible-cdr: .*USD\/kWh/);
  const attempts = async () => (await a.utility.db.get<{ attempts: number }>("SELECT attempts FROM cdrs_out WHERE session_id = 'S-BILLION'"))!.attempts;
  assert.is(await attempts(), 1);
  clock.advance(7_200_000);
  await a.utility.headEnd.roaming.flush();
  assert.is(await attempts(), 1, "not retried");
  assert.equal(ch.db.query("SELECT COUNT(*) AS n FROM cdrs WHERE session_id = 'S-BILLION'").get(), { n: 0 });
  assert.equal([await balances(a), await balances(b)], before);
});

test("issue 13: a CDR the home utility refuses (4xx) is dead-lettered at the clearinghouse with the reason and not pushed again", async () => {
  const before = [await balances(a), await balances(b)];
  // B registers a VIN it has no PEV for: its head-end answers the push 404; the refusal will not change on retry.
  assert.is((await call("PUT", `/v1/tokens/${VIN_B2}`, TOKEN_B, { sign: { utilityId: "UTIL-B", key: keyOf(b) } })).status, 200);
  const r = await call("POST", "/v1/cdrs", TOKEN_A, { body: { v: 1, cdr: cdr("S-REFUSED", VIN_B2) } });
  assert.is(r.status, 201);
  assert.is(r.body.delivered, false);
  const row = () => ch.db.query("SELECT state, attempts, last_error FROM cdrs WHERE session_id = 'S-REFUSED'").get() as { state: string; attempts: number; last_error: string };
  assert.is(row().state, "dead");
  assert.match(row().last_error, /^HTTP 404: .*is not a customer's PEV at this utility/);
  clock.advance(7_200_000);
  assert.is(await ch.deliverPending(), 0);
  assert.is(row().attempts, 1, "a dead-lettered CDR is not pushed again");
  assert.equal([await balances(a), await balances(b)], before);
});

test("issue 13: a home utility's 5xx is retried with a growing delay (5 s, 10 s, 20 s ...), then delivered once", async () => {
  cAnswer = 503;
  cPushes = 0;
  const r = await call("POST", "/v1/cdrs", TOKEN_A, { body: { v: 1, cdr: cdr("S-5XX", VIN_C) } });
  assert.is(r.status, 201);
  assert.is(cPushes, 1);
  const row = () => ch.db.query("SELECT state, attempts, next_attempt_at, last_error FROM cdrs WHERE session_id = 'S-5XX'").get() as { state: string; attempts: number; next_attempt_at: number; last_error: string };
  assert.is((await row()).state, "pending");
  assert.match((await row()).last_error, /^HTTP 503/);
  let due = (await row()).next_attempt_at;
  assert.is(due - clock.now(), 5);
  for (const delay of [10, 20, 40]) {
    await ch.deliverPending(); // not due yet
    assert.is((await row()).attempts, [10, 20, 40].indexOf(delay) + 1);
    clock.advance((due - clock.now()) * 1000);
    await ch.deliverPending();
    assert.is((await row()).next_attempt_at - clock.now(), delay, `the next wait is ${delay} s`);
    due = (await row()).next_attempt_at;
  }
  assert.is(cPushes, 4, "one push per due time, none in between");
  cAnswer = 201;
  clock.advance((due - clock.now()) * 1000);
  assert.is(await ch.deliverPending(), 1);
  assert.is((await row()).state, "delivered");
  clock.advance(7_200_000);
  assert.is(await ch.deliverPending(), 0);
  assert.is(cPushes, 5, "delivered once");
});

test("issue 13: a sender backs off too: a clearinghouse 5xx leaves the CDR pending with a growing delay, a refusal does not", async () => {
  cAnswer = 503;
  // Utility D sends its CDRs to the stand-in (as if the clearinghouse failed): 5xx, retried later, not at once.
  const d = await testUtility({ clock, utilityId: "UTIL-D", clearinghouseUrl: `http://127.0.0.1:${cServer.port}`, clearinghouseToken: "token-of-utility-d-0123456789" });
  try {
    const c = cdr("S-D1", VIN_B);
    await d.utility.db.run("INSERT INTO cdrs_out (premises_id, session_id, cdr_id, home_utility_id, body, state) VALUES ('PREM-X', ?, ?, 'UTIL-B', ?, 'pending')", c.session_id, c.id, JSON.stringify(c));
    const seen = cPushes;
    await d.utility.headEnd.roaming.flush();
    await d.utility.headEnd.roaming.flush();
    assert.is(cPushes - seen, 1, "the second flush comes before the 5 s delay: nothing sent");
    const row = async () => (await d.utility.db.get<{ state: string; attempts: number; next_attempt_at: number }>("SELECT state, attempts, next_attempt_at FROM cdrs_out WHERE session_id = 'S-D1'"))!;
    assert.is((await row()).state, "pending");
    assert.is((await row()).next_attempt_at - clock.now(), 5);
    clock.advance(5000);
    await d.utility.headEnd.roaming.flush();
    assert.is(cPushes - seen, 2);
    assert.is((await row()).next_attempt_at - clock.now(), 10);
  } finally {
    await d.close();
  }
});

test.run();
