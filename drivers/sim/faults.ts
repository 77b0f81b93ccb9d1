// Faults the simulator injects on command, per simulated device, to prove the hub survives them.
// The last three are devices that lie: an answer from another unit id, an answer carrying another request's
// transaction id (Modbus TCP), and an energy register reading ten times what it should for one answer.
export const FAULT_KINDS = ["timeout", "exception", "corrupt", "drop", "reset-register", "wrong-unit", "wrong-transaction", "energy-x10"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export interface FaultSpec { kind: FaultKind; /** Requests affected; omitted = until cleared. */ count?: number; exceptionCode?: number }

export class FaultSlot {
  private spec: FaultSpec | null = null;
  private remaining = 0;

  set(spec: FaultSpec | null): void {
    if (spec && !(FAULT_KINDS as readonly string[]).includes(spec.kind)) {
      throw new RangeError(`unknown fault kind ${JSON.stringify(spec.kind)}: expected ${FAULT_KINDS.join(", ")}`);
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

/** What a lying answer carries instead of the truth: a register image no real reading matches (float32 996.0). */
export const LIE_WORDS = [0x4479, 0x0000] as const;

/** A read response (FC03/FC04) whose data words are replaced by the lie, so a test sees it if it is ever accepted. */
export function poisonReadPdu(resp: Buffer): Buffer {
  if ((resp[0] !== 3 && resp[0] !== 4) || resp.length < 2) return resp;
  const out = Buffer.from(resp);
  for (let i = 2; i + 1 < out.length; i += 2) out.writeUInt16BE(LIE_WORDS[((i - 2) / 2) % 2]!, i);
  return out;
}
