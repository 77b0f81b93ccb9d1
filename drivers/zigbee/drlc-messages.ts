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
  /**
   * SE 1.2 criticality (D.2.2.3.1.1.5): 1 green, 2..6 = levels 1..5, 7 emergency, 8 planned outage, 9 service
   * disconnect, 10..15 utility defined; 0 and 16.. reserved.
   */
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
  if (!Number.isInteger(e.criticalityLevel) || e.criticalityLevel < 1 || e.criticalityLevel > 15) throw new RangeError(`criticality level ${e.criticalityLevel} must be 1..15 (0 and above 15 are reserved)`);
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
    // Temperature fields are for HVAC; "not used" is each type's non-value, which herdsman writes for NaN: 0xFF for the
    // UINT8 offsets, 0x8000 for the INT16 set points.
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

/** Signature Type (SE 1.2 D.2.3.3.1.1): 0x00 none, 0x01 ECDSA; 0x02..0xFF reserved. */
export const SIGNATURE_NONE = 0x00;
export const SIGNATURE_ECDSA = 0x01;
/** An ECDSA signature over sect283k1 is r ‖ s, 21 bytes each. */
export const ECDSA_SIGNATURE_BYTES = 42;

export interface EventStatusReport {
  issuerEventId: number;
  status: EventStatus;
  statusCode: number;
  at: UtcSeconds;
  criticalityLevelApplied: number;
  averageLoadAdjustmentPercentageApplied?: number;
  dutyCycleApplied?: number;
  /**
   * The report carries a well-formed ECDSA signature (type 0x01 and exactly 42 bytes). Not verified: that needs the
   * device's CBKE certificate, which herdsman cannot obtain (docs/zigbee.md).
   */
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
    signed: signatureOf(raw),
  };
  const ala = raw.averageLoadAdjustmentPercentageApplied;
  if (typeof ala === "number" && !Number.isNaN(ala)) r.averageLoadAdjustmentPercentageApplied = ala;
  const dc = raw.dutyCycleApplied;
  if (typeof dc === "number" && !Number.isNaN(dc)) r.dutyCycleApplied = dc;
  return r;
}

/** Whether the report is signed; a signature that does not match its type is refused, never taken as "signed". */
function signatureOf(raw: Record<string, unknown>): boolean {
  const type = raw.signatureType;
  const sig = raw.signature;
  const len = Buffer.isBuffer(sig) ? sig.length : 0;
  if (type === undefined || type === SIGNATURE_NONE) {
    // Type 0: no signature. Some devices still fill the field with zeros; anything else is not a signature we know.
    if (len > 0 && Buffer.isBuffer(sig) && sig.some((b) => b !== 0)) throw new RangeError(`reportEventStatus: signature type 0x00 (none) but ${len} signature byte(s) follow`);
    return false;
  }
  if (type === SIGNATURE_ECDSA) {
    if (len !== ECDSA_SIGNATURE_BYTES) throw new RangeError(`reportEventStatus: ECDSA signature (type 0x01) must be ${ECDSA_SIGNATURE_BYTES} bytes, got ${len}`);
    return true;
  }
  // herdsman reads the ENUM8 non-value 0xFF as NaN.
  const shown = typeof type === "number" ? `0x${(Number.isNaN(type) ? 0xff : type).toString(16).padStart(2, "0")}` : JSON.stringify(type);
  throw new RangeError(`reportEventStatus: signature type ${shown} is reserved (0x00 none and 0x01 ECDSA are defined)`);
}
