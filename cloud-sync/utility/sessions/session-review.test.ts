// Operator review of sessions held by FR-15 load correlation, over real HTTP: release bills the held revision through
// intake's own path (program rate, guest-pays split), reject bills nothing, both are recorded; a later revision of a
// released session supersedes it by reversal; a month closed afterwards carries the released energy.
// Tariffs (test-support.ts): program "test-tou" Off-Peak 0.20 $/kWh; premises default "test-flat" 0.30 $/kWh.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TestClock } from "../../../core/time/index.ts";
import { bindPev, defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility, type TestHub, type TestUtility } from "../test-support.ts";

const VIN1 = makeVin("5YJ3E1EA7KF31755");
const VIN2 = makeVin("1N4AZ1CP8JC31234");
const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000; // 01:00 PDT: off-peak
const OFF_PEAK = 200_000; // µ$/kWh = nano-$/Wh
const FLAT = 300_000;

let t: TestUtility;
let hub1: TestHub;
let h1: Awaited<ReturnType<typeof enrollHousehold>>, h2: Awaited<ReturnType<typeof enrollHousehold>>;

test.before(async () => {
  t = await testUtility();
  await defineTestProgram(t, "ev-a", { guestCharging: "guest-pays" });
  hub1 = newHub(t.utility.url, "HUB-1", t.clock);
  h1 = await enrollHousehold(t, "1", { vin: VIN1, programId: "ev-a", hub: hub1 });
  h2 = await enrollHousehold(t, "2", { vin: VIN2, programId: "ev-a", hub: newHub(t.utility.url, "HUB-2", t.clock) });
  // The premises meter saw 1000 Wh in each of the first four intervals: anything above 1030 Wh there is held.
  const ami = await t.op("POST", "/v1/ami/intervals", {
    v: 1, utilityId: "UTIL-A", premisesId: h1.premisesId, meterId: "AMI-1", source: "ami",
    intervals: [0, 1, 2, 3].map((i) => ({ start: T0 + i * 900, lengthS: 900, wh: 1000, quality: "ok" })),
  });
  if (ami.status !== 200) throw new Error(`AMI: ${JSON.stringify(ami.body)}`);
});
test.after(async () => { await t.close(); });

const ledgerTotal = async () => (await t.op("GET", "/v1/operator/ledger")).body.totalNano as number;
const balance = async (acct: string) => (await t.op("GET", `/v1/operator/ledger?account=${acct}`)).body.balanceNano as number;
const review = (id: string, body: unknown) => t.op("POST", `/v1/operator/sessions/${id}/review`, body);
interface SessionView {
  session: { status: string; settlement: string; revision: number };
  entries: { kind: string }[];
  reviews: { decision: string; note: string; reviewedBy: string; reviewedAt: number; revision: number; heldReason: string | null }[];
}
const sessionView = async (id: string) => (await t.op("GET", `/v1/operator/sessions/${id}`)).body as unknown as SessionView;

async function held(sessionId: string, vin: string, start: number, wh: number[], revision = 1): Promise<void> {
  // A guest needs the head-end's guest grant for this session (issue 13), as the hub would have asked at plug-in.
  if (vin !== VIN1 && revision === 1) assert.is((await bindPev(t, hub1, h1.premisesId, vin, { sessionId })).status, "guest");
  const r = sessionReport({ sessionId, revision, hubId: "HUB-1", premisesId: h1.premisesId, vin, start, wh, status: vin === VIN1 ? "enrolled" : "guest" });
  const receipt = await hub1.client.sendSessionReport(r);
  assert.is(receipt.outcome, "held-for-review", `${sessionId} should be held`);
  assert.match(receipt.note ?? "", /FR-15/);
}

test("FR-15, FR-31: a held session released by the operator is billed once at the program rate; the decision is recorded", async () => {
  const before = await balance(h1.accountId);
  await held("S-R1", VIN1, T0, [1500]);
  assert.is(await balance(h1.accountId), before, "held: nothing billed");
  const r = await review("S-R1", { decision: "release", note: "premises meter under-read; checked with field crew" });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(await balance(h1.accountId) - before, 1500 * OFF_PEAK, "1.5 kWh × 0.20 $");
  const v = await sessionView("S-R1");
  assert.is(v.session.status, "posted");
  assert.is(v.session.settlement, "program");
  assert.equal(v.entries.map((e) => e.kind), ["session"], "one entry: billed once");
  assert.is(v.reviews.length, 1);
  assert.is(v.reviews[0]!.decision, "release");
  assert.is(v.reviews[0]!.note, "premises meter under-read; checked with field crew");
  assert.is(v.reviews[0]!.reviewedAt, t.clock.now());
  assert.match(v.reviews[0]!.reviewedBy, /^operator-token:sha256:[0-9a-f]{16}$/);
  assert.not.ok(v.reviews[0]!.reviewedBy.includes(t.utility.operatorToken), "the token itself is never stored");
  assert.match(v.reviews[0]!.heldReason ?? "", /FR-15/);
  assert.is(await ledgerTotal(), 0);
});

test("FR-15: releasing twice is a 409 and bills nothing more; AMI re-sent later does not re-hold a released revision", async () => {
  const before = await balance(h1.accountId);
  const again = await review("S-R1", { decision: "release", note: "again" });
  assert.is(again.status, 409);
  assert.is(again.body.error?.code, "conflict");
  assert.is((await review("S-R1", { decision: "reject", note: "changed my mind" })).status, 409);
  const ami = await t.op("POST", "/v1/ami/intervals", {
    v: 1, utilityId: "UTIL-A", premisesId: h1.premisesId, meterId: "AMI-1", source: "ami",
    intervals: [{ start: T0, lengthS: 900, wh: 1000, quality: "ok" }],
  });
  assert.is(ami.status, 200);
  assert.is(await balance(h1.accountId), before);
  assert.is((await sessionView("S-R1")).reviews.length, 1);
});

