// The OCPP central system's one state-changing route: the owner accepts a charge point that connected with an ID the
// hub did not know (it is listed on the Devices page, from /api/v1/dashboard/devices). Behind the access guard like
// every POST: owner session cookie, CSRF header, same-origin.
import { Hono } from "hono";
import { badRequest, conflict } from "../../../cloud-sync/protocol/index.ts";
import type { DashboardContext } from "./dashboard-views.ts";
import { readObject } from "./json-object.ts";

export function ocppApi(ctx: DashboardContext): Hono {
  return new Hono().post("/api/v1/dashboard/ocpp/accept", async (c) => {
    const ocpp = ctx.ocpp;
    if (!ocpp) throw conflict('this hub has no OCPP charger (set [devices.charger] driver = "ocpp")', "ocpp");
    const b = await readObject(c);
    if (typeof b.id !== "string" || b.id.length === 0 || b.id.length > 48) throw badRequest(`id must be the pending charge point's ID (1-48 characters), got ${JSON.stringify(b.id)}`, "id");
    if (b.allowNoPassword !== undefined && typeof b.allowNoPassword !== "boolean") throw badRequest(`allowNoPassword must be true or false, got ${JSON.stringify(b.allowNoPassword)}`, "allowNoPassword");
    const id = b.id;
    if (!ocpp.view().pending.some((p) => p.id === id)) throw conflict(`no charge point ${JSON.stringify(id)} is waiting to be accepted`, "id");
    try {
      return c.json({ ok: true, ...ocpp.accept(id, b.allowNoPassword === true) });
    } catch (e) {
      throw conflict((e as Error).message, "id");
    }
  });
}
