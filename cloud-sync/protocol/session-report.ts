// The charging-session report (FR-29, S3 step 1). Each revision is a complete snapshot of the session
// so far, so the utility keeps the highest revision it has seen per session ID and a newer revision
// can replace an undelivered older one in the hub's outbox without losing any energy.
import { z } from "zod";
import {
  accountIdSchema, bindingIdSchema, bindingPathSchema, counterSchema, bindingStatusSchema, customerIdSchema, fallbackReasonSchema, hubIdSchema,
  premisesIdSchema, refIdSchema, sessionIdSchema, utcSecondsSchema, utilityIdSchema, vinSchema, whSchema,
} from "./primitives.ts";
import { intervalListSchema } from "./interval.ts";
import { parseMessage } from "./version.ts";

export const sessionBindingSchema = z.object({
  /** The utility's answer, or null when none came (comm-timeout, no PEV ID). */
  status: bindingStatusSchema.nullable(),
  path: bindingPathSchema.nullable(),
  /** Why the session charged at the default rate (BR-4, BR-6, FR-10); null when bound. */
  fallbackReason: fallbackReasonSchema.nullable(),
  /** True when the hub accepted the signed credential offline because the utility was unreachable. */
  offline: z.boolean(),
  credentialKeyId: refIdSchema.optional(),
});
export type SessionBinding = z.infer<typeof sessionBindingSchema>;

export const sessionEventSchema = z.object({
  at: utcSecondsSchema,
  /** What happened, in the use case's words: plug, binding-requested, bound, fallback, dr-start, unplug, ... */
  kind: z.string().min(1).max(64),
  reason: z.string().max(500).nullable(),
});
export type SessionEvent = z.infer<typeof sessionEventSchema>;

export const sessionReportSchema = z
  .object({
    v: z.literal(1),
    sessionId: sessionIdSchema,
    /** Starts at 1 and grows with every change; (sessionId, revision) is the utility's deduplication key. */
    revision: counterSchema,
    /** The head-end-issued binding or fallback ID (binding answer or first receipt), when the hub has it. */
    bindingId: bindingIdSchema.optional(),
    hubId: hubIdSchema,
    premisesId: premisesIdSchema,
    utilityId: utilityIdSchema,
    /** The premises' customer and account (the host, for a guest session). */
    customerId: customerIdSchema.nullable(),
    accountId: accountIdSchema.nullable(),
    /** The PEV ID (VIN), null when the PEV gave none or an invalid one. */
    vin: vinSchema.nullable(),
    binding: sessionBindingSchema,
    /** Which rate the hub applied: the program's, or the premises default (fallback). */
    rate: z.enum(["program", "default"]),
    programId: refIdSchema.nullable(),
    tariffId: refIdSchema.nullable(),
    pluggedAt: utcSecondsSchema,
    unpluggedAt: utcSecondsSchema.nullable(),
    /** True on the last revision: the session ended and every interval is in. */
    final: z.boolean(),
    /** Every interval of the session so far (a snapshot, not a delta). */
    intervals: intervalListSchema,
    totalWh: whSchema,
    events: z.array(sessionEventSchema).max(10_000),
    /**
     * Which of the premises' charge points the session ran on and the EUMD that metered it (issue 16 item 7); id
     * "charger" is the hub's first ([devices.charger]). Sent by hubs that have (or may add) more than one charge point;
     * absent from a hub with one Modbus charger and from hubs older than this field.
     */
    chargePoint: z.strictObject({
      id: refIdSchema,
      eumdId: z.string().min(1).max(64),
    }).optional(),
  })
  .superRefine((r, ctx) => {
    const sum = r.intervals.reduce((a, i) => a + i.wh, 0);
    if (sum !== r.totalWh) ctx.addIssue({ code: "custom", path: ["totalWh"], message: `totalWh ${r.totalWh} is not the sum of the intervals (${sum} Wh)` });
    if (r.rate === "program" && r.binding.fallbackReason !== null) {
      ctx.addIssue({ code: "custom", path: ["rate"], message: "a session in fallback is charged at the default rate, not the program's" });
    }
    if (r.rate === "default" && r.binding.fallbackReason === null) {
      ctx.addIssue({ code: "custom", path: ["binding", "fallbackReason"], message: "a session at the default rate must say why (fallback reason, BR-4)" });
    }
    if (r.final && r.unpluggedAt === null) ctx.addIssue({ code: "custom", path: ["unpluggedAt"], message: "a final report must say when the PEV was unplugged" });
    if (r.unpluggedAt !== null && r.unpluggedAt < r.pluggedAt) ctx.addIssue({ code: "custom", path: ["unpluggedAt"], message: "unplugged before it was plugged in" });
  });
export type SessionReport = z.infer<typeof sessionReportSchema>;

export const parseSessionReport = (input: unknown): SessionReport => parseMessage(sessionReportSchema, input, "session report");
