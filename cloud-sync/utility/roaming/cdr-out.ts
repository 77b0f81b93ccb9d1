// A CDR this head-end (as the visited utility, OCPI's CPO) sends for a roaming PEV, as the operator reads it back.
import { z } from "zod";
import { ocpiCdrSchema } from "../../protocol/index.ts";

export const cdrOutSchema = z.object({
  state: z.enum(["pending", "sent", "cancelled"]),
  homeUtilityId: z.string(),
  cdr: ocpiCdrSchema,
  /** Why the last send failed (kept until it succeeds), or a note such as "already held". */
  lastError: z.string().nullable(),
});
export type CdrOut = z.infer<typeof cdrOutSchema>;

/** One thing a flush could not send, with the clearinghouse's answer. */
export interface RoamingFailure { kind: "token" | "cdr"; id: string; status: number | null; error: string }
