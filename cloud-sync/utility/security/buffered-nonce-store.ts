// Replay protection at intake speed. The protocol's SqliteNonceStore commits one SQLite transaction per request,
// which at thousands of signed requests a second costs more than everything else the head-end does. This store
// answers from memory (authoritative while the process runs) and writes new nonces to the same `sync_nonces`
// table in one transaction per event-loop tick; on start it reloads the unexpired ones, so a restart does not
// reopen the replay window. remember() resolves only once that transaction has committed, so no request is answered
// (and nothing it asked for done) before its nonce is on disk: a crash cannot reopen the window (issue 13).
import type { Database, Statement } from "bun:sqlite";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { SqliteNonceStore, type NonceStore } from "../../protocol/index.ts";

export class BufferedNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private pending: [string, string, number][] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private readonly insert: Statement;
  private readonly purge: Statement;
  private lastPurge = 0;
  private closed = false;

  constructor(private readonly db: Database, now: UtcSeconds) {
    new SqliteNonceStore(db); // creates the table and index (shared schema with the protocol's store)
    this.insert = db.prepare("INSERT INTO sync_nonces (hub_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (hub_id, nonce) DO UPDATE SET expires_at = excluded.expires_at");
    this.purge = db.prepare("DELETE FROM sync_nonces WHERE expires_at < ?");
    for (const r of db.query("SELECT hub_id, nonce, expires_at FROM sync_nonces WHERE expires_at >= ?").all(now) as { hub_id: string; nonce: string; expires_at: number }[]) {
      this.seen.set(`${r.hub_id}\n${r.nonce}`, r.expires_at);
    }
  }

  remember(hubId: string, nonce: string, expiresAt: UtcSeconds, now: UtcSeconds): boolean | Promise<boolean> {
    const key = `${hubId}\n${nonce}`;
    const exp = this.seen.get(key);
    if (exp !== undefined && exp >= now) return false;
    this.seen.set(key, expiresAt);
    if (this.closed) return true;
    if (this.pending.push([hubId, nonce, expiresAt]) === 1) setImmediate(() => this.flush(now));
    return new Promise<boolean>((resolve, reject) => this.waiters.push({ resolve: () => resolve(true), reject }));
  }

  /** Writes buffered nonces (and forgets expired ones) in one transaction. */
  flush(now: number): void {
    if (this.closed || this.pending.length === 0) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      this.db.transaction(() => {
        for (const [h, n, e] of batch) this.insert.run(h, n, e);
        if (now - this.lastPurge >= 60) {
          this.purge.run(now);
          for (const [k, e] of this.seen) if (e < now) this.seen.delete(k);
          this.lastPurge = now;
        }
      })();
    } catch (e) {
      for (const w of waiters) w.reject(e);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  close(now: number): void {
    this.flush(now);
    this.closed = true;
  }
}
