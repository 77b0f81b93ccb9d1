// Field schemas shared by every message: IDs, VINs, UTC seconds, energy. They reuse core's rules
// (ID shape, VIN check digit) so the wire and the domain can never disagree on what is valid.
import { z } from "zod";
import { ID_MAX_LENGTH, ID_PATTERN, type AccountId, type CustomerId, type HubId, type PremisesId, type SessionId, type UtilityId } from "../../core/ids/index.ts";
import { parseVin, type Vin } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { Wh } from "../../core/units/index.ts";
import type { BindingPath, BindingStatus, FallbackReason } from "../../core/binding/index.ts";

/**
 * Gives a schema core's branded output type. The runtime schema stays a plain zod string/number
 * (so it still renders to JSON Schema for /openapi.json); the brand is earned by the checks it runs.
 */
function branded<T, I>(schema: z.ZodType<I, I>): z.ZodType<T, I> {
  return schema as unknown as z.ZodType<T, I>;
}

const idString = (kind: string) =>
  z.string().min(1, `${kind} ID must not be empty`).max(ID_MAX_LENGTH, `${kind} ID must be at most ${ID_MAX_LENGTH} characters`)
    .regex(ID_PATTERN, `${kind} ID may hold only letters, digits and . _ : - and must start with a letter or digit`);

export const premisesIdSchema = branded<PremisesId, string>(idString("premises"));
export const customerIdSchema = branded<CustomerId, string>(idString("customer"));
export const accountIdSchema = branded<AccountId, string>(idString("account"));
export const utilityIdSchema = branded<UtilityId, string>(idString("utility"));
export const sessionIdSchema = branded<SessionId, string>(idString("session"));
export const hubIdSchema = branded<HubId, string>(idString("hub"));
/** Program, tariff, key, event and device identifiers: same safe shape, no brand in core. */
export const refIdSchema = idString("reference");

/** A VIN in canonical form (upper case, no spaces) that passes core's check-digit rule (FR-03). */
export const vinSchema = branded<Vin, string>(
  z.string().superRefine((s, ctx) => {
    try {
      const vin = parseVin(s);
      if (vin !== s) ctx.addIssue({ code: "custom", message: `VIN ${JSON.stringify(s)} must be sent in canonical form ${JSON.stringify(vin)}` });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
  }).meta({
    // What the document says of it (the check digit itself is not expressible in JSON Schema).
    pattern: "^[A-HJ-NPR-Z0-9]{17}$", minLength: 17, maxLength: 17,
    description: "VIN: 17 characters, upper case, no I, O or Q, ISO 3779 check digit in position 9 (FR-03)",
  }),
);

/** Latest time any message may carry (2100-01-01T00:00:00Z): integers stay far inside exact arithmetic. */
export const MAX_UTC_SECONDS = 4_102_444_800;

/** Whole UTC seconds since the epoch (NFR-1), before 2100. */
export const utcSecondsSchema = branded<UtcSeconds, number>(z.number().int("UTC time must be whole seconds").nonnegative("UTC time must not be before 1970")
  .max(MAX_UTC_SECONDS, "UTC time must be before 2100-01-01"));

/**
 * Most Wh one message may carry in one figure: 100 MWh, far above any premises' month yet small enough that
 * Wh × µ$/kWh stays an exact integer. Values beyond it are a 400 naming the field, never an overflow.
 */
export const MAX_WH = 100_000_000;

/** Whole, non-negative watt-hours, at most MAX_WH: energy never goes negative on the wire. */
export const whSchema = branded<Wh, number>(z.number().int("energy must be whole Wh").nonnegative("energy must not be negative")
  .max(MAX_WH, `energy must be at most ${MAX_WH} Wh`));

/** A revision or other counter: whole, 1 up to 2^31 − 1. */
export const counterSchema = z.number().int("must be a whole number").min(1).max(2_147_483_647, "must be at most 2147483647");

/**
 * The head-end-issued identity a session is reported under (FR-29, issue 13): `bnd_` for a binding the utility
 * granted at validation, `fbk_` for a fallback session opened at its first report; 128 random bits, base64url.
 */
export const bindingIdSchema = z.string().regex(/^(bnd|fbk)_[A-Za-z0-9_-]{22}$/, "binding ID must be bnd_ or fbk_ followed by 22 base64url characters");

export const bindingStatusSchema = z.enum(["enrolled", "guest", "roaming", "not-enrolled", "invalid"]) satisfies z.ZodType<BindingStatus>;
export const bindingPathSchema = z.enum(["commissioning", "rebinding"]) satisfies z.ZodType<BindingPath>;
export const fallbackReasonSchema = z.enum([
  "comm-timeout", "rejected", "not-enrolled", "no-eumd", "invalid-pev-id", "proof-failed", "no-pev-id", "two-vehicles",
]) satisfies z.ZodType<FallbackReason>;

/** Interval lengths the EUMD can be set to remotely (FR-25): whole minutes that divide an hour. */
export const INTERVAL_LENGTHS_S = [60, 300, 600, 900, 1800, 3600] as const;
export const intervalLengthSchema = z.number().int().refine((n) => (INTERVAL_LENGTHS_S as readonly number[]).includes(n), {
  message: `interval length must be one of ${INTERVAL_LENGTHS_S.join(", ")} seconds`,
}).meta({ enum: [...INTERVAL_LENGTHS_S], description: "Interval length, seconds: whole minutes that divide an hour (FR-25)" });

/** The comm-wait window after On-Plug, never below 60 s (FR-10, NFR-3), at most an hour. */
export const commWaitSchema = z.number().int().min(60, "comm-wait must be at least 60 seconds (NFR-3)").max(3600, "comm-wait must be at most 3600 seconds");

/** Base64url without padding (signatures, secrets, keys). */
export const base64urlSchema = z.string().regex(/^[A-Za-z0-9_-]+$/, "must be base64url without padding");
