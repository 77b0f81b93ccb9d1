// Exponential backoff with "equal jitter": the n-th retry waits between half and all of
// min(max, base·factorⁿ⁻¹). The random half spreads a fleet of hubs that all lost the utility at once,
// so they do not come back in lockstep; the fixed half keeps a single hub from retrying too eagerly.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  /** Uniform in [0, 1): injectable so tests are deterministic. */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 2_000, maxMs: 15 * 60_000, factor: 2 } as const;

export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly factor: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? DEFAULT_BACKOFF.baseMs;
    this.maxMs = o.maxMs ?? DEFAULT_BACKOFF.maxMs;
    this.factor = o.factor ?? DEFAULT_BACKOFF.factor;
    this.random = o.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs) || !(this.factor >= 1)) {
      throw new RangeError(`invalid backoff: baseMs ${this.baseMs}, maxMs ${this.maxMs}, factor ${this.factor} (need 0 < base ≤ max, factor ≥ 1)`);
    }
  }

  /** The ceiling before jitter for the given attempt number (1 = first retry). */
  ceilingMs(attempt: number): number {
    const n = Math.max(1, Math.floor(attempt));
    // Cap the exponent so the power cannot overflow to Infinity after thousands of attempts.
    return Math.min(this.maxMs, this.baseMs * this.factor ** Math.min(n - 1, 60));
  }

  /** How long to wait before the given attempt number (1 = first retry). */
  delayMs(attempt: number): number {
    const c = this.ceilingMs(attempt);
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(c / 2 + r * (c / 2));
  }
}
