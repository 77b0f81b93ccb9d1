// The schema checker against an independent judge: @cfworker/json-schema, a general draft-07 validator, run on the same
// official OCPP 1.6 schemas must agree on every message of the corpus, good or bad.
import { Validator } from "@cfworker/json-schema";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertSupported, SchemaKeywordError } from "./schema-check.ts";
import { OCPP16_ACTIONS, schemaFor, validatePayload } from "./schemas.ts";

const corpus: Array<[string, "req" | "conf", unknown]> = [
  ["BootNotification", "req", { chargePointVendor: "Wallbox", chargePointModel: "Pulsar" }],
  ["BootNotification", "req", { chargePointVendor: "Wallbox" }],
  ["BootNotification", "req", { chargePointVendor: 12, chargePointModel: "x" }],
  ["BootNotification", "req", { chargePointVendor: "x".repeat(21), chargePointModel: "x" }],
  ["BootNotification", "req", { chargePointVendor: "a", chargePointModel: "b", extra: 1 }],
  ["BootNotification", "conf", { status: "Accepted", currentTime: "2024-06-03T07:00:00.000Z", interval: 300 }],
  ["BootNotification", "conf", { status: "Maybe", currentTime: "2024-06-03T07:00:00Z", interval: 300 }],
  ["BootNotification", "conf", { status: "Accepted", currentTime: "yesterday", interval: 300 }],
  ["StatusNotification", "req", { connectorId: 1, errorCode: "NoError", status: "Charging" }],
  ["StatusNotification", "req", { connectorId: 1.5, errorCode: "NoError", status: "Charging" }],
  ["StatusNotification", "req", { connectorId: "1", errorCode: "NoError", status: "Charging" }],
  ["MeterValues", "req", { connectorId: 1, meterValue: [{ timestamp: "2024-06-03T07:00:00Z", sampledValue: [{ value: "1234", unit: "Wh" }] }] }],
  ["MeterValues", "req", { connectorId: 1, meterValue: [] }],
  ["MeterValues", "req", { connectorId: 1, meterValue: [{ timestamp: "2024-06-03T07:00:00Z", sampledValue: [{ value: 1234 }] }] }],
  ["MeterValues", "req", { connectorId: 1, meterValue: [{ timestamp: "2024-06-03T07:00:00Z", sampledValue: [{ value: "1", unit: "MWh" }] }] }],
  ["StartTransaction", "req", { connectorId: 1, idTag: "VID:0A1B2C3D4E5F", meterStart: 0, timestamp: "2024-06-03T07:00:00Z" }],
  ["StartTransaction", "req", { connectorId: 1, idTag: "VID:0A1B2C3D4E5F0011223", meterStart: 0, timestamp: "2024-06-03T07:00:00Z" }],
  ["SetChargingProfile", "req", { connectorId: 1, csChargingProfiles: { chargingProfileId: 1, stackLevel: 1, chargingProfilePurpose: "TxDefaultProfile", chargingProfileKind: "Absolute", chargingSchedule: { chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 16.1 }] } } }],
  ["SetChargingProfile", "req", { connectorId: 1, csChargingProfiles: { chargingProfileId: 1, stackLevel: 1, chargingProfilePurpose: "TxDefaultProfile", chargingProfileKind: "Absolute", chargingSchedule: { chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 16.15 }] } } }],
  ["StopTransaction", "req", { transactionId: 7, meterStop: 100, timestamp: "2024-06-03T07:00:00Z", transactionData: [{ timestamp: "2024-06-03T07:00:00Z", sampledValue: [{ value: "100" }] }] }],
  ["Heartbeat", "req", {}],
  ["Heartbeat", "req", { now: 1 }],
];

test("the schema checker agrees with @cfworker/json-schema on every corpus message", () => {
  for (const [action, kind, payload] of corpus) {
    const ours = validatePayload(action, kind, payload);
    const judge = new Validator(schemaFor(action, kind) as never, "7", true).validate(payload);
    assert.is(ours === null, judge.valid, `${action}.${kind} ${JSON.stringify(payload)}: ours ${JSON.stringify(ours)}, judge ${judge.valid}`);
  }
});

test("violations earn the OCPP 1.6 error code of their kind", () => {
  assert.is(validatePayload("BootNotification", "req", { chargePointVendor: "Wallbox" })?.code, "OccurenceConstraintViolation");
  assert.is(validatePayload("BootNotification", "req", { chargePointVendor: 12, chargePointModel: "x" })?.code, "TypeConstraintViolation");
  assert.is(validatePayload("BootNotification", "req", { chargePointVendor: "x".repeat(21), chargePointModel: "x" })?.code, "PropertyConstraintViolation");
  assert.is(validatePayload("StatusNotification", "req", { connectorId: 1, errorCode: "NoError", status: "Sleeping" })?.path, "/status");
});

test("all 78 official schemas load, and a schema using a keyword the checker cannot enforce is refused", () => {
  assert.ok(OCPP16_ACTIONS.has("RemoteStartTransaction") && OCPP16_ACTIONS.size >= 39);
  assert.throws(() => assertSupported({ type: "object", properties: { a: { type: "string", pattern: "^x" } } }, "test.json"), (e: Error) => e instanceof SchemaKeywordError && /test\.json\/properties\/a: keyword "pattern"/.test(e.message));
});

test.run();
