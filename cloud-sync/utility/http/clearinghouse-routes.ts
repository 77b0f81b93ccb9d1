// Where the clearinghouse pushes CDRs for our PEVs that charged in another utility's territory (FR-30).
import { ApiError } from "../../protocol/index.ts";
import { Hono } from "hono";
import { cdrDeliverySchema, cdrImplausibility, sameSecret } from "../../protocol/index.ts";
import type { HeadEnd } from "../head-end.ts";
import { readBody } from "./read-body.ts";

export function clearinghouseRoutes(h: HeadEnd, token: string | undefined): Hono {
  const app = new Hono();
  app.post("/cdrs", async (c) => {
    const presented = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!token || !sameSecret(presented, token)) {
      throw new ApiError("unauthorized", "the clearinghouse bearer token is required", "headers.authorization");
    }
    const d = await readBody(c, cdrDeliverySchema);
    if (d.homeUtilityId !== h.utilityId) throw new ApiError("misrouted", `CDR is routed to ${d.homeUtilityId}, not this utility`, "homeUtilityId", undefined, 400);
    // The home utility checks too: a negative or implausible amount is refused (4xx: the clearinghouse dead-letters it).
    const implausible = cdrImplausibility(d.cdr);
    if (implausible) throw new ApiError("implausible-cdr", implausible.error, implausible.path, undefined, 422);
    const r = await h.roaming.receiveCdr(d);
    return c.json({ accepted: true, entryId: r.entryId }, 201);
  });
  return app;
}
