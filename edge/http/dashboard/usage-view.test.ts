import { test } from "uvu";
import * as assert from "uvu/assert";
import { monthBill, rateIntervals, tariffById } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import { premisesTariffs } from "../../hub/session-tariff.ts";
import { HubStore } from "../../store/hub-store.ts";
import { type DashboardContext, usageView } from "./dashboard-views.ts";
import { SessionPricing } from "./tariff-lookup.ts";
import { pdt, twoSessions } from "./two-sessions.test-support.ts";

test("FR-35: usage prices each session at the tariff it was billed at: program energy at the EV rate, fallback energy at the default rate", () => {
  const store = twoSessions();
  const log = (l: string) => { throw new Error(`unexpected report: ${l}`); };
  const ctx = { store, timeZone: "America/Los_Angeles", pricing: new SessionPricing(premisesTariffs("pge-e-tou-c", log), log) } as DashboardContext;
  const v = usageView(ctx, "2024-06", pdt("2024-06-04T12:00:00") as UtcSeconds);
  const day = v.days.find((d) => d.date === "2024-06-03")!;
  const sessions = store.listSessions();
  const ivs = (id: string) => store.getSession(id)!.intervals.map((i) => ({ start: i.start as UtcSeconds, lengthS: i.lengthS, wh: i.wh as Wh }));
  const program = sessions.find((s) => s.rate === "program")!;
  const fallback = sessions.find((s) => s.rate === "default")!;
  const expected = rateIntervals(tariffById("pge-ev2-a")!, ivs(program.id)).totalNanoUsd + rateIntervals(tariffById("pge-e-tou-c")!, ivs(fallback.id)).totalNanoUsd;
  assert.is(day.wh, 12_000);
  assert.is(day.nanoUsd, expected);
  const allDefault = rateIntervals(tariffById("pge-e-tou-c")!, [...ivs(program.id), ...ivs(fallback.id)]).totalNanoUsd;
  assert.is.not(day.nanoUsd, allDefault, "not everything at the default rate");
  assert.is(day.byPeriod!.reduce((s, p) => s + p.wh, 0), 12_000);
  store.close();
});

test("FR-35: the month estimate carries the tariff's month charges (PG&E's Climate Credit in April), as the head-end's bill does", () => {
  const store = new HubStore(":memory:");
  const log = (l: string) => { throw new Error(`unexpected report: ${l}`); };
  const ctx = { store, timeZone: "America/Los_Angeles", pricing: new SessionPricing(premisesTariffs("pge-e-tou-c", log), log) } as DashboardContext;
  const april = usageView(ctx, "2024-04", pdt("2024-04-20T12:00:00") as UtcSeconds);
  const credit = monthBill({ tariff: tariffById("pge-e-tou-c")!, month: "2024-04", intervals: [] }).lines.filter((l) => l.kind === "month-charge");
  assert.is(credit.length, 1, "the example tariff has the April credit");
  assert.equal(april.monthCharges, [{ description: credit[0]!.description, nanoUsd: credit[0]!.nanoUsd }]);
  assert.match(april.monthCharges[0]!.description, /Climate Credit/);
  assert.ok(april.monthCharges[0]!.nanoUsd < 0, "a credit");
  assert.is(april.estimateNanoUsd, april.totalNanoUsd! + credit[0]!.nanoUsd);
  const may = usageView(ctx, "2024-05", pdt("2024-05-20T12:00:00") as UtcSeconds);
  assert.equal(may.monthCharges, [], "no credit in May");
  assert.is(may.estimateNanoUsd, may.totalNanoUsd);
  store.close();
});

test.run();
