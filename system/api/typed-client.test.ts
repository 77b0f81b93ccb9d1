// Issue 14, as an integrator works: a client generated from the head-end's /openapi.json with openapi-typescript and
// driven with openapi-fetch through the whole use case — S1 enrollment, S2 binding (hub-signed requests), S3 session
// report and settlement, S4 customer information and the bill — with no casts (typechecked by `npm run typecheck`).
// Every answer is also checked against the document's schema for its status by an independent JSON Schema validator.
import { test } from "uvu";
import * as assert from "uvu/assert";
import createClient, { type Middleware } from "openapi-fetch";
import { Validator } from "@cfworker/json-schema";
import { startUtility, type RunningUtility } from "../../cloud-sync/utility/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair, signRequest } from "../../cloud-sync/protocol/index.ts";
import { parseHubId, vinWithCheckDigit } from "../../core/ids/index.ts";
import { TestClock } from "../../core/time/index.ts";
import type { paths } from "./head-end-api.gen.ts";

type SessionReportBody = paths["/v1/hub/sessions"]["post"]["requestBody"]["content"]["application/json"];
import { GENERATED_FILE, generateHeadEndTypes } from "./generate-client-types.ts";

type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Record<string, Schema> } };

const OPERATOR = "operator-token-journey";
const clock = new TestClock();
const VIN = vinWithCheckDigit("1HGCM82633A00435");
const HUB = parseHubId("HUB-JOURNEY-1");
const hubKeys = generateEd25519KeyPair();
let u: RunningUtility;
let doc: Doc;
const checked: string[] = [];

/** Checks each answer against the document's schema for its path, method and status (the document is the contract). */
const conformance: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const op = doc.paths[schemaPath]?.[request.method.toLowerCase()];
    const declared = op?.responses[String(response.status)];
    if (!declared) throw new Error(`${request.method} ${schemaPath} answered ${response.status}, which the document does not declare`);
    const schema = declared.content?.["application/json"]?.schema;
    if (schema) {
      const v = new Validator({ ...schema, components: doc.components }, "2020-12", false);
      const r = v.validate(await response.clone().json());
      if (!r.valid) throw new Error(`${request.method} ${schemaPath} ${response.status}: answer does not match the document: ${JSON.stringify(r.errors.slice(0, 3))}`);
    }
    checked.push(`${request.method} ${schemaPath} ${response.status}`);
    return undefined;
  },
};

/** Signs every request as the hub does (signing string and headers as the document's security schemes describe). */
const hubSignature: Middleware = {
  async onRequest({ request }) {
    const body = new Uint8Array(await request.clone().arrayBuffer());
    const url = new URL(request.url);
    const headers = signRequest({ method: request.method, path: url.pathname + url.search, body, hubId: HUB, privateKey: hubKeys.privateKey, time: clock.now() });
    for (const [k, v] of Object.entries(headers)) request.headers.set(k, v);
    return request;
  },
};

const client = (auth: { bearer?: string; hub?: boolean }) => {
  const c = createClient<paths>({ baseUrl: u.url, ...(auth.bearer ? { headers: { authorization: `Bearer ${auth.bearer}` } } : {}) });
  if (auth.hub) c.use(hubSignature);
  c.use(conformance);
  return c;
};

const hourly = (rates: [number, number]) => Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h >= 16 && h < 21 ? rates[1] : rates[0])));

test.before(async () => {
  u = await startUtility({ port: 0, dbPath: ":memory:", utilityId: "UTIL-A", operatorToken: OPERATOR, clock, log: { level: "error", debug() {}, info() {}, warn() {}, error() {} } });
  const res = await fetch(`${u.url}/openapi.json`);
  doc = (await res.json()) as Doc;
});
test.after(async () => { await u.close(); });

test("issue 14: the committed generated client types are what today's /openapi.json generates", async () => {
  assert.is(await generateHeadEndTypes(), await Bun.file(GENERATED_FILE).text(), "run `npx bun system/api/generate-client-types.ts`");
});

