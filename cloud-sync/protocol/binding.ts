// Binding (S1 step 9-12, S2 step 4-7): the hub asks the utility whether this PEV may charge under a
// program at this premises (FR-14); the utility answers with status and, when bound, the
// authentication parameters and a signed credential (FR-16, FR-18). `not-enrolled` is an answer (FR-05).
import { z } from "zod";
import type { AuthenticationParameters, BindingCredential } from "../../core/binding/index.ts";
import {
  base64urlSchema, bindingIdSchema, bindingPathSchema, commWaitSchema, hubIdSchema, intervalLengthSchema, premisesIdSchema,
  refIdSchema, sessionIdSchema, utcSecondsSchema, utilityIdSchema, vinSchema,
} from "./primitives.ts";
import { parseMessage } from "./version.ts";

export const bindingRequestSchema = z.object({
  v: z.literal(1),
  hubId: hubIdSchema,
  premisesId: premisesIdSchema,
  /** The PEV ID (its VIN, FR-03, FR-13), sent with the premises ID (FR-14). */
  vin: vinSchema,
  path: bindingPathSchema,
  /** Re-binding: the PEV proved its per-PEV secret to the hub by challenge-response. Commissioning: false. */
  pevProofOk: z.boolean(),
  /** When the hub asks (UTC seconds). */
  at: utcSecondsSchema,
  /** The hub's session this binding is for, so the utility can correlate the later report. */
  sessionId: sessionIdSchema.optional(),
});
export type BindingRequest = z.infer<typeof bindingRequestSchema>;

export const bindingCredentialSchema = z.object({
  v: z.literal(1),
  vin: vinSchema,
  premisesId: premisesIdSchema,
  utilityId: utilityIdSchema,
  programId: refIdSchema,
  issuedAt: utcSecondsSchema,
  expiresAt: utcSecondsSchema,
  keyId: refIdSchema,
  signature: base64urlSchema,
}).refine((c) => c.expiresAt > c.issuedAt, { message: "credential must expire after it is issued", path: ["expiresAt"] }) satisfies z.ZodType<BindingCredential>;

export const authenticationParametersSchema = z.object({
  programId: refIdSchema,
  programName: z.string().min(1).max(200),
  tariffId: refIdSchema,
  intervalS: intervalLengthSchema,
  commWaitS: commWaitSchema,
  offlineRebinding: z.boolean(),
  credential: bindingCredentialSchema,
}) satisfies z.ZodType<AuthenticationParameters>;

/** Who pays for energy a visiting PEV takes (program parameter "guest charging", FR-33; roaming, FR-32). */
export const payerSchema = z.enum(["host", "guest", "home-utility"]);
export type Payer = z.infer<typeof payerSchema>;

/** A PEV enrolled elsewhere: its home utility, and who pays. */
export const visitorInfoSchema = z.object({
  homeUtilityId: utilityIdSchema,
  payer: payerSchema,
});
export type VisitorInfo = z.infer<typeof visitorInfoSchema>;

const answerBase = {
  v: z.literal(1),
  vin: vinSchema,
  premisesId: premisesIdSchema,
  answeredAt: utcSecondsSchema,
};

export const bindingAnswerSchema = z.discriminatedUnion("status", [
  z.object({
    ...answerBase,
    status: z.literal("enrolled"),
    parameters: authenticationParametersSchema,
    /** What the head-end granted, for (utility, premises, hub): sessions are settled against it. */
    bindingId: bindingIdSchema.optional(),
    /** Commissioning only: the per-PEV secret the hub passes to the PEV over the secure link (base64url, ≥ 16 bytes). */
    pevSecret: base64urlSchema.min(22).optional(),
  }),
  z.object({
    ...answerBase,
    status: z.literal("guest"),
    parameters: authenticationParametersSchema,
    bindingId: bindingIdSchema.optional(),
    visitor: visitorInfoSchema,
  }),
  z.object({
    ...answerBase,
    status: z.literal("roaming"),
    parameters: authenticationParametersSchema,
    bindingId: bindingIdSchema.optional(),
    visitor: visitorInfoSchema,
  }),
  z.object({ ...answerBase, status: z.literal("not-enrolled"), reason: z.string().max(500) }),
  z.object({ ...answerBase, status: z.literal("invalid"), reason: z.string().max(500) }),
]);
export type BindingAnswer = z.infer<typeof bindingAnswerSchema>;

export const parseBindingRequest = (input: unknown): BindingRequest => parseMessage(bindingRequestSchema, input, "binding request");
export const parseBindingAnswer = (input: unknown): BindingAnswer => parseMessage(bindingAnswerSchema, input, "binding answer");
