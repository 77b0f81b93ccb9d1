// Charger quirks as data: how a charge point model deviates from plain OCPP 1.6J, one JSON file per model beside this
// one (like the Modbus register maps), chosen by the BootNotification's vendor and model; "generic" otherwise.
// Every file is checked against QuirkProfileSchema when loaded; an error names the file and the key.
import { readFileSync } from "node:fs";
import { z } from "zod";
import generic from "./quirks/generic.json" with { type: "json" };
import simNoSmart from "./quirks/offpeak-sim-no-smart-charging.json" with { type: "json" };
import simWatts from "./quirks/offpeak-sim-watts.json" with { type: "json" };

export const QuirkProfileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, "lower-case letters, digits and dashes"),
  description: z.string().min(1),
  /** BootNotification chargePointVendor and chargePointModel (exact, case-insensitive; model may end in "*"). */
  match: z.strictObject({ vendor: z.string().min(1), model: z.string().min(1) }).optional(),
  /** The unit the charger accepts in charging schedules. */
  chargingRateUnit: z.enum(["A", "W"]),
  /** Which profile carries hold and allow while a transaction runs (some chargers ignore TxDefaultProfile changes then). */
  profilePurpose: z.enum(["TxDefaultProfile", "TxProfile"]),
  /** TxProfile is refused without a transaction: hold a fresh plug-in by TxDefaultProfile instead. */
  rejectsTxProfileWithoutTransaction: z.boolean(),
  /** Applies no Tx profile until a ChargePointMaxProfile is set (sent at every boot). */
  needsChargePointMaxProfile: z.boolean(),
  /** The unit of an energy sample that states none (the specification says Wh; some chargers send kWh). */
  energyUnitWhenUnstated: z.enum(["Wh", "kWh"]),
  /** Sends MeterValues only when the register changes: silence is "no change", not a dead meter. */
  meterValuesOnlyOnChange: z.boolean(),
  /** False: no Smart Charging profile at all; hold and allow by RemoteStop/RemoteStartTransaction. */
  smartCharging: z.boolean(),
  limits: z.strictObject({
    minCurrentA: z.number().min(0).max(80),
    maxCurrentA: z.number().min(1).max(80),
    phases: z.union([z.literal(1), z.literal(3)]),
    voltageV: z.number().min(100).max(480),
  }),
});
export type QuirkProfile = z.infer<typeof QuirkProfileSchema>;

export class QuirkProfileError extends Error {}

/** Checks one profile; `file` names it in the error, with the offending key. */
export function parseQuirkProfile(file: string, data: unknown): QuirkProfile {
  const r = QuirkProfileSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = issue.path.length ? issue.path.join(".") : (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "(top level)");
    const unknownKeys = issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : issue.message;
    throw new QuirkProfileError(`${file}: key ${key}: ${unknownKeys}`);
  }
  if (r.data.limits.minCurrentA > r.data.limits.maxCurrentA) throw new QuirkProfileError(`${file}: key limits.minCurrentA: above limits.maxCurrentA`);
  return r.data;
}

export function loadQuirkFile(path: string): QuirkProfile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new QuirkProfileError(`${path}: ${(e as Error).message}`);
  }
  return parseQuirkProfile(path, data);
}

const SHIPPED: Array<[string, unknown]> = [
  ["drivers/ocpp/quirks/generic.json", generic],
  ["drivers/ocpp/quirks/offpeak-sim-watts.json", simWatts],
  ["drivers/ocpp/quirks/offpeak-sim-no-smart-charging.json", simNoSmart],
];

export const QUIRK_PROFILES: readonly QuirkProfile[] = SHIPPED.map(([f, d]) => parseQuirkProfile(f, d));
export const GENERIC_QUIRKS: QuirkProfile = QUIRK_PROFILES.find((q) => q.id === "generic")!;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
function modelMatches(pattern: string, model: string): boolean {
  return pattern.endsWith("*") ? model.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase()) : eq(pattern, model);
}

/** The profile for a BootNotification's vendor and model; `extra` (the owner's files) are tried first. */
export function quirksFor(vendor: string, model: string, extra: readonly QuirkProfile[] = []): QuirkProfile {
  return [...extra, ...QUIRK_PROFILES].find((q) => q.match && eq(q.match.vendor, vendor) && modelMatches(q.match.model, model)) ?? GENERIC_QUIRKS;
}
