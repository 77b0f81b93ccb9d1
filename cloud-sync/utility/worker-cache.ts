// What a head-end worker keeps in memory of what lives in the database (hub pairings, tariffs, the longest session
// span), each entry re-read after WORKER_CACHE_MS: several workers may serve one PostgreSQL database (issue 15), and
// a change made through one must reach the others within that bound, not at their next restart.

/** How long a worker trusts what it read before reading it again. */
export const WORKER_CACHE_MS = 5000;

export interface WorkerCacheOptions {
  /** Entry lifetime (default WORKER_CACHE_MS). */
  ttlMs?: number;
  /** A monotonic clock in ms (default performance.now); tests pass their own. */
  monotonicMs?: () => number;
  /** Entries kept at most; beyond that the cache starts over (a stranger spraying unknown IDs cannot grow it). */
  maxEntries?: number;
}

export class WorkerCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(o: WorkerCacheOptions = {}) {
    this.ttlMs = o.ttlMs ?? WORKER_CACHE_MS;
    this.now = o.monotonicMs ?? (() => performance.now());
    this.maxEntries = o.maxEntries ?? 100_000;
  }

  /** The live entry for `key`, if any (an expired one counts as absent). */
  peek(key: K): { value: V } | undefined {
    const e = this.entries.get(key);
    return e && e.until > this.now() ? { value: e.value } : undefined;
  }

  /** The live value, else `read()`'s, kept for the lifetime. */
  async get(key: K, read: () => Promise<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit) return hit.value;
    const value = await read();
    this.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
