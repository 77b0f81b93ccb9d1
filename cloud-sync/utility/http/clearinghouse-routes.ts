// Where the clearinghouse pushes CDRs for our PEVs that charged in another utility's territory (FR-30). Its bearer
// token is checked by server.ts's middleware before the body is read.
import type { Env } from "hono";
import { z } from "zod";
import { ApiError, cdrDeliverySchema, cdrImplausibility, type ApiRoutes } from "../../protocol/index.ts";
import type { HeadEnd } from "../head-end.ts";

export function clearinghouseRoutes<E extends Env>(api: ApiRoutes<E>, h: HeadEnd): void {
  api.on({
    method: "post", path: "/v1/clearinghouse/cdrs", operationId: "receiveCdr", tag: "clearinghouse", auth: "clearinghouse",
    summary: "A CDR (OCPI 2.2.1) for one of our PEVs, pushed by the clearinghouse (FR-30); a credit CDR reverses the one it references",
    body: cdrDeliverySchema, status: 201, response: z.object({ accepted: z.literal(true), entryId: z.number().int() }),
    errors: {
      400: "The CDR is routed to another utility (`misrouted`)", 404: "The VIN is not one of our PEVs",
      409: "This CDR was already billed (`error.details.existingEntryId`)", 422: "A negative or implausible amount, or a credit CDR for an unknown CDR",
    },
  }, async (_c, { body: d }) => {
    if (d.homeUtilityId !== h.utilityId) throw new ApiError("misrouted", `CDR is routed to ${d.homeUtilityId}, not this utility`, "homeUtilityId", undefined, 400);
    // The home utility checks too: a negative or implausible amount is refused (4xx: the clearinghouse dead-letters it).
    const implausible = cdrImplausibility(d.cdr);
    if (implausible) throw new ApiError("implausible-cdr", implausible.error, implausible.path, undefined, 422);
    const r = await h.roaming.receiveCdr(d);
    return { accepted: true as const, entryId: r.entryId };
  });
}
