import { test } from "uvu";
import type { ErrorBody } from "../../cloud-sync/protocol/index.ts";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../core/time/index.ts";
import { parseConfig } from "../config/load.ts";
import { params, VIN } from "../engine/harness.test-support.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "../hub/doubles.test-support.ts";
import { startHub, type RunningHub } from "../hub/runtime.ts";

let dir = "";
let h: RunningHub;
let charger: FakeCharger;
const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-http-"));
  charger = new FakeCharger();
  const config = parseConfig({ hub: { port: 0, data_dir: dir }, premises: { id: "PREM-1", utility_id: "UTIL-A" } }, "test");
  h = await startHub({
    config, clock, log: () => {},
    ports: { charger, eumd: new FakeMeter(clock, () => (charger.enabled ? 7000 : 0)), premisesMeter: null, pevLink: new FakePevLink(), utility: new FakeUtility(() => params()), reports: null, displays: [] },
  });
});
test.after(async () => { await h.stop(); rmSync(dir, { recursive: true, force: true }); });

const get = async (path: string) => { const r = await fetch(h.url + path); return { status: r.status, body: await r.json() as Record<string, unknown> & Partial<ErrorBody> } };

test("the hub binds to 127.0.0.1 by default and answers /healthz", async () => {
  assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await get("/healthz");
  assert.is(r.status, 200);
  assert.is(r.body.ok, true);
});

test("FR-17, FR-24: /api/v1/status shows the binding as it happens: waiting with a countdown, then established", async () => {
  await clock.advanceAsync(2000);
  charger.state = "B";
  await clock.advanceAsync(3000);
  await h.hub.whenIdle();
  let s = (await get("/api/v1/status")).body as { session: { phase: string; commWaitLeftS: number; established: boolean } };
  assert.is(s.session.phase, "awaiting-binding");
  assert.ok(s.session.commWaitLeftS > 50 && s.session.commWaitLeftS <= 60, `countdown ${s.session.commWaitLeftS}`);
  await h.hub.dispatch({ type: "pev.hello", vin: VIN });
  await clock.advanceAsync(1000);
  await h.hub.whenIdle();
  s = (await get("/api/v1/status")).body as typeof s;
  assert.is(s.session.phase, "bound");
  assert.is(s.session.established, true);
  assert.is(s.session.commWaitLeftS, null);
});

test("sessions list and one session with its events and intervals", async () => {
  await clock.advanceAsync(1800_000, 1000);
  charger.state = "A";
  await clock.advanceAsync(3000);
  await h.hub.whenIdle();
  const list = (await get("/api/v1/sessions")).body as { sessions: { id: string; phase: string }[] };
  assert.is(list.sessions.length, 1);
  assert.is(list.sessions[0]!.phase, "ended");
  const one = (await get(`/api/v1/sessions/${list.sessions[0]!.id}`)).body as { events: { kind: string; atIso: string }[]; intervals: { wh: number }[] };
  assert.ok(one.events.some((e) => e.kind === "bound"));
  assert.ok(one.events.every((e) => /Z$/.test(e.atIso)), "UTC times (NFR-1)");
  assert.ok(one.intervals.length >= 2);
});

test("bad input: a bad query parameter is a 400 naming it, an unknown session a 404", async () => {
  const bad = await get("/api/v1/sessions?limit=abc");
  assert.is(bad.status, 400);
  assert.is(bad.body.error?.path, "limit");
  assert.match(String(bad.body.error?.message), /limit must be a whole number/);
  const missing = await get("/api/v1/sessions/NOPE");
  assert.is(missing.status, 404);
});

test("every path in /openapi.json answers", async () => {
  const doc = (await get("/openapi.json")).body as { openapi: string; paths: Record<string, unknown> };
  assert.is(doc.openapi, "3.1.0");
  for (const path of Object.keys(doc.paths)) {
    const r = await fetch(h.url + path.replace("{id}", "x"));
    assert.ok(r.status === 200 || r.status === 404, `${path} answered ${r.status}`);
  }
});

test("a port already in use is a clear error", async () => {
  const config = parseConfig({ hub: { port: h.port, data_dir: join(dir, "second") } }, "test");
  try {
    await startHub({ config, clock, ports: { charger: null, eumd: null, premisesMeter: null, pevLink: null, utility: null, reports: null, displays: [] }, log: () => {} });
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, new RegExp(`port ${h.port} on 127.0.0.1 is already in use`));
  }
});

test.run();
