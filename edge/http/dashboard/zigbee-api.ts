// The Zigbee network's one state-changing route: open permit-join for a limited time so a new SE device can join.
// It sits behind the access guard like every POST: owner session cookie, CSRF header, same-origin.
import { Hono } from "hono";
import { ApiError, badRequest, conflict } from "../../../cloud-sync/protocol/index.ts";
import type { PermitJoinAnswer } from "../../../core/index.ts";
import type { DashboardContext } from "./dashboard-views.ts";
import { readObject } from "./json-object.ts";

/** How long permit-join stays open when the page does not say (herdsman's limit is 254 s). */
export const DEFAULT_PERMIT_JOIN_S = 120;

export function zigbeeApi(ctx: DashboardContext): Hono {
  return new Hono().post("/api/v1/dashboard/zigbee/permit-join", async (c) => {
    const zigbee = ctx.zigbee;
    if (!zigbee) throw conflict("no Zigbee coordinator is configured on this hub (add a [zigbee] section)", "zigbee");
    const b = await readObject(c, { emptyIsEmptyObject: true });
    const raw = b.seconds ?? DEFAULT_PERMIT_JOIN_S;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > 254) {
      throw badRequest(`seconds must be a whole number from 0 (close) to 254, got ${JSON.stringify(raw)}`, "seconds");
    }
    try {
      await zigbee.permitJoin(raw);
    } catch (e) {
      throw new ApiError("bad-gateway", `the coordinator refused: ${(e as Error).message}`, "zigbee");
    }
    return c.json({ ok: true, ...zigbee.view() } satisfies PermitJoinAnswer);
  });
}
