// Vehicle Identification Number (ISO 3779 / 49 CFR 565): the PEV's unique ID (FR-03).
// North American VINs carry a check digit in position 9; we require it, since every PEV sold
// into a US utility territory has one, and it catches almost every typo a customer makes at enrollment.

export type Vin = string & { readonly __brand: "Vin" };

export type VinRule = "length" | "alphabet" | "check-digit";

export class VinError extends Error {
  constructor(
    readonly input: string,
    readonly rule: VinRule,
    detail: string,
  ) {
    super(`invalid VIN ${JSON.stringify(input)}: ${detail}`);
    this.name = "VinError";
  }
}

const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;

function charValue(c: string): number {
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  const v = TRANSLITERATION[c];
  if (v === undefined) throw new Error(`unreachable: ${c}`);
  return v;
}

/** The check digit (position 9) a VIN must carry: '0'-'9' or 'X' for 10. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charValue(vin[i]!) * WEIGHTS[i]!;
  const r = sum % 11;
  return r === 10 ? "X" : String(r);
}

/** Parses a VIN (case and surrounding space forgiven) or throws a VinError naming the rule that failed. */
export function parseVin(input: string): Vin {
  const vin = input.trim().toUpperCase();
  if (vin.length !== 17) throw new VinError(input, "length", `must be 17 characters, got ${vin.length}`);
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!;
    if (c === "I" || c === "O" || c === "Q") {
      throw new VinError(input, "alphabet", `letter ${c} at position ${i + 1} is not allowed (I, O and Q are never used)`);
    }
    if (!/[0-9A-Z]/.test(c)) throw new VinError(input, "alphabet", `character ${JSON.stringify(c)} at position ${i + 1} is not a digit or letter`);
  }
  const expected = vinCheckDigit(vin);
  if (vin[8] !== expected) {
    throw new VinError(input, "check-digit", `check digit (position 9) is ${vin[8]}, expected ${expected}`);
  }
  return vin as Vin;
}

export function isVin(input: string): input is Vin {
  try {
    parseVin(input);
    return input === input.trim().toUpperCase();
  } catch {
    return false;
  }
}

/** A valid VIN from 16 characters (positions 1-8 and 10-17): the check digit is computed into position 9. */
export function vinWithCheckDigit(seed16: string): Vin {
  const s = seed16.toUpperCase();
  if (s.length !== 16) throw new VinError(seed16, "length", `a VIN seed must be 16 characters, got ${s.length}`);
  return parseVin(`${s.slice(0, 8)}${vinCheckDigit(`${s.slice(0, 8)}0${s.slice(8)}`)}${s.slice(8)}`);
}
