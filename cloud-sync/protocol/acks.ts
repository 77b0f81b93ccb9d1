// Commissioning acknowledgements the hub relays to the utility: the PEV confirms it received and
// installed the authentication parameters (FR-19, S1 step 13), the EUMD confirms its setup (FR-27, S1 step 16).
import { z } from "zod";
import { hubIdSchema, intervalLengthSchema, premisesIdSchema, refIdSchema, sessionIdSchema, utcSecondsSchema, vinSchema } from "./primitives.ts";
import { parseMessage } from "./version.ts";

const ackBase = {
  v: z.literal(1),
  hubId: hubIdSchema,
  premisesId: premisesIdSchema,
  vin: vinSchema,
  sessionId: sessionIdSchema.optional(),
  /** When the device acknowledged (UTC seconds). */
  at: utcSecondsSchema,
};

export const commissioningAckSchema = z.discriminatedUnion("kind", [
  z.object({
    ...ackBase,
    kind: z.literal("pev"),
    programId: refIdSchema,
    tariffId: refIdSchema,
    /** The keyId and expiry of the credential the PEV now holds. */
    credentialKeyId: refIdSchema,
    credentialExpiresAt: utcSecondsSchema,
  }),
  z.object({
    ...ackBase,
    kind: z.literal("eumd"),
    /** The sub-meter's own identifier (Modbus unit/serial, Zigbee IEEE address). */
    eumdId: z.string().min(1).max(64),
    /** The interval length the EUMD now measures (FR-25, FR-26). */
    intervalS: intervalLengthSchema,
  }),
]);
export type CommissioningAck = z.infer<typeof commissioningAckSchema>;

export const parseCommissioningAck = (input: unknown): CommissioningAck => parseMessage(commissioningAckSchema, input, "commissioning acknowledgement");
