// The answers of the operator, customer and clearinghouse-facing routes as zod schemas: the route declarations
// (api-route.ts) type each handler's return against them and the document renders them, so what a client is told it
// gets is what the handler is compiled to return.
import { z } from "zod";
import {
  accountIdSchema, billLineKindSchema, billSummarySchema, customerIdSchema, drEventSchema, hubIdSchema, premisesIdSchema, refIdSchema,
  utcSecondsSchema, vinSchema,
} from "../../protocol/index.ts";

const nullableString = z.string().nullable();

export const programSchema = z.object({
  id: refIdSchema, name: z.string(), description: z.string(), tariffId: refIdSchema,
  intervalS: z.number().int(), commWaitS: z.number().int(),
  guestCharging: z.enum(["off", "host-pays", "guest-pays"]), roamingAllowed: z.boolean(), offlineRebinding: z.boolean(),
  credentialTtlS: z.number().int(), enrollmentMethods: z.array(z.enum(["web", "phone", "mail"])), active: z.boolean(),
});

export const publicProgramsSchema = z.object({
  utilityId: z.string(),
  programs: z.array(z.object({
    id: refIdSchema, name: z.string(), description: z.string(), tariffId: refIdSchema, tariffName: nullableString,
    intervalS: z.number().int(), guestCharging: z.enum(["off", "host-pays", "guest-pays"]), roamingAllowed: z.boolean(),
    enrollmentMethods: z.array(z.enum(["web", "phone", "mail"])),
  })),
});

export const customerSchema = z.object({ id: customerIdSchema, name: z.string(), email: z.string().optional(), phone: z.string().optional() });
export const accountSchema = z.object({
  id: accountIdSchema, customerId: customerIdSchema,
  /** `deactivated`: the account's sessions are held for review with reason `account-deactivated` (docs/utility.md). */
  status: z.enum(["active", "closed", "deactivated"]),
  /** First and last local days of service (YYYY-MM-DD, the utility's zone); absent when not known (older accounts). */
  openedOn: z.iso.date().optional(), closedOn: z.iso.date().optional(),
});
export const premisesSchema = z.object({
  id: premisesIdSchema, accountId: accountIdSchema, address: z.string(), defaultTariffId: refIdSchema, evseRatedW: z.number().int(),
});
export const pevSchema = z.object({ vin: vinSchema, accountId: accountIdSchema, make: z.string().optional(), model: z.string().optional() });
export const enrollmentSchema = z.object({
  id: z.string(), vin: vinSchema, premisesId: premisesIdSchema, programId: refIdSchema, enrolledAt: utcSecondsSchema, active: z.boolean(),
});
export const hubPairingSchema = z.object({ hubId: z.string(), premisesId: premisesIdSchema, publicKeyPem: z.string(), pairedAt: utcSecondsSchema, active: z.boolean() });
export const bindingRecordSchema = z.object({
  vin: vinSchema, premisesId: premisesIdSchema, programId: refIdSchema, state: z.enum(["commissioning", "commissioned"]),
  pevAckAt: utcSecondsSchema.nullable(), eumdAckAt: utcSecondsSchema.nullable(), issuedAt: utcSecondsSchema, expiresAt: utcSecondsSchema,
});

export const enrollmentLookupSchema = z.object({
  vin: z.string(), enrolled: z.boolean(),
  enrollment: enrollmentSchema.optional(), program: programSchema.optional(), premises: premisesSchema.optional(), binding: bindingRecordSchema.nullable().optional(),
});

export const drEventRecordSchema = z.object({
  event: drEventSchema, programId: refIdSchema.nullable(), premisesIds: z.array(premisesIdSchema).nullable(), createdAt: utcSecondsSchema,
});
export const drReportSchema = z.object({ eventId: z.string(), hubId: z.string(), premisesId: z.string(), status: z.string(), at: utcSecondsSchema, receivedAt: utcSecondsSchema });
export const drEventWithReportsSchema = drEventRecordSchema.extend({ reports: z.array(drReportSchema) });

export const postingSchema = z.object({
  ledgerAccount: z.string(),
  /** Integer nano-dollars (USD); positive = debit. */
  amountNano: z.number().int(), energyWh: z.number().int(), period: z.string(), intervalStart: utcSecondsSchema.nullable(),
  lineKind: z.union([billLineKindSchema, z.literal("contra")]), tariffId: nullableString, priceMicroUsdPerKWh: z.number().int().nullable(),
});
export const journalEntrySchema = z.object({
  id: z.number().int(), kind: z.enum(["session", "reversal", "clearinghouse-cdr"]), sessionId: nullableString, revision: z.number().int().nullable(),
  reversesEntryId: z.number().int().nullable(), at: utcSecondsSchema, memo: z.string(), postings: z.array(postingSchema),
});

export const settlementSchema = z.enum(["program", "default", "guest-host-pays", "guest-pays", "roaming", "held"]);
export const sessionRowSchema = z.object({
  sessionId: z.string(), revision: z.number().int(), vin: z.string().nullable(), premisesId: z.string(), hubId: z.string(),
  status: z.string(), settlement: settlementSchema, bindingStatus: z.string(), fallbackReason: nullableString, energyWh: z.number().int(),
  startedAt: utcSecondsSchema, endedAt: utcSecondsSchema.nullable(), reviewReason: nullableString, receivedAt: utcSecondsSchema, hubSessionId: z.string(),
});
export const sessionReviewRecordSchema = z.object({
  sessionId: z.string(), revision: z.number().int(), decision: z.enum(["release", "reject"]), note: z.string(), reviewedBy: z.string(),
  reviewedAt: utcSecondsSchema, heldReason: nullableString,
});

/** Paging of every list: `limit` rows from `offset`; `nextOffset` is null on the last page. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Rows per page, 1–500 (default 50)"),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe("Rows to skip (from the previous page's nextOffset)"),
});
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextOffset: z.number().int().nullable() });

export const billSchema = billSummarySchema;
export { hubIdSchema };
