// The clearinghouse on its own: registration, routing by home utility, one CDR per session, pull delivery.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startClearinghouse, type RunningClearinghouse } from "./server.ts";
import { exportPublicKeyPem, generateEd25519KeyPair, signUtilityRequest, type ErrorBody, type OcpiCdr } from "../protocol/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { vinWithCheckDigit as makeVin } from "../../core/ids/index.ts";

const OP = "clearinghouse-operator";
const TOKEN_X = "token-x-000000000000";
const TOKEN_Y = "token-y-000000000000";
const KEY_X = generateEd25519KeyPair();
const KEY_Y = generateEd25519KeyPair();
let dir: string;
let ch: RunningClearinghouse;
/** Every answer's status must be in the clearinghouse's /openapi.json. */
const undeclared: string[] = [];

const call = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${ch.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Partial<ErrorBody> };
};
/** A token registration signed by the utility's own key, as its head-end sends it. */
const signedPut = (path: string, token: string, utilityId: string, key: typeof KEY_X) =>
  call("PUT", path, token, undefined, signUtilityRequest({ method: "PUT", path, body: "", utilityId, privateKey: key.privateKey, time: Math.floor(Date.now() / 1000) as UtcSeconds }));

const cdr = (sessionId: string, uid = "1HGCM82633A004352"): OcpiCdr => ({
  country_code: "US", party_id: "UTX", id: `cdr-${sessionId}`, start_date_time: "2024-06-03T08:00:00Z", end_date_time: "2024-06-03T09:00:00Z",
  session_id: sessionId, cdr_token: { country_code: "US", party_id: "UTY", uid, type: "OTHER", contract_id: uid }, auth_method: "AUTH_REQUEST",
  cdr_location: { id: "loc-1", address: "withheld", city: "withheld", country: "USA", coordinates: { latitude: "0.000000", longitude: "0.000000" }, evse_uid: "HUB-1", evse_id: "US*UTX*EHUB1", connector_id: "1", connector_standard: "IEC_62196_T1", connector_format: "CABLE", connector_power_type: "AC_1_PHASE" },
  currency: "USD", charging_periods: [{ start_date_time: "2024-06-03T08:00:00Z", dimensions: [{ type: "ENERGY", volume: 2 }] }],
  total_cost: { excl_vat: 0.5 }, total_energy: 2, total_time: 1, last_updated: "2024-06-03T09:00:00Z",
});

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  ch = await startClearinghouse({ port: 0, dbPath: join(dir, "ch.db"), operatorToken: OP, retryMs: 60_000, onUndeclaredStatus: (op, s) => undeclared.push(`${op} ${s}`) });
});
test.after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(undeclared, [], "statuses not declared in /openapi.json");
});

test("FR-30: registering a utility needs the operator token and the utility's signing key; a malformed registration is a 400 naming the field", async () => {
  const pemX = exportPublicKeyPem(KEY_X.publicKey);
  assert.is((await call("POST", "/v1/utilities", "wrong", { utilityId: "UTIL-X", baseUrl: "http://127.0.0.1:9", token: TOKEN_X, publicKeyPem: pemX })).status, 401);
  const bad = await call("POST", "/v1/utilities", OP, { utilityId: "UTIL-X", baseUrl: "not a url", token: TOKEN_X, publicKeyPem: pemX });
  assert.is(bad.status, 400);
  assert.is(bad.body.error?.path, "baseUrl");
  const keyless = await call("POST", "/v1/utilities", OP, { utilityId: "UTIL-X", baseUrl: "http://127.0.0.1:9", token: TOKEN_X });
  assert.is(keyless.status, 400);
  assert.is(keyless.body.error?.path, "publicKeyPem");
  const notAKey = await call("POST", "/v1/utilities", OP, { utilityId: "UTIL-X", baseUrl: "http://127.0.0.1:9", token: TOKEN_X, publicKeyPem: "-----BEGIN PUBLIC KEY-----\nnot a key at all, just forty-odd characters\n-----END PUBLIC KEY-----" });
  assert.is(notAKey.status, 400);
  assert.is(notAKey.body.error?.path, "publicKeyPem");
  // Neither utility listens: port 9 on loopback refuses, so pushes fail and delivery falls back to pull.
  assert.is((await call("POST", "/v1/utilities", OP, { utilityId: "UTIL-X", baseUrl: "http://127.0.0.1:9", token: TOKEN_X, publicKeyPem: pemX })).status, 201);
  assert.is((await call("POST", "/v1/utilities", OP, { utilityId: "UTIL-Y", baseUrl: "http://127.0.0.1:9", token: TOKEN_Y, publicKeyPem: exportPublicKeyPem(KEY_Y.publicKey) })).status, 201);
});

