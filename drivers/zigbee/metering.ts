// SE Metering 0x0702 in Offpeak's units. The spec's rule: value × Multiplier ÷ Divisor is in the UnitOfMeasure
// (kWh for summation, kW for demand); the formatting bitmaps only say how to *display* it. Bit 7 of UnitOfMeasure
// means the raw values are BCD. Summation is floored to whole Wh, so differencing successive readings never invents energy.
// ZCL non-values mean "no valid value", never a number: a UINT48 summation of 0xFFFFFFFFFFFF is refused, an INT24 demand
// of 0x800000 is reported as unknown power, and a Multiplier or Divisor of 0 (or the UINT24 non-value) is invalid.
import type { Meter, MeterReading } from "../../core/ports/index.ts";
import { DeviceError } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import { watts, wh, type W, type Wh } from "../../core/units/index.ts";

export interface MeteringFormat {
  unitOfMeasure: number;
  multiplier: number;
  divisor: number;
  /** bits 0-2 digits right of the point, bits 3-6 digits left, bit 7 suppress leading zeros. */
  summationFormatting: number;
  demandFormatting?: number;
}

/** ZCL non-values (ZCL 2.6.2 data types): UINT48 all ones, UINT24 all ones, INT24 0x800000. */
export const SUMMATION_NON_VALUE = 0xffff_ffff_ffffn;
export const UINT24_NON_VALUE = 0xff_ffff;
export const DEMAND_NON_VALUE = -0x80_0000;

function decodeRaw(raw: number | bigint, f: MeteringFormat, what: string): bigint {
  if (typeof raw === "number" && !Number.isSafeInteger(raw)) throw new DeviceError("zigbee meter", "garbage", `${what} ${raw} is not a whole number`);
  const v = BigInt(raw);
  if (what === "summation" && v === SUMMATION_NON_VALUE) throw new DeviceError("zigbee meter", "garbage", "summation is the UINT48 non-value 0xFFFFFFFFFFFF: the meter has no valid reading");
  if (v < 0n && what !== "demand") throw new DeviceError("zigbee meter", "garbage", `${what} ${raw} is negative`);
  if ((f.unitOfMeasure & 0x80) === 0) return v;
  // BCD: each hex nibble is one decimal digit.
  const digits = (v < 0n ? -v : v).toString(16);
  if (!/^[0-9]+$/.test(digits)) throw new DeviceError("zigbee meter", "garbage", `${what} 0x${digits} is not valid BCD`);
  return v < 0n ? -BigInt(digits) : BigInt(digits);
}

function checkFormat(f: MeteringFormat): void {
  if (!Number.isInteger(f.unitOfMeasure) || (f.unitOfMeasure & 0x7f) !== 0x00) throw new DeviceError("zigbee meter", "config", `unit of measure 0x${f.unitOfMeasure.toString(16)} is not kWh/kW: not an electricity meter`);
  // SE: "a value of 0 (for Multiplier or Divisor) is invalid"; 0xFFFFFF is the UINT24 non-value.
  for (const k of ["multiplier", "divisor"] as const) {
    const v = f[k];
    if (!Number.isInteger(v) || v <= 0 || v >= UINT24_NON_VALUE) throw new DeviceError("zigbee meter", "config", `${k} ${Number.isNaN(v) ? "is the UINT24 non-value" : v} is invalid: it must be 1..16777214`);
  }
}

/** CurrentSummationDelivered → whole Wh (floored). */
export function summationToWh(raw: number | bigint, f: MeteringFormat): Wh {
  checkFormat(f);
  return wh(Number((decodeRaw(raw, f, "summation") * BigInt(f.multiplier) * 1000n) / BigInt(f.divisor)));
}

/** InstantaneousDemand (signed, kW after multiplier/divisor) → W; the non-value (NaN from herdsman, or raw 0x800000) → null, unknown. */
export function demandToW(raw: number, f: MeteringFormat): W | null {
  checkFormat(f);
  if (Number.isNaN(raw) || raw === DEMAND_NON_VALUE) return null;
  const v = decodeRaw(raw, f, "demand");
  return watts((Number(v) * f.multiplier * 1000) / f.divisor);
}

