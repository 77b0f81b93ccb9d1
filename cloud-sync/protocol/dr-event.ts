// Demand-response events the utility's operator issues and the hubs receive through config sync.
// Shaped after Zigbee SE DRLC "Load Control Event" (criticality 1-9, device class), reduced to what an EVSE can do.
import { z } from "zod";
import { refIdSchema, utcSecondsSchema } from "./primitives.ts";

/** SE DRLC device classes we route; the hub acts on `electric-vehicle` (and `all`). */
export const drDeviceClassSchema = z.enum(["electric-vehicle", "hvac", "water-heater", "pool-pump", "smart-appliance", "all"]);
export type DrDeviceClass = z.infer<typeof drDeviceClassSchema>;

/** The SE DRLC device-class bit for each class (Zigbee SE 1.x, Load Control Event "Device Class" field). */
export const SE_DEVICE_CLASS_BITS: Record<DrDeviceClass, number> = {
  hvac: 0x0001, "water-heater": 0x0004, "pool-pump": 0x0008, "smart-appliance": 0x0010, "electric-vehicle": 0x0400, all: 0x0fff,
};

export const drEventSchema = z
  .object({
    id: refIdSchema,
    start: utcSecondsSchema,
    durationS: z.number().int().min(60).max(86_400),
    /** SE criticality level: 1 green ... 6 emergency, 7 planned outage, 8 service disconnect, 9 utility defined. */
    criticality: z.number().int().min(1).max(9),
    deviceClass: drDeviceClassSchema,
    /** pause = hold charging; curtail = cap the charging current at limitA. */
    action: z.enum(["pause", "curtail"]),
    limitA: z.number().min(0).max(80).optional(),
    /** May the customer opt out (the hub records it and reports `opted-out`)? */
    optOutAllowed: z.boolean(),
    /** Set when the operator cancelled the event before or during it. */
    cancelledAt: utcSecondsSchema.optional(),
  })
  .refine((e) => e.action !== "curtail" || e.limitA !== undefined, { message: "a curtail event must give limitA", path: ["limitA"] });
export type DrEvent = z.infer<typeof drEventSchema>;
