// Issue 13, "fabricated sessions ... the same works across utilities through roaming": the host customer at
// utility A controls its own hub and tries to have utility B's customer pay for energy through a roaming CDR.
// Two real head-ends and the clearinghouse on loopback (one shared simulated clock); the hubs speak real signed HTTP
// with their own keys. After each attempt, B's customer's balance has not moved, and no CDR charged them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../core/time/index.ts";
import type { PremisesId, Vin } from "../../core/ids/index.ts";
import type { RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, type TestHub, type TestUtility } from "../../cloud-sync/utility/test-support.ts";
import { startTwoUtilities, type TwoUtilities } from "./two-utilities.test-support.ts";
const VIN_B = makeVin("3FA6P0SU1K123456"); // B's customer's PEV; roaming allowed
const VIN_A = makeVin("5YJ3E1EA7KF31755"); // the attacker's own PEV at A

const clock = new TestClock();
let world: TwoUtilities;
let ch: RunningClearinghouse;
let a: TestUtility;
let b: TestUtility;
let hubA: TestHub; // the attacker's own hub, paired to its own premises at A
let hubB: TestHub; // the victim's hub at home, at B
let host: { premisesId: string; accountId: string };

/** B's customer's ledger balance and B's whole ledger: what an attack must not move. */
const victim = async () => ({
  customer: (await b.op("GET", "/v1/operator/ledger?account=ACCT-B1")).body.balanceNano,
  postings: b.utility.db.query("SELECT COUNT(*) AS n FROM postings").get(),
  cdrsIn: b.utility.db.query("SELECT COUNT(*) AS n FROM cdrs_in").get(),
});
/** Everything both sides do with what is pending: A sends its CDRs, the clearinghouse pushes them to B. */
const settleRoaming = async () => {
  await a.utility.flushRoaming();
  await ch.deliverPending();
};
const slot = () => Math.floor(clock.now() / 900) * 900;

test.before(async () => {
  try {
    world = await startTwoUtilities(clock);
    ({ ch, a, b } = world);
    // B: the victim's household, its PEV commissioned at home through its own hub, roaming allowed (token published).
    await defineTestProgram(b, "ev-b", { roamingAllowed: true });
    hubB = newHub(b.utility.url, "HUB-B1", clock);
    await enrollHousehold(b, "B1", { vin: VIN_B, programId: "ev-b", hub: hubB });
    await b.utility.flushRoaming();
    // A: the attacker's household, in a program that accepts roaming PEVs.
    await defineTestProgram(a, "ev-a", { roamingAllowed: true });
    hubA = newHub(a.utility.url, "HUB-A1", clock);
    host = await enrollHousehold(a, "A1", { vin: VIN_A, programId: "ev-a", hub: hubA });
  } catch (e) {
    console.error("cross-utility attack test setup failed:", e);
    throw e;
  }
});

test.after(async () => { await world?.close(); });

test("issue 13: a roaming session for B's PEV with no binding request is held at A; no CDR is made, B's customer pays nothing", async () => {
  const before = await victim();
  const fake = sessionReport({ sessionId: "FAKE-1", hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_B, start: slot(), wh: [1000, 2000], status: "roaming" });
  const r = await hubA.client.sendSessionReport(fake);
  assert.is(r.outcome, "held-for-review");
  assert.match(r.note ?? "", /no roaming binding granted to hub HUB-A1/);
  await settleRoaming();
  assert.equal(a.utility.db.query("SELECT COUNT(*) AS n FROM cdrs_out").get(), { n: 0 });
  assert.equal(ch.db.query("SELECT COUNT(*) AS n FROM cdrs").get(), { n: 0 });
  assert.equal(await victim(), before);
});

