// Issue 11: a tariff that cannot price a session is reported, never shown as a cost of zero or a bare "unknown".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXAMPLE_TARIFFS, tariffById, type Tariff } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import { type DashboardContext, sessionsView, usageView } from "./dashboard-views.ts";
import { SessionPricing } from "./tariff-lookup.ts";
import { pdt, twoSessions } from "./two-sessions.test-support.ts";

/** The premises default as a utility might publish it ahead of time: its only version starts in 2030. */
const notYetInForce: Tariff = {
  ...EXAMPLE_TARIFFS.premisesDefault,
  id: "pge-e-tou-c-2030",
  versions: EXAMPLE_TARIFFS.premisesDefault.versions.map((v) => ({ ...v, effectiveFrom: "2030-01-01" })),
};

test("a tariff not in force when the energy was used: the fallback session and its day say unpriced and why, the program session stays priced, the log says it once", () => {
  const store = twoSessions();
  const log: string[] = [];
  const pricing = new SessionPricing({ premisesDefault: notYetInForce, byId: tariffById }, (l) => log.push(l));
  const ctx = { store, timeZone: "America/Los_Angeles", pricing } as DashboardContext;
  const rows = sessionsView(ctx, 50, Number.MAX_SAFE_INTEGER).sessions;
  const program = rows.find((r) => r.rate === "program")!;
  const fallback = rows.find((r) => r.rate === "default")!;
  assert.ok(program.costNanoUsd !== null && program.costNanoUsd > 0, "the program session is priced at pge-ev2-a");
  assert.is(program.unpriced, null);
  assert.is(fallback.costNanoUsd, null, "no made-up cost");
  assert.ok(fallback.unpriced?.startsWith(`tariff pge-e-tou-c-2030 cannot price session ${fallback.id}: `), fallback.unpriced ?? "");
  assert.match(fallback.unpriced ?? "", /^tariff pge-e-tou-c-2030 cannot price session \S+: .*no version of tariff pge-e-tou-c-2030 is in force at 2024-06-04T01:00:00\.000Z.*2030-01-01/);

  const month = usageView(ctx, "2024-06", pdt("2024-06-04T12:00:00") as UtcSeconds);
  const day = month.days.find((d) => d.date === "2024-06-03")!;
  assert.is(day.wh, 12_000, "the energy is still counted");
  assert.is(day.nanoUsd, null);
  assert.is(day.byPeriod, null);
  assert.match(day.unpriced ?? "", /cannot price charging on 2024-06-03: .*no version of tariff pge-e-tou-c-2030/);
  assert.is(month.totalNanoUsd, null);
  assert.is(month.unpriced, day.unpriced, "the month names the day it could not price");
  const quiet = month.days.find((d) => d.date === "2024-06-02")!;
  assert.equal([quiet.nanoUsd, quiet.unpriced], [0, null], "a day without charging costs nothing: a true zero");

  const lines = log.length;
  assert.ok(log.every((l) => l.startsWith("dashboard: unpriced: tariff pge-e-tou-c-2030 cannot price ")), log.join("\n"));
  sessionsView(ctx, 50, Number.MAX_SAFE_INTEGER);
  usageView(ctx, "2024-06", pdt("2024-06-04T12:00:00") as UtcSeconds);
  assert.is(log.length, lines, "a view built again does not log the same problem again");
  store.close();
});

test("a program tariff this hub does not know: estimated at the default, and the log names the session and the tariff", () => {
  const store = twoSessions();
  const log: string[] = [];
  const pricing = new SessionPricing({ premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: (id) => (id === "pge-ev2-a" ? undefined : tariffById(id)) }, (l) => log.push(l));
  const ctx = { store, timeZone: "America/Los_Angeles", pricing } as DashboardContext;
  const program = sessionsView(ctx, 50, Number.MAX_SAFE_INTEGER).sessions.find((r) => r.rate === "program")!;
  assert.ok(program.costNanoUsd !== null);
  assert.equal(log, [`dashboard: session ${program.id} is bound to program tariff pge-ev2-a, which this hub does not know; its cost is estimated at the premises default pge-e-tou-c`]);
  store.close();
});

test("a failure of the rating itself (not the tariff's answer) is logged with its stack and shown as unpriced, pointing to the log", () => {
  const log: string[] = [];
  const pricing = new SessionPricing({ premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: tariffById }, (l) => log.push(l));
  // 20 GWh in 15 minutes: a corrupt interval whose cost leaves the exact integer range of the rating engine.
  const huge = [{ start: pdt("2024-06-03T01:00:00") as UtcSeconds, lengthS: 900, wh: 20_000_000_000 as Wh }];
  const r = pricing.cost("session S-1", EXAMPLE_TARIFFS.premisesDefault, huge);
  assert.is(r.costNanoUsd, null);
  assert.match(r.unpriced ?? "", /^tariff pge-e-tou-c failed on session S-1 \(cost 20000000000 Wh × \d+ µ\$\/kWh exceeds exact integer range.*\); see the hub log$/);
  assert.is(log.length, 1);
  assert.match(log[0]!, /^dashboard: unpriced: tariff pge-e-tou-c failed on session S-1: RangeError: cost 20000000000 Wh/);
  assert.match(log[0]!, /\n\s+at /, "with the stack");
});

test.run();
