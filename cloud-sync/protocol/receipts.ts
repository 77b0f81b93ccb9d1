// What the utility answers when it accepts something from the hub. A receipt means "stored durably";
// only then does the hub's outbox forget the message (at-least-once).
import { z } from "zod";
import { bindingIdSchema, counterSchema, sessionIdSchema, utcSecondsSchema } from "./primitives.ts";
import { parseMessage } from "./version.ts";

export const receiptSchema = z.object({
  v: z.literal(1),
  /** True when the utility already had this message (the hub resent it after a lost answer). */
  duplicate: z.boolean(),
  receivedAt: utcSecondsSchema,
  /**
   * Premises-interval batches: how many intervals were new, already held with the same value (`duplicate`; the
   * receipt's `duplicate` is true when all were), or replaced a stored value (an AMI correction).
   */
  intervals: z.object({ stored: z.number().int().nonnegative(), duplicate: z.number().int().nonnegative(), corrected: z.number().int().nonnegative() }).optional(),
});
export type Receipt = z.infer<typeof receiptSchema>;

/**
 * accepted: stored, will be billed. duplicate: this (session, revision) was already stored.
 * superseded: the utility already holds a newer revision. held-for-review: stored but not billed
 * (e.g. load correlation failed, FR-15). Every outcome means "delivered" to the hub.
 */
export const sessionReceiptSchema = z.object({
  v: z.literal(1),
  sessionId: sessionIdSchema,
  revision: counterSchema,
  /** The head-end's identity of this session (binding or fallback ID): the hub may send it with later revisions. */
  bindingId: bindingIdSchema.optional(),
  outcome: z.enum(["accepted", "duplicate", "superseded", "held-for-review"]),
  receivedAt: utcSecondsSchema,
  note: z.string().max(500).optional(),
});
export type SessionReceipt = z.infer<typeof sessionReceiptSchema>;

export const parseReceipt = (input: unknown): Receipt => parseMessage(receiptSchema, input, "receipt");
export const parseSessionReceipt = (input: unknown): SessionReceipt => parseMessage(sessionReceiptSchema, input, "session receipt");
