// Builds URDB 12×24 schedules from the way tariff sheets state them ("Summer = June-September, peak 4-9 p.m.").

/** 24 hourly periods: `base` everywhere, then each [fromHour, toHour, period] (toHour exclusive, 24 = midnight). */
export function day(base: number, ...spans: [number, number, number][]): number[] {
  const h = new Array<number>(24).fill(base);
  for (const [from, to, p] of spans) for (let i = from; i < to; i++) h[i] = p;
  return h;
}

/** 12 months: `summer` for the listed 1-based months, `winter` for the rest. */
export function year(summerMonths: readonly number[], summer: number[], winter: number[]): number[][] {
  return Array.from({ length: 12 }, (_, m) => [...(summerMonths.includes(m + 1) ? summer : winter)]);
}

export const JUNE_TO_SEPTEMBER = [6, 7, 8, 9] as const;
