// Demand response to the EV: LoadControlEvent addressed to device class bit 10 (0x0400, electric vehicle),
// and the device's ReportEventStatus back, in Offpeak's units.
import type { UtcSeconds } from "../../core/time/index.ts";
import { fromZigbeeUtc, toZigbeeUtc } from "./se-time.ts";

/** SE device class bit 10: Electric Vehicle. */
export const DEVICE_CLASS_EV = 0x0400;

export interface LoadControlEvent {
  issuerEventId: number;
  deviceClass: number;
  utilityEnrollmentGroup: number;
  startTime: UtcSeconds | "now";
  /** 1..1440 minutes. */
  durationMin: number;
  /** 1 green … 6 emergency, per SE criticality levels. */
  criticalityLevel: number;
  /** -100..100 % of load; undefined = not used. */
  averageLoadAdjustmentPercentage?: number;
  /** 0..100 %; undefined = not used. */
  dutyCycle?: number;
  /** bit0 randomise start, bit1 randomise end. */
  eventControl: number;
}

export function loadControlEventPayload(e: LoadControlEvent): Record<string, number> {
  if (!Number.isInteger(e.durationMin) || e.durationMin < 1 || e.durationMin > 1440) throw new RangeError(`load control duration ${e.durationMin} min must be 1..1440`);
  if (e.averageLoadAdjustmentPercentage !== undefined && (e.averageLoadAdjustmentPercentage < -100 || e.averageLoadAdjustmentPercentage > 100)) {
    throw new RangeError(`average load adjustment ${e.averageLoadAdjustmentPercentage}% must be -100..100`);
  }
  return {
    issuerEventId: e.issuerEventId,
    deviceClass: e.deviceClass,
    utilityEnrollmentGroup: e.utilityEnrollmentGroup,
    startTime: e.startTime === "now" ? 0 : toZigbeeUtc(e.startTime),
    durationInMinutes: e.durationMin,
    criticalityLevel: e.criticalityLevel,
    // Temperature fields are for HVAC; "not used" is each type's non-value, which herdsman writes for NaN.
    coolingTemperatureOffset: Number.NaN,
    heatingTemperatureOffset: Number.NaN,
    coolingTemperatureSetPoint: Number.NaN,
    heatingTemperatureSetPoint: Number.NaN,
    averageLoadAdjustmentPercentage: e.averageLoadAdjustmentPercentage ?? Number.NaN,
    dutyCycle: e.dutyCycle ?? Number.NaN,
    eventControl: e.eventControl,
  };
}

export const EVENT_STATUS = {
  0x01: "received",
  0x02: "started",
  0x03: "completed",
  0x04: "opted-out",
  0x05: "opted-in",
  0x06: "cancelled",
  0x07: "superseded",
  0x08: "partially-completed-opt-out",
  0x09: "partially-completed-opt-in",
  0x0a: "completed-no-participation",
  0xf8: "rejected-invalid-cancel",
  0xf9: "rejected-invalid-effective-time",
  0xfb: "rejected-expired",
  0xfd: "rejected-undefined-event",
  0xfe: "rejected",
} as const;
export type EventStatus = (typeof EVENT_STATUS)[keyof typeof EVENT_STATUS] | `unknown-0x${string}`;

export interface EventStatusReport {
  issuerEventId: number;
  status: EventStatus;
  statusCode: number;
  at: UtcSeconds;
  criticalityLevelApplied: number;
  averageLoadAdjustmentPercentageApplied?: number;
  dutyCycleApplied?: number;
  signed: boolean;
}

export function parseReportEventStatus(raw: Record<string, unknown>): EventStatusReport {
  const num = (k: string): number => {
    const v = raw[k];
    if (typeof v !== "number" || Number.isNaN(v)) throw new RangeError(`reportEventStatus: field ${k} is missing or not a number`);
    return v;
  };
  const code = num("eventStatus");
  const r: EventStatusReport = {
    issuerEventId: num("issuerEventId"),
    status: (EVENT_STATUS as Record<number, EventStatus>)[code] ?? `unknown-0x${code.toString(16)}`,
    statusCode: code,
    at: fromZigbeeUtc(num("eventStatusTime")),
    criticalityLevelApplied: num("criticalityLevelApplied"),
    signed: raw.signatureType === 0x01,
  };
  const ala = raw.averageLoadAdjustmentPercentageApplied;
  if (typeof ala === "number" && !Number.isNaN(ala)) r.averageLoadAdjustmentPercentageApplied = ala;
  const dc = raw.dutyCycleApplied;
  if (typeof dc === "number" && !Number.isNaN(dc)) r.dutyCycleApplied = dc;
  return r;
}
