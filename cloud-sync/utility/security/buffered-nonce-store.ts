// Replay protection at intake speed. The protocol's SqliteNonceStore commits one SQLite transaction per request,
// which at thousands of signed requests a second costs more than everything else the head-end does. This store
// answers from memory first and writes new nonces to the `sync_nonces` table in one multi-row statement per
// event-loop tick; on start it reloads the unexpired ones, so a restart does not reopen the replay window.
// remember() resolves only once that statement has committed, so no request is answered (and nothing it asked for
// done) before its nonce is on disk: a crash cannot reopen the window (issue 13). Several head-end workers on one
// PostgreSQL database share the table: a nonce another worker already holds comes back from the insert unchanged
// (not in RETURNING), and the request is refused as a replay there too.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { NonceStore } from "../../protocol/index.ts";

interface Waiter { key: string; resolve: (fresh: boolean) => void; reject: (e: unknown) => void }

export class BufferedNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private pending: [string, string, number][] = [];
  private waiters: Waiter[] = [];
  private lastPurge = 0;
  private closed = false;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(private readonly db: SqlStore) {}

  /** Loads the unexpired nonces (a restart keeps the replay window closed). */
  static async open(db: SqlStore, now: UtcSeconds): Promise<BufferedNonceStore> {
    const store = new BufferedNonceStore(db);
    for (const r of await db.all<{ hub_id: string; nonce: string; expires_at: number }>("SELECT hub_id, nonce, expires_at FROM sync_nonces WHERE expires_at >= ? -- multi-shard: once at start", now)) {
      store.seen.set(`${r.hub_id}\n${r.nonce}`, r.expires_at);
    }
    return store;
  }

  remember(hubId: string, nonce: string, expiresAt: UtcSeconds, now: UtcSeconds): boolean | Promise<boolean> {
    const key = `${hubId}\n${nonce}`;
    const exp = this.seen.get(key);
    if (exp !== undefined && exp >= now) return false;
    this.seen.set(key, expiresAt);
    if (this.closed) return true;
    if (this.pending.push([hubId, nonce, expiresAt]) === 1) setImmediate(() => void this.flush(now));
    return new Promise<boolean>((resolve, reject) => this.waiters.push({ key, resolve, reject }));
  }

  /** Writes buffered nonces (and forgets expired ones); one flush at a time, in order. */
  flush(now: number): Promise<void> {
    this.flushing = this.flushing.then(() => this.write(now));
    return this.flushing;
  }

  private async write(now: number): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      const fresh = new Set<string>();
      for (let i = 0; i < batch.length; i += 1000) {
        const chunk = batch.slice(i, i + 1000);
        // An expired row for the same nonce is replaced; a live one (another worker's) is left and not returned.
        const rows = await this.db.all<{ hub_id: string; nonce: string }>(`INSERT INTO sync_nonces (hub_id, nonce, expires_at)
          VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}
          ON CONFLICT (hub_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE sync_nonces.expires_at < ?
          RETURNING hub_id, nonce`, ...chunk.flat(), now);
        for (const r of rows) fresh.add(`${r.hub_id}\n${r.nonce}`);
      }
      if (now - this.lastPurge >= 60) {
        await this.db.run("DELETE FROM sync_nonces WHERE expires_at < ? -- multi-shard: expiry sweep once a minute", now);
        for (const [k, e] of this.seen) if (e < now) this.seen.delete(k);
        this.lastPurge = now;
      }
      for (const w of waiters) w.resolve(fresh.has(w.key));
    } catch (e) {
      for (const w of waiters) w.reject(e);
    }
  }

  async close(now: number): Promise<void> {
    await this.flush(now);
    this.closed = true;
  }
}
