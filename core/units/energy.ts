// Energy is counted in whole watt-hours: meters register Wh, bills are per kWh, and integers
// add up exactly, so no rounding drift can lose or invent energy between the hub and the bill.

export type Wh = number & { readonly __brand: "Wh" };
/** Instantaneous power in whole watts. */
export type W = number & { readonly __brand: "W" };

export class UnitError extends Error {
  constructor(what: string, value: unknown, detail: string) {
    super(`invalid ${what} ${String(value)}: ${detail}`);
    this.name = "UnitError";
  }
}

export function wh(value: number): Wh {
  if (!Number.isSafeInteger(value)) throw new UnitError("energy (Wh)", value, "must be a whole number of watt-hours");
  return value as Wh;
}

/** Energy that can be billed: a whole, non-negative number of Wh. */
export function billableWh(value: number): Wh {
  const v = wh(value);
  if (v < 0) throw new UnitError("energy (Wh)", value, "must not be negative");
  return v;
}

export function watts(value: number): W {
  if (!Number.isFinite(value)) throw new UnitError("power (W)", value, "must be a finite number");
  return Math.round(value) as W;
}

export const sumWh = (xs: readonly Wh[]): Wh => xs.reduce((a, b) => a + b, 0) as Wh;
export const kWhToWh = (kwh: number): Wh => wh(Math.round(kwh * 1000));
export const formatKWh = (e: Wh): string => `${(e / 1000).toFixed(3)} kWh`;
