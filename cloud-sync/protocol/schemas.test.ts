import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { generateEd25519KeyPair } from "./keys.ts";
import { ProtocolError } from "./errors.ts";
import { parseMessageJson } from "./version.ts";
import { parseBindingAnswer, parseBindingRequest, bindingRequestSchema } from "./binding.ts";
import { parseSessionReport, sessionReportSchema } from "./session-report.ts";
import { parseHubConfig } from "./hub-config.ts";
import { parseCommissioningAck } from "./acks.ts";
import { parseDrStatusReport } from "./dr-status.ts";
import { parseBillSummaryList } from "./bills.ts";
import { parsePremisesIntervalBatch } from "./premises-intervals.ts";
import { ROUTES } from "./routes.ts";
import {
  exampleBills, exampleBindingAnswer, exampleBindingRequest, exampleDrStatus, exampleEumdAck, exampleHubConfig,
  exampleIntervals, examplePevAck, examplePremisesIntervals, exampleSessionReport, EXAMPLE_T0,
} from "./examples.ts";

const utility = generateEd25519KeyPair();

function refusal(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  assert.unreachable("expected a ProtocolError, the message was accepted");
  throw new Error("unreachable");
}

test("every example message passes its schema", () => {
  parseBindingRequest(exampleBindingRequest());
  parseBindingAnswer(exampleBindingAnswer(utility.privateKey));
  parseSessionReport(exampleSessionReport());
  parseCommissioningAck(examplePevAck());
  parseCommissioningAck(exampleEumdAck());
  parseHubConfig(exampleHubConfig(utility.publicKey));
  parseDrStatusReport(exampleDrStatus());
  parseBillSummaryList(exampleBills());
  parsePremisesIntervalBatch(examplePremisesIntervals());
});

test("FR-14: a binding request carries premises ID and PEV ID; a missing premises ID is named", () => {
  const { premisesId: _, ...rest } = exampleBindingRequest();
  const e = refusal(() => parseBindingRequest(rest));
  assert.is(e.path, "premisesId");
  assert.match(e.message, /invalid binding request: premisesId:/);
  assert.is(e.toBody().error.path, "premisesId");
});

test("FR-03: a VIN with a wrong check digit is refused, naming the field and the rule", () => {
  const e = refusal(() => parseBindingRequest({ ...exampleBindingRequest(), vin: "1HGCM82633A004353" }));
  assert.is(e.path, "vin");
  assert.match(e.message, /check digit \(position 9\) is 3, expected 5/);
  const lower = refusal(() => parseBindingRequest({ ...exampleBindingRequest(), vin: "1hgcm82633a004352" }));
  assert.match(lower.message, /canonical form/);
});

test("an unknown protocol version is refused with a clear error, not a field-by-field failure", () => {
  const e = refusal(() => parseBindingRequest({ ...exampleBindingRequest(), v: 2 }));
  assert.is(e.code, "unsupported-version");
  assert.is(e.path, "v");
  assert.match(e.message, /unsupported protocol version 2; this side speaks v1/);
  const missing = refusal(() => parseSessionReport({ sessionId: "x" }));
  assert.match(missing.message, /missing protocol version/);
  const notObject = refusal(() => parseSessionReport([1, 2]));
  assert.match(notObject.message, /expected a JSON object, got an array/);
  const notJson = refusal(() => parseMessageJson(bindingRequestSchema, "{nope", "binding request"));
  assert.match(notJson.message, /body is not JSON/);
});

test("FR-29: a session report names the interval field at fault", () => {
  const r = exampleSessionReport();
  const bad = { ...r, intervals: r.intervals.map((i, n) => (n === 2 ? { ...i, wh: 12.5 } : i)) };
  const e = refusal(() => parseSessionReport(bad));
  assert.is(e.path, "intervals[2].wh");
  const neg = refusal(() => parseSessionReport({ ...r, intervals: r.intervals.map((i, n) => (n === 1 ? { ...i, wh: -5 } : i)) }));
  assert.is(neg.path, "intervals[1].wh");
  assert.match(neg.message, /must not be negative/);
});

test("FR-29: overlapping intervals (energy counted twice) and a wrong total are refused", () => {
  const r = exampleSessionReport();
  const dup = [...r.intervals, r.intervals[3]!];
  const e = refusal(() => parseSessionReport({ ...r, intervals: dup, totalWh: r.totalWh + r.intervals[3]!.wh }));
  assert.is(e.path, "intervals[4].start");
  assert.match(e.message, /counted twice/);
  const t = refusal(() => parseSessionReport({ ...r, totalWh: r.totalWh + 1 }));
  assert.is(t.path, "totalWh");
  const unaligned = refusal(() => parseSessionReport({ ...r, intervals: [{ start: EXAMPLE_T0 + 7, lengthS: 900, wh: 1, quality: "ok" }], totalWh: 1 }));
  assert.is(unaligned.path, "intervals[0].start");
});

