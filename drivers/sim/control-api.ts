// The simulator's HTTP control API (Hono): plug, unplug, faults and state as JSON, for demos and scripts.
import { Hono } from "hono";
import { z } from "zod";
import { FAULT_KINDS } from "./faults.ts";
import type { Simulator } from "./simulator.ts";

const PevPatch = z.object({
  vin: z.string().min(1).max(17).optional(),
  secretHex: z.string().regex(/^[0-9a-fA-F]*$/, "must be hex").optional(),
  idTag: z.string().regex(/^[\x21-\x7e]{1,20}$/, "must be 1-20 printable characters (OCPP idTag)").optional(),
  batteryWh: z.number().positive().optional(),
  socPct: z.number().min(0).max(100).optional(),
  maxPowerW: z.number().positive().optional(),
}).strict();
const Fault = z.object({
  kind: z.enum(FAULT_KINDS),
  count: z.number().int().positive().optional(),
  exceptionCode: z.number().int().min(1).max(255).optional(),
}).strict().nullable();

export function simControlApp(sim: Simulator): Hono {
  const app = new Hono();
  const state = () => ({ evse: sim.evse(), pev: sim.pev(), eumdWh: sim.eumdWh(), premisesWh: sim.premisesWh(), ports: sim.ports, units: sim.units });
  const bodyOf = async (req: Request): Promise<unknown> => {
    const text = await req.text();
    if (!text.trim()) return {};
    try { return JSON.parse(text); } catch { throw new BadRequest("body is not valid JSON"); }
  };
  app.onError((e, c) => c.json({ error: e.message }, e instanceof BadRequest ? 400 : 500));
  app.get("/state", (c) => c.json(state()));
  app.post("/plug", async (c) => {
    const r = PevPatch.safeParse(await bodyOf(c.req.raw));
    if (!r.success) return c.json({ error: `invalid PEV: ${r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` }, 400);
    sim.plug(r.data);
    return c.json(state());
  });
  app.post("/unplug", (c) => { sim.unplug(); return c.json(state()); });
  app.post("/fault/:target", async (c) => {
    const target = c.req.param("target");
    if (target !== "evse" && target !== "eumd" && target !== "premises") return c.json({ error: `unknown target ${target}: expected evse, eumd or premises` }, 400);
    const r = Fault.safeParse(await bodyOf(c.req.raw));
    if (!r.success) return c.json({ error: `invalid fault: ${r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` }, 400);
    sim.fault(target, r.data);
    return c.json({ ok: true, target, fault: r.data });
  });
  app.post("/house-load", async (c) => {
    const r = z.object({ w: z.number().min(0) }).safeParse(await bodyOf(c.req.raw));
    if (!r.success) return c.json({ error: "expected {\"w\": watts >= 0}" }, 400);
    sim.setHouseLoad(r.data.w);
    return c.json(state());
  });
  return app;
}

class BadRequest extends Error {}
