// FR-15 load correlation as a pure rule: PEV Wh ≤ premises Wh × 1.02 + 10 per interval, missing AMI unchecked.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { allowedPevWh, correlateLoad } from "./load-correlation.ts";

const iv = (start: number, wh: number) => ({ start: start as UtcSeconds, lengthS: 900, wh });

test("FR-15: the tolerance is 2 % of the premises energy plus 10 Wh", () => {
  assert.is(allowedPevWh(1000, { ratio: 0.02, slackWh: 10 }), 1030);
  assert.is(allowedPevWh(0, { ratio: 0.02, slackWh: 10 }), 10);
});

test("FR-15: a PEV interval above the premises interval beyond the tolerance is a mismatch", () => {
  const premises = new Map([[0, 1000], [900, 1000], [1800, 100]]);
  const r = correlateLoad([iv(0, 1030), iv(900, 1031), iv(1800, 2000), iv(2700, 5000)], (s) => premises.get(s) ?? null);
  assert.equal(r.mismatches.map((m) => m.start), [900, 1800]);
  assert.equal(r.unchecked, [2700]);
});

test("FR-15: a custom tolerance is honoured", () => {
  const r = correlateLoad([iv(0, 1100)], () => 1000, { ratio: 0.1, slackWh: 0 });
  assert.equal(r.mismatches, []);
});

test.run();
