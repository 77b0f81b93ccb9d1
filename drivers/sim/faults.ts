// Faults the simulator injects on command, per simulated device, to prove the hub survives them.
export type FaultKind = "timeout" | "exception" | "corrupt" | "drop" | "reset-register";
export interface FaultSpec { kind: FaultKind; /** Requests affected; omitted = until cleared. */ count?: number; exceptionCode?: number }

export class FaultSlot {
  private spec: FaultSpec | null = null;
  private remaining = 0;

  set(spec: FaultSpec | null): void {
    if (spec && !["timeout", "exception", "corrupt", "drop", "reset-register"].includes(spec.kind)) {
      throw new RangeError(`unknown fault kind ${JSON.stringify(spec.kind)}: expected timeout, exception, corrupt, drop or reset-register`);
    }
    if (spec?.exceptionCode !== undefined && !(Number.isInteger(spec.exceptionCode) && spec.exceptionCode >= 1 && spec.exceptionCode <= 255)) {
      throw new RangeError(`exception code ${spec.exceptionCode} must be 1-255`);
    }
    this.spec = spec;
    this.remaining = spec?.count ?? Number.POSITIVE_INFINITY;
  }

  /** The fault to apply to the next request, consuming one use. */
  take(): FaultSpec | null {
    if (!this.spec || this.remaining <= 0) return null;
    const s = this.spec;
    if (--this.remaining <= 0) this.spec = null;
    return s;
  }

  get active(): FaultSpec | null { return this.spec; }
}
