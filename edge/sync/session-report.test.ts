import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSessionReport } from "../../cloud-sync/protocol/index.ts";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { initialState, step } from "../engine/reducer.ts";
import { params, settings, T0, VIN } from "../engine/harness.test-support.ts";
import type { EngineEvent, HubState } from "../engine/types.ts";
import { HubStore } from "../store/hub-store.ts";
import { buildSessionReport } from "./session-report.ts";

const ids = { hubId: "HUB-1" as HubId, premisesId: "PREM-1" as PremisesId, utilityId: "UTIL-A" as UtilityId };

function run(events: [number, EngineEvent][]) {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-report-"));
  const store = new HubStore(join(dir, "hub.sqlite"));
  let state: HubState = initialState(settings());
  for (const [t, e] of events) {
    const r = step(state, e, t as UtcSeconds);
    store.commitStep(state, r.state, r.commands, t as UtcSeconds);
    state = r.state;
  }
  const id = state.lastEnded?.id ?? state.session!.id;
  return { report: buildSessionReport(store, id, ids)!, done: () => { store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

const reading = (t: number, wh: number): [number, EngineEvent] => [t, { type: "eumd.reading", energyWh: wh, powerW: 7000, at: t as UtcSeconds }];

test("FR-22, FR-29, BR-2: the EUMD's interval energy reaches the utility through the hub as a valid session report with PEV and premises IDs", () => {
  const events: [number, EngineEvent][] = [
    [T0, { type: "eumd.status", present: true, reason: "ok" }],
    [T0, { type: "evse.state", state: "B" }],
    [T0 + 1, { type: "pev.hello", vin: VIN }],
    [T0 + 2, { type: "utility.answer", status: "enrolled", path: "commissioning", params: params() }],
  ];
  for (let i = 0; i <= 180; i++) events.push(reading(T0 + 2 + i * 10, 1000 + i * 19));
  events.push([T0 + 1900, { type: "evse.state", state: "A" }]);
  const { report, done } = run(events);
  const parsed = parseSessionReport(report);
  assert.is(parsed.vin, VIN);
  assert.is(parsed.premisesId, "PREM-1");
  assert.is(parsed.rate, "program");
  assert.is(parsed.final, true);
  assert.is(parsed.totalWh, 180 * 19);
  assert.ok(parsed.intervals.length >= 3);
  assert.ok(parsed.events.some((e) => e.kind === "bound"));
  assert.not.ok(parsed.events.some((e) => e.kind.startsWith("evse.")), "EVSE chatter stays on the hub");
  done();
});

test("BR-4: a fallback session is reported at the default rate with its reason", () => {
  const { report, done } = run([
    [T0, { type: "eumd.status", present: true, reason: "ok" }],
    [T0, { type: "evse.state", state: "B" }],
    [T0 + 60, { type: "tick" }],
  ]);
  const parsed = parseSessionReport(report);
  assert.is(parsed.rate, "default");
  assert.is(parsed.binding.fallbackReason, "comm-timeout");
  assert.is(parsed.final, false);
  done();
});

test.run();
