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
  }),
);

/** Whole UTC seconds since the epoch (NFR-1). */
export const utcSecondsSchema = branded<UtcSeconds, number>(z.number().int("UTC time must be whole seconds").nonnegative("UTC time must not be before 1970"));

/** Whole, non-negative watt-hours: energy never goes negative on the wire. */
export const whSchema = branded<Wh, number>(z.number().int("energy must be whole Wh").nonnegative("energy must not be negative"));

export const bindingStatusSchema = z.enum(["enrolled", "guest", "roaming", "not-enrolled", "invalid"]) satisfies z.ZodType<BindingStatus>;
export const bindingPathSchema = z.enum(["commissioning", "rebinding"]) satisfies z.ZodType<BindingPath>;
export const fallbackReasonSchema = z.enum([
  "comm-timeout", "rejected", "not-enrolled", "no-eumd", "invalid-pev-id", "proof-failed", "no-pev-id",
]) satisfies z.ZodType<FallbackReason>;

/** Interval lengths the EUMD can be set to remotely (FR-25): whole minutes that divide an hour. */
export const INTERVAL_LENGTHS_S = [60, 300, 600, 900, 1800, 3600] as const;
export const intervalLengthSchema = z.number().int().refine((n) => (INTERVAL_LENGTHS_S as readonly number[]).includes(n), {
  message: `interval length must be one of ${INTERVAL_LENGTHS_S.join(", ")} seconds`,
});

/** The comm-wait window after On-Plug, never below 60 s (FR-10, NFR-3), at most an hour. */
export const commWaitSchema = z.number().int().min(60, "comm-wait must be at least 60 seconds (NFR-3)").max(3600, "comm-wait must be at most 3600 seconds");

/** Base64url without padding (signatures, secrets, keys). */
export const base64urlSchema = z.string().regex(/^[A-Za-z0-9_-]+$/, "must be base64url without padding");
