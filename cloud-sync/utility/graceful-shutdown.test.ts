// Operations (issue 15): shutting the head-end down answers the intake already in flight — stored, then answered — and
// only then closes the database; /healthz reports the database it runs on. On the engine under test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../core/time/index.ts";
import { testDatabase } from "../../core/storage/testing/index.ts";
import { ROUTES, signRequest } from "../protocol/index.ts";
import { startUtility, type RunningUtility } from "./server.ts";
import { OPERATOR, defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, type TestUtility } from "./test-support.ts";

const T0 = 1_717_200_000; // 2024-06-01 00:00 UTC

async function start(database: { target: string; schema?: string }, clock: TestClock): Promise<TestUtility> {
  const utility: RunningUtility = await startUtility({
    port: 0, dbPath: database.target, ...(database.schema ? { dbSchema: database.schema } : {}), utilityId: "UTIL-A", operatorToken: OPERATOR, clock,
  });
  const op = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${utility.url}${path}`, { method, headers: { authorization: `Bearer ${OPERATOR}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { utility, clock, dir: "", op, close: () => utility.close() };
}

test("graceful shutdown: a session report in flight when close() starts is stored and answered 200, then the store closes", async () => {
  const database = await testDatabase();
  const clock = new TestClock((T0 + 86_400) * 1000);
  const t = await start(database, clock);
  await defineTestProgram(t, "ev");
  const hub = newHub(t.utility.url, "HUB-G", clock);
  const h = await enrollHousehold(t, "G", { vin: makeVin("1HGCM82633A00G01"), programId: "ev", hub, bind: false });
  const report = sessionReport({ sessionId: "S-DRAIN", hubId: "HUB-G", premisesId: h.premisesId, vin: null, start: T0, wh: [500, 500], rate: "default" });
  const body = JSON.stringify(report);
  const headers = signRequest({ method: "POST", path: ROUTES.sessions.path, body, hubId: hub.hubId, privateKey: hub.keys.privateKey, time: clock.now() });
  // The body arrives in two parts; the second only after shutdown has begun, so the request is certainly in flight.
  let sendRest!: () => void;
  const rest = new Promise<void>((r) => { sendRest = r; });
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.slice(0, 10));
      await rest;
      controller.enqueue(bytes.slice(10));
      controller.close();
    },
  });
  const answer = fetch(`${t.utility.url}${ROUTES.sessions.path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: stream });
  while (t.utility.inFlight() === 0) await Bun.sleep(5); // until the server holds the request (not a timed assertion)
  const closing = t.utility.close();
  sendRest();
  const res = await answer;
  assert.is(res.status, 200);
  assert.is(((await res.json()) as { outcome: string }).outcome, "accepted");
  await closing;
  // A new process on the same database finds the session the receipt promised.
  const again = await start(database, clock);
  const s = await again.op("GET", "/v1/operator/sessions/S-DRAIN");
  assert.is(s.status, 200);
  assert.is((s.body.session as { status: string }).status, "posted");
  await again.close();
  await database.drop();
});

test("/healthz reports the database: engine, ok, round trip and schema version", async () => {
  const database = await testDatabase();
  const t = await start(database, new TestClock(T0 * 1000));
  const res = await fetch(`${t.utility.url}/healthz`);
  assert.is(res.status, 200);
  const body = (await res.json()) as { ok: boolean; database: { engine: string; ok: boolean; latencyMs: number; schemaVersion: number } };
  assert.ok(body.ok);
  assert.is(body.database.engine, database.engine);
  assert.ok(body.database.ok);
  assert.ok(body.database.schemaVersion >= 1);
  await t.close();
  await database.drop();
});

test.run();
