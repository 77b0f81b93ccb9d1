// SqlStore over bun:sqlite: the embedded default. One connection, so transactions are serialised by an async lock:
// while one is open (it may await between statements), statements from other async contexts wait for it instead of
// slipping into it. Statements outside any transaction run at once when no transaction is open.
import type { Database, Statement } from "bun:sqlite";
import { AsyncLocalStorage } from "node:async_hooks";
import { openMigratedDb } from "./sqlite.ts";
import type { SqlHealth, SqlStore, SqlValue } from "./sql-store.ts";

interface TxContext { depth: number }

export class SqliteStore implements SqlStore {
  readonly engine = "sqlite" as const;
  private readonly tx = new AsyncLocalStorage<TxContext>();
  /** Resolves when the open transaction (if any) ends; transactions chain on it. */
  private lock: Promise<void> = Promise.resolve();
  private locked = false;
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  static open(path: string, migrations: readonly string[]): SqliteStore {
    const db = openMigratedDb(path, migrations);
    // A 64 MiB page cache (SQLite's default is 2 MiB): intake touches the sessions, journal, postings and AMI indexes
    // of many premises per second, and a page read back from the WAL or the file costs far more than one kept. The
    // cache grows only as pages are used; this is the head-end's store (a server), not the hub's.
    db.exec("PRAGMA cache_size = -65536");
    return new SqliteStore(db);
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Outside a transaction, waits until no transaction holds the connection. */
  private async unlocked(): Promise<void> {
    while (this.locked) await this.lock;
  }

  /**
   * True when the statement must wait: a transaction is open and the caller is not in it. Checked synchronously so
   * a statement inside the transaction (most of intake's) costs no extra async call and await.
   */
  private mustWait(): boolean {
    return this.locked && this.tx.getStore() === undefined;
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    if (this.mustWait()) await this.unlocked();
    return this.statement(sql).all(...params) as T[];
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | null> {
    if (this.mustWait()) await this.unlocked();
    return (this.statement(sql).get(...params) as T | null) ?? null;
  }

  async run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }> {
    if (this.mustWait()) await this.unlocked();
    return { changes: this.statement(sql).run(...params).changes };
  }

  async exec(sql: string): Promise<void> {
    if (this.mustWait()) await this.unlocked();
    this.db.exec(sql);
  }

  inTransaction(): boolean {
    return this.tx.getStore() !== undefined;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.tx.getStore();
    if (outer) {
      const name = `sp${++outer.depth}`;
      // Prepared once per depth (a batch opens one savepoint per report), not parsed on every report.
      this.statement(`SAVEPOINT ${name}`).run();
      try {
        const result = await fn();
        this.statement(`RELEASE ${name}`).run();
        return result;
      } catch (e) {
        this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw e;
      } finally {
        outer.depth--;
      }
    }
    while (this.locked) await this.lock;
    this.locked = true;
    let release!: () => void;
    this.lock = new Promise<void>((r) => { release = r; });
    try {
      // IMMEDIATE: take the write lock now, so a second process fails fast with SQLITE_BUSY instead of mid-way.
      this.statement("BEGIN IMMEDIATE").run();
      try {
        const result = await this.tx.run({ depth: 0 }, fn);
        this.statement("COMMIT").run();
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      }
    } finally {
      this.locked = false;
      release();
    }
  }

  async health(): Promise<SqlHealth> {
    const t = performance.now();
    try {
      const v = (this.db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
      return { engine: "sqlite", ok: true, latencyMs: performance.now() - t, schemaVersion: v };
    } catch (e) {
      return { engine: "sqlite", ok: false, latencyMs: performance.now() - t, schemaVersion: 0, error: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    while (this.locked) await this.lock;
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    this.db.close();
  }
}
