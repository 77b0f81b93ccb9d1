// Remembers nonces for as long as a message carrying them could still pass the time-skew check,
// so replaying a captured hello on a new connection is refused.
import type { UtcSeconds } from "../../core/time/index.ts";

export class NonceCache {
  private readonly seen = new Map<string, UtcSeconds>();
  constructor(private readonly ttlS: number = 600, private readonly maxEntries = 100_000) {}

  /** Records `nonce`; false when it was already seen within the time-to-live. */
  add(nonce: string, now: UtcSeconds): boolean {
    this.evict(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }

  private evict(now: UtcSeconds): void {
    for (const [n, at] of this.seen) {
      if (now - at <= this.ttlS && this.seen.size < this.maxEntries) break; // insertion order = time order
      this.seen.delete(n);
    }
  }
}