test("issue 13: one binding request, then a session two days later: outside the grant, held; no CDR charges B's customer", async () => {
  const before = await victim();
  const answer = await hubA.client.validateBinding({ v: 1, hubId: hubA.hubId, premisesId: host.premisesId as PremisesId, vin: VIN_B as Vin, path: "commissioning", pevProofOk: false, at: clock.now() });
  assert.is(answer.status, "roaming", "A looked B's VIN up at the clearinghouse");
  clock.advance(2 * 86_400_000);
  const late = sessionReport({ sessionId: "FAKE-2", hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_B, start: slot(), wh: [1000, 2000], status: "roaming" });
  const r = await hubA.client.sendSessionReport(late);
  assert.is(r.outcome, "held-for-review");
  await settleRoaming();
  assert.equal(a.utility.db.query("SELECT COUNT(*) AS n FROM cdrs_out").get(), { n: 0 });
  // Released by A's operator, it bills the host premises' own account at its default rate, never B's customer.
  const hostBefore = (await a.op("GET", `/v1/operator/ledger?account=${host.accountId}`)).body.balanceNano as number;
  const rel = await a.op("POST", `/v1/operator/sessions/${r.sessionId}/review`, { decision: "release", note: "checked" });
  assert.is(rel.status, 200, JSON.stringify(rel.body));
  const hostAfter = (await a.op("GET", `/v1/operator/ledger?account=${host.accountId}`)).body.balanceNano as number;
  assert.is(hostAfter - hostBefore, 3000 * 300_000, "3 kWh at the host's flat 0.30 $/kWh, debited to the host");
  await settleRoaming();
  assert.equal(a.utility.db.query("SELECT COUNT(*) AS n FROM cdrs_out").get(), { n: 0 }, "no CDR after the release");
  assert.equal(await victim(), before);
});

test("issue 13: a granted roaming session while B's PEV was charging at home: B refuses the CDR, the clearinghouse dead-letters it; B's customer pays only for home", async () => {
  // The victim's PEV charges at home; B bills it (a genuine session).
  clock.advance(86_400_000);
  const start = slot();
  const home = sessionReport({ sessionId: "HOME-1", hubId: "HUB-B1", premisesId: "PREM-B1", utilityId: "UTIL-B", vin: VIN_B, start, wh: [1000, 2000, 2000] });
  const rebind = await hubB.client.validateBinding({ v: 1, hubId: hubB.hubId, premisesId: "PREM-B1" as PremisesId, vin: VIN_B as Vin, path: "rebinding", pevProofOk: true, at: clock.now() });
  assert.is(rebind.status, "enrolled");
  assert.is((await hubB.client.sendSessionReport(home)).outcome, "accepted");
  const before = await victim();

  const hostBalance = async () => (await a.op("GET", `/v1/operator/ledger?account=${host.accountId}`)).body.balanceNano as number;
  const host0 = await hostBalance();
  // Meanwhile the attacker's hub asks to bind B's VIN and reports the same hour as a roaming session.
  const answer = await hubA.client.validateBinding({ v: 1, hubId: hubA.hubId, premisesId: host.premisesId as PremisesId, vin: VIN_B as Vin, path: "commissioning", pevProofOk: false, at: clock.now() });
  assert.is(answer.status, "roaming");
  const fake = sessionReport({ sessionId: "FAKE-3", hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_B, start, wh: [1000, 2000, 2000], status: "roaming" });
  const receipt = await hubA.client.sendSessionReport(fake);
  assert.is(receipt.outcome, "accepted", "A cannot tell: its host's hub says the PEV was there");
  assert.is(await hostBalance() - host0, -5000 * 300_000, "for now the host is credited 5 kWh at its regular rate");
  await settleRoaming();
  const row = ch.db.query("SELECT state, last_error FROM cdrs WHERE session_id LIKE '%'").all() as { state: string; last_error: string }[];
  assert.is(row.length, 1);
  assert.is(row[0]!.state, "dead", "B refused it (422): dead-lettered, not retried");
  assert.match(row[0]!.last_error, /^HTTP 422: .*pev-elsewhere.*was charging at premises PREM-B1 \(session HOME-1\)/);
  clock.advance(7_200_000);
  assert.is(await ch.deliverPending(), 0);
  assert.equal(await victim(), before, "no CDR charged B's customer");
  // A asks what became of its CDR: refused at home, so the session billed on the host hub's word alone is held and
  // the host's credit reversed; nobody is paid or charged for it until an operator decides.
  await a.utility.flushRoaming();
  const s = await a.op("GET", `/v1/operator/sessions/${receipt.sessionId}`);
  const session = s.body.session as { status: string; reviewReason: string };
  assert.is(session.status, "held");
  assert.match(session.reviewReason, /home utility UTIL-B refused the roaming CDR: HTTP 422: .*pev-elsewhere/);
  assert.is((s.body.cdr as { homeOutcome: string }).homeOutcome, "refused");
  assert.is(await hostBalance(), host0, "the attacker's credit is reversed");
  assert.equal(a.utility.db.query("SELECT SUM(amount_nano) AS n FROM postings WHERE ledger_account = 'clearinghouse:UTIL-B'").get(), { n: 0 }, "nothing owed by B");
});

test.run();
