// A CDR this head-end (as the visited utility, OCPI's CPO) sends for a roaming PEV, as the operator reads it back.
import { z } from "zod";
import { ocpiCdrSchema } from "../../protocol/index.ts";

export const cdrOutSchema = z.object({
  /** `dead`: the clearinghouse refused it (4xx; `lastError` says why), never sent again. */
  state: z.enum(["pending", "sent", "cancelled", "dead"]),
  homeUtilityId: z.string(),
  cdr: ocpiCdrSchema,
  /** Why the last send failed (kept until it succeeds), or a note such as "already held". */
  lastError: z.string().nullable(),
  /** What became of it at its home utility, asked of the clearinghouse: null until known. */
  homeOutcome: z.enum(["delivered", "refused"]).nullable(),
});
export type CdrOut = z.infer<typeof cdrOutSchema>;

/** One thing a flush could not send, with the clearinghouse's answer. */
export interface RoamingFailure { kind: "token" | "cdr"; id: string; status: number | null; error: string }