test("FR-32: a CDR is routed by the token's home utility; unknown tokens are refused", async () => {
  assert.is((await signedPut("/v1/tokens/1HGCM82633A004352", TOKEN_Y, "UTIL-Y", KEY_Y)).status, 200);
  const lookup = await call("GET", "/v1/tokens/1HGCM82633A004352", TOKEN_X);
  assert.is(lookup.body.utilityId, "UTIL-Y");
  const r = await call("POST", "/v1/cdrs", TOKEN_X, { v: 1, cdr: cdr("S-1") });
  assert.is(r.status, 201);
  assert.is(r.body.homeUtilityId, "UTIL-Y");
  assert.is(r.body.delivered, false, "UTIL-Y is not listening");
  const unknown = await call("POST", "/v1/cdrs", TOKEN_X, { v: 1, cdr: cdr("S-2", makeVin("2T1BURHE0JC01234")) });
  assert.is(unknown.status, 422);
  const notAVin = await call("POST", "/v1/cdrs", TOKEN_X, { v: 1, cdr: cdr("S-2", "UNKNOWN-TOKEN") });
  assert.is(notAVin.status, 400);
  assert.is((notAVin.body as unknown as ErrorBody).error.path, "cdr.cdr_token.uid");
});

test("FR-32: exactly one CDR per session ID: a duplicate is refused with 409 and the existing ID", async () => {
  const dup = await call("POST", "/v1/cdrs", TOKEN_X, { v: 1, cdr: { ...cdr("S-1"), id: "cdr-other" } });
  assert.is(dup.status, 409);
  assert.match(String(dup.body.error?.details?.existingId), /^ch-/);
});

test("malformed CDR: 400 naming the field", async () => {
  const r = await call("POST", "/v1/cdrs", TOKEN_X, { v: 1, cdr: { ...cdr("S-3"), total_energy: -1 } });
  assert.is(r.status, 400);
  assert.is(r.body.error?.path, "cdr.total_energy");
  assert.is((await call("POST", "/v1/cdrs", TOKEN_X, "{")).status, 400);
});

test("FR-30: the home utility can pull what could not be pushed, and acknowledge it once", async () => {
  const pulled = await call("GET", "/v1/cdrs", TOKEN_Y);
  const cdrs = pulled.body.cdrs as { clearinghouseCdrId: string; cdr: OcpiCdr; fromUtilityId: string }[];
  assert.is(cdrs.length, 1);
  assert.is(cdrs[0]!.fromUtilityId, "UTIL-X");
  assert.is(cdrs[0]!.cdr.session_id, "S-1");
  assert.is(((await call("GET", "/v1/cdrs", TOKEN_X)).body.cdrs as unknown[]).length, 0, "not routed to X");
  assert.is((await call("POST", `/v1/cdrs/${cdrs[0]!.clearinghouseCdrId}/ack`, TOKEN_X)).status, 404, "only the home utility acknowledges");
  assert.is((await call("POST", `/v1/cdrs/${cdrs[0]!.clearinghouseCdrId}/ack`, TOKEN_Y)).status, 200);
  assert.is(((await call("GET", "/v1/cdrs", TOKEN_Y)).body.cdrs as unknown[]).length, 0);
});

test("issue 13: a captured signed token registration cannot be replayed, not even after the clearinghouse restarts", async () => {
  const path = "/v1/tokens/1HGCM82633A004352";
  const headers = signUtilityRequest({ method: "DELETE", path, body: "", utilityId: "UTIL-Y", privateKey: KEY_Y.privateKey, time: Math.floor(Date.now() / 1000) as UtcSeconds });
  assert.is((await call("DELETE", path, TOKEN_Y, undefined, headers)).status, 200);
  assert.is((await signedPut(path, TOKEN_Y, "UTIL-Y", KEY_Y)).status, 200, "registered again");
  await ch.close();
  ch = await startClearinghouse({ port: 0, dbPath: join(dir, "ch.db"), operatorToken: OP, retryMs: 60_000 });
  const replay = await call("DELETE", path, TOKEN_Y, undefined, headers);
  assert.is(replay.status, 401);
  assert.is(replay.body.error?.code, "replayed");
  assert.is((await call("GET", path, TOKEN_X)).body.utilityId, "UTIL-Y", "still registered");
});

test("healthz answers; unknown routes are 404 JSON", async () => {
  assert.is((await fetch(`${ch.url}/healthz`)).status, 200);
  const nf = await fetch(`${ch.url}/v1/nope`);
  assert.is(nf.status, 404);
  assert.is(((await nf.json()) as { error: { code: string } }).error.code, "not-found");
});

test.run();
