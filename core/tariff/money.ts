// Exact money. Prices are integer µ$/kWh, energy integer Wh, so a cost is an integer number of nano-dollars
// (Wh × µ$/kWh = 10⁻⁹ $). JavaScript numbers hold integers exactly up to 2^53 ≈ 9.007e15, i.e. $9,007,199 in
// nano-dollars: far above any one residential bill line, and every product is checked (costNanoUsd throws beyond it).
// Rounding to cents happens once per bill line (roundToCents), never on intermediate sums.

/** 1 cent = 10⁷ nano-dollars. */
export const NANO_USD_PER_CENT = 10_000_000;

/** Wh × µ$/kWh, exact; throws rather than lose precision. */
export function costNanoUsd(wh: number, priceMicroUsdPerKWh: number): number {
  const c = wh * priceMicroUsdPerKWh;
  if (!Number.isSafeInteger(c)) {
    throw new RangeError(`cost ${wh} Wh × ${priceMicroUsdPerKWh} µ$/kWh exceeds exact integer range (2^53 nano-dollars ≈ $9.0M)`);
  }
  return c;
}

/**
 * Rounds nano-dollars to whole cents, half away from zero: 0.5 ¢ → 1 ¢, −0.5 ¢ → −1 ¢. The rule bills
 * commonly use, and symmetric, so a credit and the debit it cancels round to the same magnitude.
 */
export function roundToCents(nanoUsd: number): number {
  if (!Number.isSafeInteger(nanoUsd)) throw new RangeError(`invalid amount ${nanoUsd} nano-dollars: must be a safe integer`);
  const mag = Math.abs(nanoUsd);
  const cents = Math.floor((mag + NANO_USD_PER_CENT / 2) / NANO_USD_PER_CENT);
  return nanoUsd < 0 && cents > 0 ? -cents : cents; // never −0
}

/**
 * Dollars as found in a URDB record (a JSON float like 0.10986) to integer micro-dollars. Rounds to the nearest
 * µ$ (half away from zero): URDB figures have at most 5-6 decimals; anything finer is below 10⁻⁴ ¢/kWh.
 * The detour through toFixed avoids binary artefacts such as 0.29 * 1e6 = 289999.99999999994.
 */
export function microUsdFromDollars(dollars: number): number {
  const s = Math.abs(dollars).toFixed(7);
  const [int, frac] = s.split(".") as [string, string];
  let micro = Number(int) * 1_000_000 + Number(frac.slice(0, 6));
  if (Number(frac[6]) >= 5) micro += 1;
  return dollars < 0 ? -micro : micro;
}

/** Integer micro-dollars back to a dollar figure for URDB export (exact: a µ$ value has ≤ 6 decimals). */
export const dollarsFromMicroUsd = (micro: number): number => Number((micro / 1_000_000).toFixed(6));
