// Shared fixtures of the head-end's tests: a utility on an ephemeral loopback port with a database of its own (a temp
// SQLite file, or a fresh PostgreSQL schema when OFFPEAK_TEST_DB=postgres: core/storage/testing),
// hubs with their own Ed25519 keys talking through the real UtilityClient, and a small tariff whose bills are
// easy to work out by hand. Not a test file itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabase } from "../../core/storage/testing/index.ts";
import { vinWithCheckDigit } from "../../core/ids/index.ts";
import type { HubId, PremisesId, SessionId, UtilityId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { Wh } from "../../core/units/index.ts";
import type { BindingAnswer, ErrorBody, SessionReport } from "../protocol/index.ts";
import { TestClock, type Clock } from "../../core/time/index.ts";
import type { Tariff } from "../../core/tariff/index.ts";
import { SignedUtilityClient as UtilityClient } from "../protocol/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair, type Ed25519KeyPair } from "../protocol/index.ts";
import { startUtility, type RunningUtility } from "./server.ts";
import { createHeadEnd, type HeadEnd } from "./head-end.ts";
import type { UtilityOptions } from "./types.ts";
import { silentLog } from "./log/structured-log.ts";

export const OPERATOR = "operator-secret-token";

/** A valid VIN (correct check digit) built from a 16-character seed (position 9 is computed). */
/** A valid VIN from a 16-character seed (test fixtures). */
export const makeVin = (seed16: string): string => vinWithCheckDigit(seed16);

/** Test tariff: Off-Peak 0.20 $/kWh, Peak 0.50 $/kWh 16:00-21:00 local every day, 10.00 $ a month fixed. */
export function testTariff(id = "test-tou", timeZone = "America/Los_Angeles"): Tariff {
  const day = Array.from({ length: 24 }, (_, h) => (h >= 16 && h < 21 ? 1 : 0));
  const year = Array.from({ length: 12 }, () => [...day]);
  return {
    id, name: `Test TOU ${id}`, timeZone,
    versions: [{
      effectiveFrom: "2020-01-01", periodNames: ["Off-Peak", "Peak"],
      energyratestructure: [[{ rate: 200_000, adj: 0, unit: "kWh" }], [{ rate: 500_000, adj: 0, unit: "kWh" }]],
      energyweekdayschedule: year, energyweekendschedule: year.map((m) => [...m]),
      fixedChargeMicroUsdPerMonth: 10_000_000,
    }],
  };
}

/** Regular (premises default) test rate: a flat 0.30 $/kWh, no fixed charge. */
export function flatTariff(id = "test-flat"): Tariff {
  const year = Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
  return {
    id, name: "Test flat", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2020-01-01", periodNames: ["All hours"], energyratestructure: [[{ rate: 300_000, adj: 0, unit: "kWh" }]], energyweekdayschedule: year, energyweekendschedule: year.map((m) => [...m]) }],
  };
}

export interface TestUtility {
  utility: RunningUtility;
  clock: Clock;
  dir: string;
  op(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> & Partial<ErrorBody> }>;
  close(): Promise<void>;
}

export async function testUtility(o: Partial<UtilityOptions> & { clock?: Clock } = {}): Promise<TestUtility> {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const clock = o.clock ?? new TestClock();
  const database = await testDatabase();
  // Every status a route answers must be in /openapi.json: any other fails the test at close().
  const undeclared: string[] = [];
  const utility = await startUtility({
    port: 0, dbPath: database.target, ...(database.schema ? { dbSchema: database.schema, dbPoolMax: 4 } : {}),
    utilityId: "UTIL-A", operatorToken: OPERATOR, log: silentLog,
    onUndeclaredStatus: (op, status) => undeclared.push(`${op} answered ${status}`), ...o, clock,
  });
  const op = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${utility.url}${path}`, {
      method, headers: { authorization: `Bearer ${OPERATOR}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Partial<ErrorBody> };
  };
  return {
    utility, clock, dir, op,
    async close() {
      await utility.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
      if (undeclared.length) throw new Error(`statuses not declared in /openapi.json: ${[...new Set(undeclared)].join(", ")}`);
    },
  };
}

export interface TestHub { hubId: HubId; keys: Ed25519KeyPair; client: UtilityClient }

export function newHub(baseUrl: string, hubId: string, clock: Clock): TestHub {
  const keys = generateEd25519KeyPair();
  return { hubId: hubId as HubId, keys, client: new UtilityClient({ baseUrl, hubId: hubId as HubId, privateKey: keys.privateKey, clock, timeoutMs: 5000 }) };
}

export const publicPem = (hub: TestHub) => exportPublicKeyPem(hub.keys.publicKey);

/** The hub asks the head-end to bind `vin` at its premises (real signed HTTP): what program settlement needs. */
export async function bindPev(t: TestUtility, hub: TestHub, premisesId: string, vin: string, o: { sessionId?: string; path?: "commissioning" | "rebinding" } = {}): Promise<BindingAnswer> {
  const path = o.path ?? "commissioning";
  return hub.client.validateBinding({
    v: 1, hubId: hub.hubId, premisesId: premisesId as PremisesId, vin: vin as Vin, path, pevProofOk: path === "rebinding", at: t.clock.now(),
    ...(o.sessionId ? { sessionId: o.sessionId as SessionId } : {}),
  });
}