test("BR-4: a report at the default rate must give the fallback reason; the program rate forbids one", () => {
  const r = exampleSessionReport();
  const e = refusal(() => parseSessionReport({ ...r, rate: "default" }));
  assert.is(e.path, "binding.fallbackReason");
  const ok = parseSessionReport({ ...r, rate: "default", binding: { status: null, path: null, fallbackReason: "comm-timeout", offline: false } });
  assert.is(ok.binding.fallbackReason, "comm-timeout");
  const e2 = refusal(() => parseSessionReport({ ...r, binding: { ...r.binding, fallbackReason: "no-eumd" } }));
  assert.is(e2.path, "rate");
});

test("NFR-3: a config with a comm-wait below 60 s is refused; FR-25: interval lengths are checked", () => {
  const c = exampleHubConfig(utility.publicKey);
  const e = refusal(() => parseHubConfig({ ...c, commWaitS: 30 }));
  assert.is(e.path, "commWaitS");
  assert.match(e.message, /at least 60 seconds/);
  const i = refusal(() => parseHubConfig({ ...c, intervalS: 700 }));
  assert.is(i.path, "intervalS");
  const dr = refusal(() => parseHubConfig({ ...c, drEvents: [{ ...c.drEvents[0]!, limitA: undefined }] }));
  assert.is(dr.path, "drEvents[0].limitA");
});

test("FR-05: `not-enrolled` is a valid answer; an `enrolled` answer without parameters is not", () => {
  const a = parseBindingAnswer({ v: 1, status: "not-enrolled", vin: "1HGCM82633A004352", premisesId: "prem-100", answeredAt: EXAMPLE_T0, reason: "no such PEV" });
  assert.is(a.status, "not-enrolled");
  const e = refusal(() => parseBindingAnswer({ v: 1, status: "enrolled", vin: "1HGCM82633A004352", premisesId: "prem-100", answeredAt: EXAMPLE_T0 }));
  assert.is(e.path, "parameters");
  const c = refusal(() => parseBindingAnswer({ ...exampleBindingAnswer(utility.privateKey), status: "bogus" }));
  assert.is(c.path, "status");
});

test("FR-19, FR-27: acknowledgements of PEV and EUMD validate their own fields", () => {
  const e = refusal(() => parseCommissioningAck({ ...exampleEumdAck(), intervalS: 0 }));
  assert.is(e.path, "intervalS");
  const k = refusal(() => parseCommissioningAck({ ...examplePevAck(), kind: "modem" }));
  assert.is(k.path, "kind");
});

test("FR-34: bill totals must add up to their lines", () => {
  const b = exampleBills();
  const bad = { ...b, bills: [{ ...b.bills[0]!, totalCents: 231, debitsCents: 231 }] };
  const e = refusal(() => parseBillSummaryList(bad));
  assert.is(e.path, "bills[0].totalCents");
});

test("every route's schemas render to JSON Schema (for the head-end's /openapi.json)", () => {
  for (const r of Object.values(ROUTES)) {
    const res = z.toJSONSchema(r.response, { unrepresentable: "any" }) as { type?: string; anyOf?: unknown; oneOf?: unknown };
    assert.ok(res.type === "object" || res.anyOf || res.oneOf, `${r.path} response renders`);
    if (r.request) z.toJSONSchema(r.request, { unrepresentable: "any" });
  }
  const js = z.toJSONSchema(sessionReportSchema, { unrepresentable: "any" }) as { properties: Record<string, { pattern?: string }> };
  assert.ok(js.properties.sessionId?.pattern, "ID pattern is kept");
});

test("a week of one-minute intervals fits in one report; more is refused", () => {
  const week = exampleIntervals(EXAMPLE_T0, 7 * 24 * 60, 60, 100);
  parseSessionReport(exampleSessionReport({ intervals: week, totalWh: (week.length * 100) as never, unpluggedAt: (EXAMPLE_T0 + 7 * 86_400) as never }));
  const more = exampleIntervals(EXAMPLE_T0, 7 * 24 * 60 + 1, 60, 100);
  const e = refusal(() => parseSessionReport(exampleSessionReport({ intervals: more, totalWh: (more.length * 100) as never })));
  assert.is(e.path, "intervals");
});

test.run();
