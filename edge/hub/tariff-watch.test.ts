import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_TARIFFS, tariffById } from "../../core/tariff/index.ts";
import { TestClock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { params, settings, VIN } from "../engine/harness.test-support.ts";
import { HubStore } from "../store/hub-store.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "./doubles.test-support.ts";
import { Hub } from "./hub.ts";
import { cheapestHours, isOffPeak } from "./tariff-watch.ts";

const pdt = (iso: string) => (Date.parse(`${iso}-07:00`) / 1000) as UtcSeconds;

test("off-peak is 'no cheaper price in the next 24 hours' under the premises default rate", () => {
  const t = EXAMPLE_TARIFFS.premisesDefault;
  assert.is(isOffPeak(t, pdt("2024-06-03T18:00:00")), false, "weekday 6 pm is peak");
  assert.is(isOffPeak(t, pdt("2024-06-04T02:00:00")), true, "2 am is off-peak");
});

test("cheapest hours: a 10 kWh need by 7 am is planned in the cheapest slots, not at 5 pm", () => {
  const t = EXAMPLE_TARIFFS.pgeEv2A;
  const now = pdt("2024-06-03T17:00:00");
  const { plan, allowsNow } = cheapestHours(t, { departAt: pdt("2024-06-04T07:00:00"), energyNeededWh: 10_000 }, now, 7680);
  assert.ok(plan.feasible);
  assert.is(allowsNow, false);
  assert.ok(plan.costNanoUsd <= plan.immediateCostNanoUsd);
  assert.ok(plan.slots.every((s) => s.start >= pdt("2024-06-03T21:00:00")), "nothing during the 4-9 pm peak");
});

test("FR-10: fallback with 'wait-off-peak' holds the EVSE at 6 pm and lets it charge once off-peak starts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-tw-"));
  const clock = new TestClock(pdt("2024-06-03T18:00:00") * 1000);
  const store = new HubStore(join(dir, "hub.sqlite"));
  const charger = new FakeCharger();
  const utility = new FakeUtility(() => params({ tariffId: "pge-ev2-a" }));
  utility.answer = "not-enrolled";
  const hub = new Hub({
    store, clock, settings: settings({ fallbackPreference: "wait-off-peak" }), log: () => {},
    ports: { charger, eumd: new FakeMeter(clock, () => 0), premisesMeter: null, pevLink: new FakePevLink(), utility, reports: null, displays: [] },
    tariffs: { premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: tariffById },
  });
  hub.start();
  await clock.advanceAsync(2000);
  charger.state = "B";
  await clock.advanceAsync(2000);
  await hub.dispatch({ type: "pev.hello", vin: VIN });
  await clock.advanceAsync(5000);
  assert.is(hub.snapshot().session?.phase, "fallback");
  assert.is(charger.enabled, false, "held: it is peak time");
  assert.match(hub.snapshot().evseOut!.why, /off-peak/);
  await clock.advanceAsync(3 * 3600_000 + 60_000, 60_000); // past 9 pm
  await hub.whenIdle();
  await clock.advanceAsync(2000);
  assert.is(charger.enabled, true, "charging in the off-peak hours");
  await hub.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
