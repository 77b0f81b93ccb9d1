// Issue 14: OCPI 2.2.1 CDRs that settle. A roaming session is corrected after its CDR was settled: the visited utility
// sends a credit CDR for the first and a new CDR for the correction, the clearinghouse relays both, the home utility
// reverses the first charge and bills the new one, and both utilities' ledgers balance — each side's clearinghouse
// account mirrors the other's. Every CDR the clearinghouse relayed is checked against OCPI 2.2.1's CDR object rules
// (system/roaming/ocpi/cdr-2.2.1.schema.json, transcribed from the specification, not from our zod schemas).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator, type Schema } from "@cfworker/json-schema";
import type { OcpiCdr } from "../../cloud-sync/protocol/index.ts";
import { startClearinghouse, type RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import type { PremisesId, Vin } from "../../core/ids/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility, type TestUtility } from "../../cloud-sync/utility/test-support.ts";

const CH_OPERATOR = "clearinghouse-operator";
const TOKEN_A = "token-of-utility-a-0123456789";
const TOKEN_B = "token-of-utility-b-0123456789";
const VIN_R = makeVin("3FA6P0SU1K123456"); // home: UTIL-B
const VIN_A = makeVin("5YJ3E1EA7KF31755"); // home: UTIL-A
const ocpiRules = new Validator(JSON.parse(readFileSync(new URL("./ocpi/cdr-2.2.1.schema.json", import.meta.url), "utf8")) as Schema, "2020-12", false);

let dir: string;
let ch: RunningClearinghouse;
let a: TestUtility;
let b: TestUtility;
const clock = new TestClock();
const undeclared: string[] = [];

const register = (body: unknown) => fetch(`${ch.url}/v1/utilities`, { method: "POST", headers: { authorization: `Bearer ${CH_OPERATOR}` }, body: JSON.stringify(body) });
const balance = async (t: TestUtility, account: string) => (await t.op("GET", `/v1/operator/ledger?account=${encodeURIComponent(account)}`)).body.balanceNano as number;
const relayed = () => (ch.db.query("SELECT body FROM cdrs ORDER BY received_at, rowid").all() as { body: string }[]).map((r) => JSON.parse(r.body) as OcpiCdr);

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-credit-"));
  ch = await startClearinghouse({ port: 0, dbPath: join(dir, "ch.db"), operatorToken: CH_OPERATOR, clock, retryMs: 3_600_000, onUndeclaredStatus: (op, s) => undeclared.push(`${op} ${s}`) });
  a = await testUtility({ clock, utilityId: "UTIL-A", clearinghouseUrl: ch.url, clearinghouseToken: TOKEN_A, ocpi: { countryCode: "US", partyId: "UTA" } });
  b = await testUtility({ clock, utilityId: "UTIL-B", clearinghouseUrl: ch.url, clearinghouseToken: TOKEN_B, ocpi: { countryCode: "US", partyId: "UTB" } });
  // Each utility registers its signing key (its token changes are signed) and its OCPI party.
  for (const [utilityId, u, token, partyId] of [["UTIL-A", a.utility, TOKEN_A, "UTA"], ["UTIL-B", b.utility, TOKEN_B, "UTB"]] as const) {
    const res = await register({ utilityId, baseUrl: u.url, token, publicKeyPem: u.publicKeyPem, ocpi: { countryCode: "US", partyId } });
    assert.is(res.status, 201);
  }
});
test.after(async () => {
  await a.close();
  await b.close();
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(undeclared, [], "every clearinghouse answer's status is in its /openapi.json");
});

