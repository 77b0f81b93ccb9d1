// What the hub's shell needs to know about a device besides its readings: is it there, since when, and why not.
import type { UtcSeconds } from "../../core/time/index.ts";

export interface DeviceHealth {
  readonly online: boolean;
  readonly lastError?: string;
  readonly lastOkAt?: UtcSeconds;
  /** Called on every online↔offline transition (not on every failed poll), with a reason fit for a log line. */
  onHealthChange(cb: (online: boolean, reason: string) => void): void;
}