/** The summation as the meter's own display would show it, honouring the formatting bits. */
export function displaySummation(raw: number | bigint, f: MeteringFormat): string {
  checkFormat(f);
  const right = f.summationFormatting & 0x07;
  const kwh = Number(decodeRaw(raw, f, "summation") * BigInt(f.multiplier)) / f.divisor;
  return `${kwh.toFixed(right)} kWh`;
}

/** Whatever can fetch Metering attributes: a herdsman endpoint in production, a stub in unit tests. */
export interface MeteringSource {
  readonly label: string;
  readAttributes(names: string[]): Promise<Record<string, unknown>>;
}

const FORMAT_ATTRS = ["unitOfMeasure", "multiplier", "divisor", "summaFormatting", "demandFormatting"];

/**
 * An SE metering device as the hub's `Meter` port (EUMD or premises meter). Attribute reports are kept as they
 * arrive; read() uses them while fresh, else reads the device.
 */
export class ZigbeeSeMeter implements Meter {
  private format?: MeteringFormat;
  private last?: { summation?: number | bigint; demand?: number; atMs: number };

  constructor(
    private readonly source: MeteringSource,
    private readonly clock: Clock,
    private readonly maxReportAgeMs = 30_000,
  ) {}

  /** Feed an attributeReport / readResponse payload from the device. */
  onAttributes(data: Record<string, unknown>): void {
    if (typeof data.multiplier === "number" || typeof data.divisor === "number" || typeof data.unitOfMeasure === "number") this.format = this.mergeFormat(data);
    const s = data.currentSummDelivered;
    const d = data.instantaneousDemand;
    if (typeof s === "number" || typeof s === "bigint" || typeof d === "number") {
      this.last = { ...this.last, atMs: this.clock.monotonicMs() };
      if (typeof s === "number" || typeof s === "bigint") this.last.summation = s;
      if (typeof d === "number") this.last.demand = d;
    }
  }

  async read(): Promise<MeterReading> {
    if (!this.format) this.format = this.mergeFormat(await this.readOrFail(FORMAT_ATTRS));
    const fresh = this.last && this.last.summation !== undefined && this.clock.monotonicMs() - this.last.atMs <= this.maxReportAgeMs;
    if (!fresh) this.onAttributes(await this.readOrFail(["currentSummDelivered", "instantaneousDemand"]));
    const s = this.last?.summation;
    if (s === undefined || (typeof s === "number" && Number.isNaN(s))) throw new DeviceError(this.source.label, "malformed", "no CurrentSummationDelivered value");
    const energyWh = summationToWh(s, this.format);
    const d = this.last?.demand;
    const powerW = d === undefined ? null : demandToW(d, this.format);
    // The Meter port has no "unknown" power: 0 W stands in and powerUnknown says it is not a measurement.
    return powerW === null ? { energyWh, powerW: watts(0), powerUnknown: true, at: this.clock.now() } : { energyWh, powerW, at: this.clock.now() };
  }

  async close(): Promise<void> {}

  private mergeFormat(data: Record<string, unknown>): MeteringFormat {
    // A value the device sent wins, even 0 or NaN (herdsman's non-value): checkFormat refuses those by name. Only an
    // attribute the device did not send keeps what was known, and Multiplier/Divisor, optional in SE, default to 1.
    const n = (k: string, dflt: number): number => (typeof data[k] === "number" ? (data[k] as number) : (this.format as unknown as Record<string, number> | undefined)?.[k === "summaFormatting" ? "summationFormatting" : k] ?? dflt);
    return { unitOfMeasure: n("unitOfMeasure", 0), multiplier: n("multiplier", 1), divisor: n("divisor", 1), summationFormatting: n("summaFormatting", 0), demandFormatting: n("demandFormatting", 0) };
  }

  private async readOrFail(names: string[]): Promise<Record<string, unknown>> {
    try {
      return await this.source.readAttributes(names);
    } catch (e) {
      throw new DeviceError(this.source.label, "timeout", `reading ${names.join(", ")}: ${(e as Error).message}`);
    }
  }
}