test("issue 14: a corrected roaming session is settled by a credit CDR and a new CDR; both utilities' ledgers balance", async () => {
  // B (home): the roaming PEV's program allows roaming; its token is published.
  await defineTestProgram(b, "ev-b", { roamingAllowed: true });
  await enrollHousehold(b, "B1", { vin: VIN_R, programId: "ev-b", hub: newHub(b.utility.url, "HUB-B1", clock) });
  assert.is((await b.utility.flushRoaming()).errors.length, 0);
  // A (visited): a host premises whose program accepts roaming PEVs.
  await defineTestProgram(a, "ev-a", { roamingAllowed: true });
  const hub = newHub(a.utility.url, "HUB-A1", clock);
  const host = await enrollHousehold(a, "A1", { vin: VIN_A, programId: "ev-a", hub });
  const answer = await hub.client.validateBinding({ v: 1, hubId: hub.hubId, premisesId: host.premisesId as PremisesId, vin: VIN_R as Vin, path: "commissioning", pevProofOk: false, at: clock.now(), sessionId: "S-R1" as never });
  assert.is(answer.status, "roaming");

  // Revision 1: 3 kWh at A's flat 0.30 $ → 0.90 $, settled end to end.
  const start = Math.floor(clock.now() / 900) * 900;
  const bindingId = "bindingId" in answer ? answer.bindingId : undefined;
  const r1 = { ...sessionReport({ sessionId: "S-R1", hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_R, start, wh: [1000, 2000], status: "roaming" }), ...(bindingId ? { bindingId } : {}) };
  assert.is((await hub.client.sendSessionReport(r1)).outcome, "accepted");
  // An accepted session also starts a background flush: which pass sent the CDR is timing; that it is there is not.
  assert.equal((await a.utility.flushRoaming()).errors, []);
  assert.is(relayed().length, 1);
  await ch.deliverPending();
  assert.is(await balance(b, "ACCT-B1"), 900_000_000, "B billed its customer 0.90 $");

  // Revision 2 (the hub corrected the meter reading): 4 kWh → 1.20 $.
  const r2 = { ...sessionReport({ sessionId: "S-R1", revision: 2, hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_R, start, wh: [1500, 2500], status: "roaming" }), ...(bindingId ? { bindingId } : {}) };
  assert.is((await hub.client.sendSessionReport(r2)).outcome, "accepted");
  assert.equal((await a.utility.flushRoaming()).errors, []);
  assert.is(relayed().length, 3, "the credit CDR and the new CDR");
  await ch.deliverPending();

  const [first, credit, second] = relayed();
  assert.ok(first && credit && second, "three CDRs relayed");
  assert.is(credit.credit, true);
  assert.is(credit.credit_reference_id, first.id);
  assert.is(credit.total_cost.excl_vat, -0.9);
  assert.is(second.credit, undefined);
  assert.is(second.total_cost.excl_vat, 1.2);
  assert.is(second.total_energy_cost?.excl_vat, 1.2);
  assert.is(second.total_cost.incl_vat, 1.2);
  assert.is(first.party_id, "UTA");
  assert.is(first.cdr_token.party_id, "UTB", "the token's party is the home utility's, as the clearinghouse registered it");
  assert.is(first.cdr_token.uid, VIN_R);
  // The tariffs travel with the CDR: Σ volume × price of the periods is the energy cost.
  const priceOf = new Map(second.tariffs!.map((t) => [t.id, t.elements[0]!.price_components[0]!.price]));
  const priced = second.charging_periods.reduce((sum, p) => sum + p.dimensions[0]!.volume * priceOf.get(p.tariff_id!)!, 0);
  assert.is(Math.round(priced * 100) / 100, 1.2);

  // Home: 0.90 charged, 0.90 credited, 1.20 charged. Visited: owed 1.20 by B through the clearinghouse.
  assert.is(await balance(b, "ACCT-B1"), 1_200_000_000);
  assert.is(await balance(b, "clearinghouse:UTIL-A"), -1_200_000_000);
  assert.is(await balance(a, "clearinghouse:UTIL-B"), 1_200_000_000);
  assert.is((await a.op("GET", "/v1/operator/ledger")).body.totalNano, 0);
  assert.is((await b.op("GET", "/v1/operator/ledger")).body.totalNano, 0);
  const detail = await a.op("GET", "/v1/operator/sessions/S-R1");
  assert.equal((detail.body.cdrs as { state: string }[]).map((c) => c.state), ["sent", "sent", "sent"]);
});

test("issue 14: every CDR the clearinghouse relayed follows OCPI 2.2.1's CDR object rules", () => {
  const all = relayed();
  assert.ok(all.length >= 3);
  for (const cdr of all) {
    const r = ocpiRules.validate(cdr);
    assert.ok(r.valid, `CDR ${cdr.id}: ${JSON.stringify(r.errors.slice(0, 4))}`);
  }
  // The judge refuses what the old CDRs sent: an evse_id with characters eMI3 forbids, a J1772 connector name OCPI lacks.
  const bad = { ...all[0]!, cdr_location: { ...all[0]!.cdr_location, evse_id: "US*UTI*EHUB-A1", connector_standard: "SAE_J1772" } };
  assert.not.ok(ocpiRules.validate(bad).valid);
});

test("issue 14: a credit CDR for a CDR the sender never submitted is refused (422), so nobody credits another's charge", async () => {
  const [first] = relayed();
  const forged = { ...first!, id: "forged-C", credit: true, credit_reference_id: "cdr-never-sent", total_cost: { excl_vat: -5, incl_vat: -5 }, total_energy_cost: { excl_vat: -5, incl_vat: -5 } };
  const res = await fetch(`${ch.url}/v1/cdrs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN_A}` }, body: JSON.stringify({ v: 1, homeUtilityId: "UTIL-B", cdr: forged }) });
  assert.is(res.status, 422);
  const positiveCredit = { ...forged, credit_reference_id: first!.id, total_cost: { excl_vat: 0.9 } };
  const res2 = await fetch(`${ch.url}/v1/cdrs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN_A}` }, body: JSON.stringify({ v: 1, homeUtilityId: "UTIL-B", cdr: positiveCredit }) });
  assert.is(res2.status, 422, "a credit CDR must not charge");
});

test("issue 14: OCPI parties are per utility: a party another utility holds is refused (409), a CDR under another party is refused (422)", async () => {
  const taken = await register({ utilityId: "UTIL-C", baseUrl: "http://127.0.0.1:9", token: "token-of-utility-c-0123456789", publicKeyPem: a.utility.publicKeyPem, ocpi: { countryCode: "US", partyId: "UTA" } });
  assert.is(taken.status, 409);
  const [first] = relayed();
  const impostor = { ...first!, id: "cdr-impostor", session_id: "S-OTHER", party_id: "UTB" };
  const res = await fetch(`${ch.url}/v1/cdrs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN_A}` }, body: JSON.stringify({ v: 1, homeUtilityId: "UTIL-B", cdr: impostor }) });
  assert.is(res.status, 422);
  assert.is(((await res.json()) as { error: { path: string } }).error.path, "cdr.party_id");
});

test.run();
