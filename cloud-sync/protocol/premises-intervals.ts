// The premises (AMI) meter's intervals. The utility receives them through its own AMI channel and uses
// them for load correlation (FR-15): PEV energy in an interval cannot exceed the premises' beyond a tolerance.
import { z } from "zod";
import { premisesIdSchema, utilityIdSchema } from "./primitives.ts";
import { intervalListSchema } from "./interval.ts";
import { parseMessage } from "./version.ts";

export const premisesIntervalBatchSchema = z.object({
  v: z.literal(1),
  utilityId: utilityIdSchema,
  premisesId: premisesIdSchema,
  /** The billing meter's identifier at the utility. */
  meterId: z.string().min(1).max(64),
  /** Who read them: the utility's AMI head-end, or the hub from an optional whole-home meter. */
  source: z.enum(["ami", "hub"]),
  intervals: intervalListSchema,
});
export type PremisesIntervalBatch = z.infer<typeof premisesIntervalBatchSchema>;

export const parsePremisesIntervalBatch = (input: unknown): PremisesIntervalBatch =>
  parseMessage(premisesIntervalBatchSchema, input, "premises interval batch");
