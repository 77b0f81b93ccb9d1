// SqlStore over PostgreSQL with Bun's built-in client (Bun.SQL): chosen by measurement over the `postgres` package
// (docs/scale.md, "Client"): it pipelines better over a pool (8.0k vs 2.6k single-row inserts/s with 64 in flight)
// and its COPY FROM STDIN is faster (155–255k vs 108k rows/s), and it is one dependency fewer.
// Bun.SQL returns int8 and numeric as strings; the store converts them to numbers by the result's column types, so
// stores see the same row shapes on both engines (amounts in nano-USD stay below 2^53).
import { SQL } from "bun";
import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlHealth, SqlPoolOptions, SqlStore, SqlValue } from "./sql-store.ts";
import { toDollarParams } from "./sql-store.ts";

/** The connection-scoped handle a query runs on: the pool, a transaction, or a savepoint. */
type Executor = Pick<SQL, "unsafe">;
interface Column { name: string; type: number }
type Result = Record<string, unknown>[] & { count?: number | null; columns?: Column[] };

const INT8 = 20, NUMERIC = 1700;

/** A value in COPY's text format: \N for null, backslash, tab and line breaks escaped. */
const copyText = (v: string | number | null): string =>
  v === null ? "\\N" : typeof v === "number" ? String(v) : v.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));

export class PostgresMigrationError extends Error {
  constructor(readonly version: number, cause: unknown) {
    super(`PostgreSQL migration ${version} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "MigrationError";
  }
}

export class PostgresStore implements SqlStore {
  readonly engine = "postgres" as const;
  private readonly tx = new AsyncLocalStorage<{ exec: Executor; savepoint: (fn: (sp: Executor) => Promise<unknown>) => Promise<unknown> }>();
  private readonly texts = new Map<string, string>();
  private version = 0;

  private constructor(readonly sql: SQL, readonly schema: string | null) {}

  /**
   * Connects to `url` (an optional `schema` puts every connection's search_path there, e.g. one per test) and applies
   * the migrations past the recorded version.
   */
  static async open(url: string, migrations: readonly string[], o: SqlPoolOptions & { schema?: string } = {}): Promise<PostgresStore> {
    const connection: Record<string, string> = {
      // A runaway statement is cancelled by the server rather than holding a pool connection for ever.
      statement_timeout: String(o.statementTimeoutMs ?? 30_000),
      // Names the head-end in pg_stat_activity; with a schema (one of several head-ends or tests on a server), that too.
      application_name: o.schema ? `offpeak-utility:${o.schema}`.slice(0, 63) : "offpeak-utility",
    };
    if (o.schema) connection.search_path = o.schema;
    const sql = new SQL(url, { max: o.poolMax ?? 10, idleTimeout: 30, connectionTimeout: 10, connection });
    const store = new PostgresStore(sql, o.schema ?? null);
    try {
      await store.migrate(migrations);
    } catch (e) {
      await sql.close();
      throw e;
    }
    return store;
  }

  /**
   * Versioned like the SQLite store's user_version: `schema_migrations` records each applied version; each migration
   * runs in its own transaction with its record, under an advisory lock, so two head-ends starting together do not
   * both migrate. Refuses a database written by a newer program.
   */
  private async migrate(migrations: readonly string[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      // One lock key per schema (hashtext of the schema name), held to the end of this transaction.
      await tx.unsafe("SELECT pg_advisory_xact_lock(hashtext(current_schema()))");
      await tx.unsafe("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const rows = (await tx.unsafe("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")) as { v: number }[];
      const current = Number(rows[0]!.v);
      if (current > migrations.length) {
        throw new PostgresMigrationError(current, `database schema version ${current} is newer than this program understands (${migrations.length}); upgrade Offpeak or restore a backup`);
      }
      for (let v = current; v < migrations.length; v++) {
        try {
          await tx.savepoint(async (sp) => {
            await sp.unsafe(migrations[v]!);
            await sp.unsafe("INSERT INTO schema_migrations (version) VALUES ($1)", [v + 1]);
          });
        } catch (e) {
          throw new PostgresMigrationError(v + 1, e);
        }
      }
    });
    this.version = migrations.length;
  }

  private text(sql: string): string {
    let t = this.texts.get(sql);
    if (t === undefined) {
      t = toDollarParams(sql);
      if (this.texts.size > 10_000) this.texts.clear();
      this.texts.set(sql, t);
    }
    return t;
  }

  private async query(sql: string, params: SqlValue[]): Promise<Result> {
    const exec = this.tx.getStore()?.exec ?? this.sql;
    const result = (await exec.unsafe(this.text(sql), params)) as Result;
    const big = result.columns?.filter((c) => c.type === INT8 || c.type === NUMERIC).map((c) => c.name);
    if (big && big.length > 0) {
      for (const row of result) {
        for (const name of big) {
          const v = row[name];
          if (typeof v === "string") row[name] = Number(v);
          else if (typeof v === "bigint") row[name] = Number(v);
        }
      }
    }
    return result;
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return [...(await this.query(sql, params))] as T[];
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | null> {
    return ((await this.query(sql, params))[0] as T | undefined) ?? null;
  }

  async run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }> {
    const r = await this.query(sql, params);
    return { changes: Number(r.count ?? 0) };
  }

  async exec(sql: string): Promise<void> {
    const exec = this.tx.getStore()?.exec ?? this.sql;
    await exec.unsafe(sql);
  }

  inTransaction(): boolean {
    return this.tx.getStore() !== undefined;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.tx.getStore();
    const body = (exec: Executor & { savepoint: (f: (sp: Executor) => Promise<unknown>) => Promise<unknown> }) =>
      this.tx.run({ exec, savepoint: (f) => exec.savepoint(f) }, fn);
    if (outer) return (await outer.savepoint((sp) => body(sp as never))) as T;
    return (await this.sql.begin((tx) => body(tx as never))) as T;
  }

  /**
   * COPY … FROM STDIN of `rows` into `table` (text format, 64 KB writes), in the current transaction if one is open:
   * the bulk path for intake (see docs/scale.md for why COPY). `table` and `columns` are the caller's constants.
   */
  async copyInto(table: string, columns: readonly string[], rows: Iterable<readonly (string | number | null)[]>): Promise<number> {
    const exec = this.tx.getStore()?.exec ?? this.sql;
    const query = exec.unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`) as unknown as { writable(): Promise<WritableStream<string>> };
    const writer = (await query.writable()).getWriter();
    let buf = "", n = 0;
    for (const row of rows) {
      buf += row.map(copyText).join("\t") + "\n";
      n++;
      if (buf.length >= 65_536) {
        await writer.write(buf);
        buf = "";
      }
    }
    if (buf) await writer.write(buf);
    await writer.close();
    return n;
  }

  async health(): Promise<SqlHealth> {
    const t = performance.now();
    try {
      await this.sql.unsafe("SELECT 1");
      return { engine: "postgres", ok: true, latencyMs: performance.now() - t, schemaVersion: this.version };
    } catch (e) {
      return { engine: "postgres", ok: false, latencyMs: performance.now() - t, schemaVersion: this.version, error: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.sql.close({ timeout: 5 });
  }
}
