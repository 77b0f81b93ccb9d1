// One metered interval, as both the EUMD (session reports, FR-29) and the premises meter (AMI, FR-15) send it.
import { z } from "zod";
import { utcSecondsSchema, whSchema } from "./primitives.ts";
import { formatPath } from "./errors.ts";

/**
 * How much to trust an interval's Wh:
 * ok = a full interval read from the register; partial = the session started or ended inside it;
 * estimated = filled in for a gap (meter unreachable); reset = the register reset or rolled over inside it;
 * suspect = the hub's own plausibility check failed (the utility should hold it for review).
 */
export const intervalQualitySchema = z.enum(["ok", "partial", "estimated", "reset", "suspect"]);
export type IntervalQuality = z.infer<typeof intervalQualitySchema>;

export const meteredIntervalSchema = z
  .object({
    start: utcSecondsSchema,
    lengthS: z.number().int().min(1).max(86_400),
    wh: whSchema,
    quality: intervalQualitySchema,
  })
  .refine((i) => i.start % i.lengthS === 0, { message: "interval start must be aligned to a UTC boundary of its length", path: ["start"] });
export type MeteredInterval = z.infer<typeof meteredIntervalSchema>;

/** At most a week of one-minute intervals in one message. */
export const MAX_INTERVALS_PER_MESSAGE = 7 * 24 * 60;

/** Intervals in time order that never overlap: overlapping intervals would count energy twice. */
export const intervalListSchema = z
  .array(meteredIntervalSchema)
  .max(MAX_INTERVALS_PER_MESSAGE)
  .superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (cur.start < prev.start + prev.lengthS) {
        ctx.addIssue({
          code: "custom",
          path: [i, "start"],
          message: `interval overlaps or precedes the one before it (${formatPath([i - 1])} ends at ${prev.start + prev.lengthS}); energy would be counted twice`,
        });
        return;
      }
    }
  });
