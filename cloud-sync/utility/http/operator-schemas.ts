// Request bodies of the operator and customer APIs. Field rules reuse the protocol's primitives (ID shape,
// VIN check digit, interval lengths, comm-wait ≥ 60 s) so enrollment and the wire can never disagree.
import { z } from "zod";
import {
  accountIdSchema, commWaitSchema, customerIdSchema, hubIdSchema, intervalLengthSchema, premisesIdSchema, refIdSchema, vinSchema,
} from "../../protocol/index.ts";
import { drEventSchema } from "../../protocol/index.ts";

export const programBodySchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(""),
  tariffId: refIdSchema,
  intervalS: intervalLengthSchema.default(900),
  commWaitS: commWaitSchema.default(60),
  guestCharging: z.enum(["off", "host-pays", "guest-pays"]).default("off"),
  roamingAllowed: z.boolean().default(false),
  offlineRebinding: z.boolean().default(true),
  credentialTtlS: z.number().int().min(3600).max(366 * 86_400).default(30 * 86_400),
  enrollmentMethods: z.array(z.enum(["web", "phone", "mail"])).min(1).default(["web", "phone"]),
  active: z.boolean().default(true),
});

export const customerBodySchema = z.object({
  id: customerIdSchema,
  name: z.string().min(1).max(200),
  email: z.email().optional(),
  phone: z.string().max(40).optional(),
});

/** A local calendar day (utility time zone), YYYY-MM-DD. */
const localDaySchema = z.iso.date();
/** `openedOn`: the account's first day of service; default today (the utility's time zone). */
export const accountBodySchema = z.object({ id: accountIdSchema, customerId: customerIdSchema, openedOn: localDaySchema.optional() });
/** `closedOn`: the account's last day of service; default today. */
export const accountCloseBodySchema = z.object({ closedOn: localDaySchema.optional() });

export const premisesBodySchema = z.object({
  id: premisesIdSchema,
  accountId: accountIdSchema,
  address: z.string().min(1).max(300),
  defaultTariffId: refIdSchema,
  /** The EVSE's rated power, W (default 19,200 W, SAE J1772 AC level 2): intervals above it × their length are held. */
  evseRatedW: z.number().int("rated power must be whole W").min(1000, "rated power must be at least 1000 W").max(400_000, "rated power must be at most 400000 W").optional(),
});

export const pevBodySchema = z.object({
  vin: vinSchema,
  accountId: accountIdSchema,
  make: z.string().max(60).optional(),
  model: z.string().max(60).optional(),
});

export const enrollmentBodySchema = z.object({ vin: vinSchema, premisesId: premisesIdSchema, programId: refIdSchema });

export const hubPairingBodySchema = z.object({
  hubId: hubIdSchema,
  premisesId: premisesIdSchema,
  /** SPKI PEM of the hub's Ed25519 key, or `publicKey` as raw base64url. */
  publicKeyPem: z.string().min(40).max(2000).optional(),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a raw Ed25519 key, 43 base64url characters").optional(),
}).refine((b) => b.publicKeyPem !== undefined || b.publicKey !== undefined, { message: "give publicKeyPem or publicKey", path: ["publicKeyPem"] });

export const drEventBodySchema = z.object({
  event: drEventSchema,
  programId: refIdSchema.nullable().default(null),
  premisesIds: z.array(premisesIdSchema).min(1).nullable().default(null),
});

/** Month close for every account: `workers` bills at a time (default 4), accounts read `pageSize` at a time. */
export const closeMonthBodySchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM"),
  workers: z.number().int().min(1).max(64).optional(),
  pageSize: z.number().int().min(1).max(10_000).optional(),
});

export const closeBillBodySchema = z.object({
  accountId: accountIdSchema,
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM").describe("Billing month YYYY-MM in the utility's IANA zone"),
});

export const revocationBodySchema = z.object({ vin: vinSchema, premisesId: premisesIdSchema, reason: z.string().max(500).optional() });

export const tariffBodySchema = z.object({ tariff: z.record(z.string(), z.unknown()) });

/** FR-15 review of a held session: release it for billing or reject it; the note says why (kept with the decision). */
export const sessionReviewBodySchema = z.object({
  decision: z.enum(["release", "reject"]),
  note: z.string().trim().min(1, "note must say why").max(2000),
});

/** A billing month, `YYYY-MM`, in the utility's zone. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM").describe("Billing month YYYY-MM in the utility's IANA zone");

/** Deactivating an account holds its sessions for review (reason `account-deactivated`); the reason is logged. */
export const accountStatusBodySchema = z.object({
  status: z.enum(["active", "deactivated"]),
  reason: z.string().trim().min(1).max(500).optional(),
});
