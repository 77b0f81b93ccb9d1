// Remembers request nonces until their timestamp window has passed, so a captured request cannot be
// replayed. Two implementations: in memory (tests, a single process) and SQLite (the head-end, survives restarts).
import type { Database } from "bun:sqlite";
import type { UtcSeconds } from "../../core/time/index.ts";

export interface NonceStore {
  /**
   * Records (hubId, nonce) until `expiresAt`. Returns false if it was already recorded and has not expired (a replay).
   * `now` lets the store forget expired nonces.
   */
  remember(hubId: string, nonce: string, expiresAt: UtcSeconds, now: UtcSeconds): boolean | Promise<boolean>;
}

export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private lastPurge = 0;

  remember(hubId: string, nonce: string, expiresAt: UtcSeconds, now: UtcSeconds): boolean {
    if (now - this.lastPurge >= 60) {
      for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
      this.lastPurge = now;
    }
    const key = `${hubId}\n${nonce}`;
    const exp = this.seen.get(key);
    if (exp !== undefined && exp >= now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }

  get size(): number { return this.seen.size; }
}

/** Nonces in a bun:sqlite table `sync_nonces` the caller's database holds (WAL recommended). */
export class SqliteNonceStore implements NonceStore {
  private readonly insert;
  private readonly purge;
  private lastPurge = 0;

  constructor(db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS sync_nonces (
      hub_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
      PRIMARY KEY (hub_id, nonce)) WITHOUT ROWID`);
    db.run(`CREATE INDEX IF NOT EXISTS sync_nonces_expiry ON sync_nonces (expires_at)`);
    // An expired row for the same nonce is replaced; a live one makes the insert a no-op (changes = 0).
    this.insert = db.query<unknown, [string, string, number, number]>(
      `INSERT INTO sync_nonces (hub_id, nonce, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (hub_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE sync_nonces.expires_at < ?4`,
    );
    this.purge = db.query<unknown, [number]>(`DELETE FROM sync_nonces WHERE expires_at < ?1`);
  }

  remember(hubId: string, nonce: string, expiresAt: UtcSeconds, now: UtcSeconds): boolean {
    if (now - this.lastPurge >= 60) {
      this.purge.run(now);
      this.lastPurge = now;
    }
    return this.insert.run(hubId, nonce, expiresAt, now).changes === 1;
  }
}
