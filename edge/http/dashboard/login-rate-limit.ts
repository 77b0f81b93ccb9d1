// Login and setup attempts per client address: a sliding window, so a password cannot be guessed at network speed.
// Real (monotonic) time on purpose: a hub running a scaled simulation clock must not let attempts through faster.

export class LoginRateLimit {
  private readonly attempts = new Map<string, number[]>();

  constructor(readonly maxAttempts = 5, readonly windowMs = 60_000, private readonly nowMs: () => number = () => performance.now()) {}

  /** Records an attempt by `client`; returns null if allowed, or the seconds to wait. */
  take(client: string): number | null {
    const now = this.nowMs();
    const recent = (this.attempts.get(client) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.maxAttempts) {
      this.attempts.set(client, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.attempts.set(client, recent);
    // Forget idle clients so a scan of many addresses cannot grow the map without bound.
    if (this.attempts.size > 10_000) for (const [k, v] of this.attempts) if (v.every((t) => now - t >= this.windowMs)) this.attempts.delete(k);
    return null;
  }

  /** A successful login clears the client's count. */
  reset(client: string): void { this.attempts.delete(client); }
}