test("issue 14: S1-S4 through a client generated from /openapi.json (openapi-typescript + openapi-fetch), no casts", async () => {
  const op = client({ bearer: OPERATOR });
  // S1: the utility enrolls the customer, the PEV and the premises, and pairs the hub.
  const tou = {
    id: "tou", name: "EV TOU", timeZone: "America/Los_Angeles",
    versions: [{ effectiveFrom: "2020-01-01", periodNames: ["Off-Peak", "Peak"], energyratestructure: [[{ rate: 200_000, adj: 0, unit: "kWh" }], [{ rate: 500_000, adj: 0, unit: "kWh" }]], energyweekdayschedule: hourly([0, 1]), energyweekendschedule: hourly([0, 1]) }],
  };
  const flat = { id: "flat", name: "Flat", timeZone: "America/Los_Angeles", versions: [{ effectiveFrom: "2020-01-01", periodNames: ["All hours"], energyratestructure: [[{ rate: 300_000, adj: 0, unit: "kWh" }]], energyweekdayschedule: hourly([0, 0]), energyweekendschedule: hourly([0, 0]) }] };
  assert.is((await op.PUT("/v1/operator/tariffs/{id}", { params: { path: { id: "tou" } }, body: { tariff: tou } })).response.status, 200);
  assert.is((await op.PUT("/v1/operator/tariffs/{id}", { params: { path: { id: "flat" } }, body: { tariff: flat } })).response.status, 200);
  const program = await op.PUT("/v1/operator/programs/{id}", { params: { path: { id: "ev-tou" } }, body: { name: "EV TOU", tariffId: "tou", intervalS: 900 } });
  assert.is(program.data?.commWaitS, 60);
  assert.is((await op.POST("/v1/operator/customers", { body: { id: "CUST-1", name: "Pat" } })).response.status, 201);
  const account = await op.POST("/v1/operator/accounts", { body: { id: "ACCT-1", customerId: "CUST-1" } });
  const customerToken = account.data?.customerToken;
  assert.type(customerToken, "string");
  assert.is((await op.POST("/v1/operator/premises", { body: { id: "PREM-1", accountId: "ACCT-1", address: "1 Main St", defaultTariffId: "flat" } })).response.status, 201);
  assert.is((await op.POST("/v1/operator/pevs", { body: { vin: VIN, accountId: "ACCT-1" } })).response.status, 201);
  assert.is((await op.POST("/v1/operator/enrollments", { body: { vin: VIN, premisesId: "PREM-1", programId: "ev-tou" } })).response.status, 201);
  const lookup = await op.GET("/v1/operator/enrollments/{vin}", { params: { path: { vin: VIN } } });
  assert.is(lookup.data?.enrolled, true);
  const pairing = await op.POST("/v1/operator/hubs", { body: { hubId: HUB, premisesId: "PREM-1", publicKeyPem: exportPublicKeyPem(hubKeys.publicKey) } });
  assert.is(pairing.data?.active, true);
  const missing = await op.GET("/v1/operator/sessions/{id}", { params: { path: { id: "NOPE" } } });
  assert.is(missing.error?.error.code, "not-found");

  // S2: the hub binds the PEV (signed requests) and pulls its configuration.
  const hub = client({ hub: true });
  const binding = await hub.POST("/v1/hub/binding", { body: { v: 1, hubId: HUB, premisesId: "PREM-1", vin: VIN, path: "commissioning", pevProofOk: false, at: clock.now(), sessionId: "S-1" } });
  assert.is(binding.data?.status, "enrolled");
  const bindingId = binding.data && "bindingId" in binding.data ? binding.data.bindingId : undefined;
  assert.type(bindingId, "string");
  const config = await hub.GET("/v1/hub/config", { params: { query: { since: 0 } } });
  assert.is(config.data?.intervalS, 900);
  assert.is(config.data?.timeZone, "America/Los_Angeles");

  // S3: the hub reports the session; the operator finds it in the paged list.
  const start = Math.floor(clock.now() / 900) * 900;
  const report: SessionReportBody = {
    v: 1, sessionId: "S-1", revision: 1, hubId: HUB, premisesId: "PREM-1", utilityId: "UTIL-A", customerId: null, accountId: null, vin: VIN, bindingId,
    binding: { status: "enrolled", path: "commissioning", fallbackReason: null, offline: false }, rate: "program", programId: null, tariffId: null,
    pluggedAt: start, unpluggedAt: start + 1800, final: true,
    intervals: [{ start, lengthS: 900, wh: 1000, quality: "ok" }, { start: start + 900, lengthS: 900, wh: 2000, quality: "ok" }],
    totalWh: 3000, events: [],
  };
  const receipt = await hub.POST("/v1/hub/sessions", { body: report });
  assert.is(receipt.data?.outcome, "accepted");
  const sessions = await op.GET("/v1/operator/sessions", { params: { query: { status: "posted", limit: 10 } } });
  assert.is(sessions.data?.items.length, 1);
  assert.is(sessions.data?.nextOffset, null);
  const held = await op.GET("/v1/operator/sessions/held", { params: { query: {} } });
  assert.is(held.data?.items.length, 0);

  // S4: the customer sees program, usage and sessions; the month closes into a bill both the customer and hub see.
  const me = client({ bearer: customerToken });
  const overview = await me.GET("/v1/customer/overview");
  assert.is(overview.data?.premises[0]?.program?.id, "ev-tou");
  const usage = await me.GET("/v1/customer/usage", { params: { query: { month: "2024-06" } } });
  assert.is(usage.data?.totalWh, 3000);
  assert.is(usage.data?.periodStartIso, "2024-06-01T07:00:00Z");
  assert.is((await me.GET("/v1/customer/sessions")).data?.sessions.length, 1);
  clock.advance(40 * 86_400_000);
  const bill = await op.POST("/v1/operator/bills", { body: { accountId: "ACCT-1", month: "2024-06" } });
  assert.is(bill.data?.pevWh, 3000);
  assert.is(bill.data?.totalCents, 60); // 3 kWh off-peak at 0.20 $
  assert.is((await me.GET("/v1/customer/bills")).data?.bills.length, 1);
  assert.is((await hub.GET("/v1/hub/bills", { params: { query: { months: 3 } } })).data?.bills.length, 1);
  const ledger = await op.GET("/v1/operator/ledger", { params: { query: {} } });
  assert.is(ledger.data?.totalNano, 0);
  assert.is(checked.length, 23, "every answer was checked against the document");
});

test.run();