test("FR-15: a held session rejected by the operator is never billed; the decision is recorded", async () => {
  const before = await balance(h1.accountId);
  await held("S-R2", VIN1, T0 + 900, [2000]);
  const r = await review("S-R2", { decision: "reject", note: "PEV energy not plausible for this premises" });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(await balance(h1.accountId), before);
  const v = await sessionView("S-R2");
  assert.is(v.session.status, "rejected");
  assert.is(v.entries.length, 0, "nothing posted");
  assert.equal(v.reviews.map((x) => [x.decision, x.note]), [["reject", "PEV energy not plausible for this premises"]]);
  assert.is((await review("S-R2", { decision: "release", note: "x" })).status, 409, "a rejected session is no longer held");
});

test("FR-15: an invalid review body is a 400 naming the field; an unknown session is a 404", async () => {
  const bad = await review("S-R1", { decision: "approve", note: "x" });
  assert.is(bad.status, 400);
  assert.is(bad.body.error?.path, "decision");
  const noNote = await review("S-R1", { decision: "release" });
  assert.is(noNote.status, 400);
  assert.is(noNote.body.error?.path, "note");
  const blank = await review("S-R1", { decision: "release", note: "   " });
  assert.is(blank.body.error?.path, "note");
  assert.is((await review("S-R1", "{not json")).status, 400);
  const unknown = await review("S-NOPE", { decision: "release", note: "x" });
  assert.is(unknown.status, 404);
  const unauth = await fetch(`${t.utility.url}/v1/operator/sessions/S-R1/review`, { method: "POST", body: JSON.stringify({ decision: "release", note: "x" }) });
  assert.is(unauth.status, 401);
});

test("FR-15, FR-33: a released guest session is split as intake would: guest debited at its program rate, host credited at its regular rate", async () => {
  const host0 = await balance(h1.accountId);
  const guest0 = await balance(h2.accountId);
  await held("S-R3", VIN2, T0 + 1800, [1500]);
  assert.is((await review("S-R3", { decision: "release", note: "guest charging confirmed" })).status, 200);
  assert.is(await balance(h2.accountId) - guest0, 1500 * OFF_PEAK);
  assert.is(await balance(h1.accountId) - host0, -1500 * FLAT);
  assert.is((await sessionView("S-R3")).session.settlement, "guest-pays");
  assert.is(await ledgerTotal(), 0);
});

test("FR-29, FR-15: a later revision of a released session supersedes it: reversal plus new postings", async () => {
  const before = await balance(h1.accountId);
  const r2 = sessionReport({ sessionId: "S-R1", revision: 2, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1000] });
  assert.is((await hub1.client.sendSessionReport(r2)).outcome, "accepted");
  assert.is(await balance(h1.accountId) - before, (1000 - 1500) * OFF_PEAK);
  const v = await sessionView("S-R1");
  assert.is(v.session.revision, 2);
  assert.equal(v.entries.map((e) => e.kind), ["session", "reversal", "session"]);
  assert.is(await ledgerTotal(), 0);
  // A later revision that misfits again is held anew (its release review is per revision) and the rest reversed.
  const r3 = sessionReport({ sessionId: "S-R1", revision: 3, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1600] });
  assert.is((await hub1.client.sendSessionReport(r3)).outcome, "held-for-review");
  assert.is(await balance(h1.accountId) - before, -1500 * OFF_PEAK, "revision 2 reversed too");
  assert.is((await review("S-R1", { decision: "release", note: "confirmed 1.6 kWh" })).status, 200);
  assert.is(await balance(h1.accountId) - before, (1600 - 1500) * OFF_PEAK);
  assert.equal((await sessionView("S-R1")).reviews.map((x) => [x.revision, x.decision]), [[1, "release"], [3, "release"]]);
  assert.is(await ledgerTotal(), 0);
});

test("FR-34, FR-15: a month closed after a release bills the released energy once", async () => {
  (t.clock as TestClock).advance(30 * 86_400 * 1000); // → 2024-07-03
  const host = await t.op("POST", "/v1/operator/bills", { accountId: h1.accountId, month: "2024-06" });
  assert.is(host.status, 201, JSON.stringify(host.body));
  const lines = (host.body as { lines: { kind: string; description: string; wh: number; amountCents: number }[] }).lines;
  const pev = lines.find((l) => l.kind === "pev-debit" && /Off-Peak/.test(l.description))!;
  assert.is(pev.wh, 1600, "S-R1 as released at revision 3; S-R2 (rejected) not billed");
  assert.is(pev.amountCents, 32, "1.6 kWh × 0.20 $");
  assert.is(lines.find((l) => l.kind === "guest-credit")!.amountCents, -45, "S-R3: 1.5 kWh × 0.30 $ credit");
  const guest = await t.op("POST", "/v1/operator/bills", { accountId: h2.accountId, month: "2024-06" });
  const guestLines = (guest.body as { lines: { kind: string; amountCents: number }[] }).lines;
  assert.is(guestLines.find((l) => l.kind === "guest-debit")!.amountCents, 30, "S-R3: 1.5 kWh × 0.20 $");
  assert.is(await ledgerTotal(), 0);
});

test.run();
