// The Zigbee network's one state-changing route: open permit-join for a limited time so a new SE device can join.
// It sits behind the access guard like every POST: owner session cookie, CSRF header, same-origin.
import type { Context, Hono } from "hono";
import type { DashboardContext } from "./dashboard-views.ts";

/** How long permit-join stays open when the page does not say (herdsman's limit is 254 s). */
export const DEFAULT_PERMIT_JOIN_S = 120;

export function mountZigbeeApi(app: Hono, ctx: DashboardContext): void {
  app.post("/api/v1/dashboard/zigbee/permit-join", async (c: Context) => {
    const zigbee = ctx.zigbee;
    if (!zigbee) return c.json({ error: "no Zigbee coordinator is configured on this hub (add a [zigbee] section)", path: "zigbee" }, 409);
    let b: unknown = {};
    const text = await c.req.text();
    if (text.trim()) {
      try { b = JSON.parse(text); } catch { return c.json({ error: "the body is not valid JSON", path: "body" }, 400); }
    }
    if (typeof b !== "object" || b === null || Array.isArray(b)) return c.json({ error: "the body must be a JSON object", path: "body" }, 400);
    const raw = (b as Record<string, unknown>).seconds ?? DEFAULT_PERMIT_JOIN_S;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > 254) {
      return c.json({ error: `seconds must be a whole number from 0 (close) to 254, got ${JSON.stringify(raw)}`, path: "seconds" }, 400);
    }
    try {
      await zigbee.permitJoin(raw);
    } catch (e) {
      return c.json({ error: `the coordinator refused: ${(e as Error).message}`, path: "zigbee" }, 502);
    }
    return c.json({ ok: true, ...zigbee.view() });
  });
}
