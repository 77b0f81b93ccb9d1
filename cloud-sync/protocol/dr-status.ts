// The hub's report on a demand-response event: it received it, the event started, completed,
// or the customer opted out (FR-35 shows these to the customer; the utility settles on them).
import { z } from "zod";
import { hubIdSchema, premisesIdSchema, refIdSchema, sessionIdSchema, utcSecondsSchema } from "./primitives.ts";
import { parseMessage } from "./version.ts";

export const drStatusSchema = z.enum(["received", "started", "completed", "opted-out"]);
export type DrStatus = z.infer<typeof drStatusSchema>;

export const drStatusReportSchema = z.object({
  v: z.literal(1),
  hubId: hubIdSchema,
  premisesId: premisesIdSchema,
  eventId: refIdSchema,
  status: drStatusSchema,
  at: utcSecondsSchema,
  /** The charging session the event acted on, if one was running. */
  sessionId: sessionIdSchema.optional(),
});
export type DrStatusReport = z.infer<typeof drStatusReportSchema>;

export const parseDrStatusReport = (input: unknown): DrStatusReport => parseMessage(drStatusReportSchema, input, "demand-response status report");