/**
 * Enrolls: program `prog` on `tariffId`, customer/account/premises `n`, a PEV, a paired hub, and commissions the
 * PEV's binding through that hub (`bind: false` skips it). Returns the IDs and the customer token.
 */
export async function enrollHousehold(t: TestUtility, n: string, opts: { vin: string; programId: string; hub: TestHub; bind?: boolean }): Promise<{ premisesId: string; accountId: string; customerId: string; customerToken: string }> {
  const customerId = `CUST-${n}`, accountId = `ACCT-${n}`, premisesId = `PREM-${n}`;
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must("POST", "/v1/operator/customers", { id: customerId, name: `Customer ${n}` });
  // Open since before the tests' months (the clock starts 2024-06-03): their bills are whole months.
  const acct = await must("POST", "/v1/operator/accounts", { id: accountId, customerId, openedOn: "2024-01-01" });
  await must("POST", "/v1/operator/premises", { id: premisesId, accountId, address: `${n} Test Street`, defaultTariffId: "test-flat" });
  await must("POST", "/v1/operator/pevs", { vin: opts.vin, accountId });
  await must("POST", "/v1/operator/enrollments", { vin: opts.vin, premisesId, programId: opts.programId });
  await must("POST", "/v1/operator/hubs", { hubId: opts.hub.hubId, premisesId, publicKeyPem: publicPem(opts.hub) });
  if (opts.bind !== false) {
    const a = await bindPev(t, opts.hub, premisesId, opts.vin);
    if (a.status !== "enrolled") throw new Error(`binding ${opts.vin} at ${premisesId}: ${a.status}`);
  }
  return { premisesId, accountId, customerId, customerToken: acct.customerToken as string };
}

export async function defineTestProgram(t: TestUtility, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  for (const tariff of [testTariff(), flatTariff()]) {
    const r = await t.op("PUT", `/v1/operator/tariffs/${tariff.id}`, { tariff });
    if (r.status !== 200) throw new Error(`tariff ${tariff.id}: ${JSON.stringify(r.body)}`);
  }
  const r = await t.op("PUT", `/v1/operator/programs/${id}`, { name: `Program ${id}`, tariffId: "test-tou", ...extra });
  if (r.status !== 200) throw new Error(`program ${id}: ${JSON.stringify(r.body)}`);
}


/** A session report of 15-minute intervals starting at `start` (UTC seconds) with the given Wh each. */
export function sessionReport(o: {
  sessionId: string; revision?: number; hubId: string; premisesId: string; utilityId?: string; vin: string | null;
  start: number; wh: number[]; rate?: "program" | "default"; status?: "enrolled" | "guest" | "roaming" | "not-enrolled" | null;
  fallbackReason?: SessionReport["binding"]["fallbackReason"]; final?: boolean; accountId?: string | null;
}): SessionReport {
  const rate = o.rate ?? "program";
  const intervals = o.wh.map((wh, i) => ({ start: (o.start + i * 900) as UtcSeconds, lengthS: 900, wh: wh as Wh, quality: "ok" as const }));
  const end = o.start + o.wh.length * 900;
  const final = o.final ?? true;
  return {
    v: 1, sessionId: o.sessionId as SessionId, revision: o.revision ?? 1, hubId: o.hubId as HubId, premisesId: o.premisesId as PremisesId,
    utilityId: (o.utilityId ?? "UTIL-A") as UtilityId, customerId: null, accountId: (o.accountId ?? null) as never, vin: o.vin as Vin | null,
    binding: {
      status: o.status === undefined ? (rate === "program" ? "enrolled" : null) : o.status,
      path: rate === "program" ? "rebinding" : null,
      fallbackReason: rate === "program" ? null : (o.fallbackReason ?? "comm-timeout"), offline: false,
    },
    rate, programId: null, tariffId: null, pluggedAt: o.start as UtcSeconds, unpluggedAt: final ? (end as UtcSeconds) : null, final,
    intervals, totalWh: o.wh.reduce((a, b) => a + b, 0) as Wh, events: [],
  };
}

/**
 * A head-end in process (no HTTP) on its own test database (SQLite, or a PostgreSQL schema), clock at 2024-07-03, with
 * customer C1, account A1 and premises P1 (default tariff pge-e-tou-c), and `vin` registered to A1 when given.
 */
export async function inProcessHeadEnd(o: { vin?: string } = {}): Promise<{ h: HeadEnd; close(): Promise<void> }> {
  const database = await testDatabase();
  const h = await createHeadEnd({ dbPath: database.target, ...(database.schema ? { dbSchema: database.schema } : {}), utilityId: "UTIL-A", clock: new TestClock(Date.UTC(2024, 6, 3)) });
  await h.enrollment.upsertCustomer({ id: "C1" as never, name: "One" });
  await h.enrollment.createAccount("A1", "C1");
  await h.enrollment.upsertPremises({ id: "P1" as never, accountId: "A1" as never, address: "1 Main St", defaultTariffId: "pge-e-tou-c" });
  if (o.vin) await h.enrollment.upsertPev({ vin: o.vin, accountId: "A1" });
  return { h, close: async () => { await h.close(); await database.drop(); } };
}
