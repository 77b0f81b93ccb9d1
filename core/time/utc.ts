// NFR-1: every device keeps time in UTC with 1-second resolution. Inside Offpeak a point in time
// is a whole number of seconds since the Unix epoch; local time exists only at the edges (tariff periods, display).

export type UtcSeconds = number & { readonly __brand: "UtcSeconds" };

export function utcSeconds(value: number): UtcSeconds {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`invalid UTC time ${value}: must be whole, non-negative seconds since 1970-01-01T00:00:00Z`);
  }
  return value as UtcSeconds;
}

/** Milliseconds to whole UTC seconds, truncating: a reading at 12:00:00.999 belongs to second 12:00:00. */
export const fromMillis = (ms: number): UtcSeconds => utcSeconds(Math.floor(ms / 1000));

export const toIso = (t: UtcSeconds): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");

export function parseIso(s: string): UtcSeconds {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new RangeError(`invalid UTC time ${JSON.stringify(s)}: not an ISO 8601 date-time`);
  return fromMillis(ms);
}

/** The start of the interval of `lengthS` seconds that contains `t`, aligned to UTC boundaries (design: intervals). */
export const intervalStart = (t: UtcSeconds, lengthS: number): UtcSeconds => (t - (t % lengthS)) as UtcSeconds;
