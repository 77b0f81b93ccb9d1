// Zigbee UTCTime counts seconds since 2000-01-01T00:00:00Z; Offpeak counts since 1970 (NFR-1 either way).
import { utcSeconds, type UtcSeconds } from "../../core/time/index.ts";

/** Seconds between 1970-01-01 and 2000-01-01. */
export const ZIGBEE_EPOCH_OFFSET_S = 946_684_800;

export function toZigbeeUtc(t: UtcSeconds): number {
  const z = t - ZIGBEE_EPOCH_OFFSET_S;
  if (z < 0 || z > 0xfffffffe) throw new RangeError(`time ${t} cannot be sent as Zigbee UTCTime (before 2000 or after 2136)`);
  return z;
}

export function fromZigbeeUtc(z: number): UtcSeconds {
  if (!Number.isInteger(z) || z < 0 || z > 0xfffffffe) throw new RangeError(`invalid Zigbee UTCTime ${z}: must be 0..0xFFFFFFFE seconds since 2000`);
  return utcSeconds(z + ZIGBEE_EPOCH_OFFSET_S);
}
