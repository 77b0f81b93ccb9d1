// The owner registers the identity a charger reports for a vehicle — an RFID card or an Autocharge tag (VID:<MAC>) —
// for the vehicle's VIN. When no secure PEV link opens, the hub then takes the ID-only path with that VIN (issue 16).
// Behind the access guard: owner session, CSRF header, same-origin.
import { Hono } from "hono";
import { ApiError, badRequest, notFound } from "../../../cloud-sync/protocol/index.ts";
import { parseVin, VinError } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { DashboardContext } from "./dashboard-views.ts";
import { readObject } from "./json-object.ts";

/** OCPP 1.6 IdToken is CiString20Type: up to 20 printable characters. */
const ID_TAG = /^[\x21-\x7e]{1,20}$/;

export function vehicleTagsApi(ctx: DashboardContext, clock: Clock): Hono {
  const app = new Hono();
  app.get("/api/v1/dashboard/vehicle-tags", (c) => {
    if (c.get("login")?.role !== "owner") throw new ApiError("forbidden", "vehicle tags are the owner's: the guest view does not list them", "role");
    return c.json({ tags: ctx.store.listVehicleTags() });
  });
  app.post("/api/v1/dashboard/vehicle-tags", async (c) => {
    const b = await readObject(c);
    if (typeof b.tag !== "string" || !ID_TAG.test(b.tag)) throw badRequest(`tag must be the card's or vehicle's idTag: 1-20 printable characters without spaces (e.g. VID:0A1B2C3D4E5F), got ${JSON.stringify(b.tag)}`, "tag");
    if (typeof b.vin !== "string") throw badRequest(`vin must be the vehicle's 17-character VIN, got ${JSON.stringify(b.vin)}`, "vin");
    let vin: string;
    try {
      vin = parseVin(b.vin.trim().toUpperCase());
    } catch (e) {
      if (e instanceof VinError) throw badRequest(e.message, "vin");
      throw e;
    }
    ctx.store.registerVehicleTag(b.tag, vin, clock.now());
    return c.json({ ok: true, tag: b.tag, vin, tags: ctx.store.listVehicleTags() });
  });
  app.delete("/api/v1/dashboard/vehicle-tags/:tag", (c) => {
    const tag = c.req.param("tag");
    if (!ctx.store.removeVehicleTag(tag)) throw notFound("vehicle tag", tag, "tag");
    return c.json({ ok: true, tags: ctx.store.listVehicleTags() });
  });
  return app;
}
