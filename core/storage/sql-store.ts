// The one async storage interface the head-end's stores are written against, with the SQL in plain sight (no ORM):
// `all`/`get`/`run` take SQL with `?` placeholders, which each engine binds its own way (SQLite natively, PostgreSQL
// as $1..$n). A transaction is ambient: queries issued inside `transaction(fn)`, however deep in the call chain, run
// in it (AsyncLocalStorage), so a store's methods need no transaction parameter; a transaction inside a transaction
// is a savepoint, so one bad report in a batch rolls back alone.

export type SqlValue = string | number | null | Uint8Array;

/** Which engine a store runs on; the few statements that differ (COPY, partitions) branch on it. */
export type SqlEngine = "sqlite" | "postgres";

export interface SqlHealth { engine: SqlEngine; ok: boolean; latencyMs: number; schemaVersion: number; error?: string }

export interface SqlStore {
  readonly engine: SqlEngine;
  /** Every row. Integer columns come back as JS numbers on both engines (PostgreSQL int8/numeric are converted). */
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** The first row, or null. */
  get<T>(sql: string, ...params: SqlValue[]): Promise<T | null>;
  /** A statement without rows; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }>;
  /** Several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a transaction (a savepoint when one is already open in this async context); commits on return. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** True when the calling async context is inside `transaction`. */
  inTransaction(): boolean;
  /** One round trip to the database (for /healthz). */
  health(): Promise<SqlHealth>;
  close(): Promise<void>;
}

/** Options the operator sets for a PostgreSQL store (ignored by SQLite, which has one connection). */
export interface SqlPoolOptions {
  /** Connections in the pool (default 10). */
  poolMax?: number;
  /** statement_timeout in ms: a runaway query is cancelled by the server (default 30 s; 0 = none). */
  statementTimeoutMs?: number;
}

/**
 * `?` placeholders to PostgreSQL's `$1..$n`, skipping quoted strings, quoted identifiers and comments, so a `?`
 * inside a literal stays a literal. Cached per SQL text by the caller.
 */
export function toDollarParams(sql: string): string {
  let out = "";
  let n = 0;
  let numbered = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop + 1);
      i = stop;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === "?") {
      // `?NNN` names a parameter by number (SQLite's form), which PostgreSQL spells `$NNN`. Mixed with bare `?` the
      // numbering would differ between the engines (SQLite counts on from the highest number): refused.
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0];
      if (digits) {
        numbered = true;
        out += `$${digits}`;
        i += digits.length;
      } else {
        out += `$${++n}`;
      }
      if (numbered && n > 0) throw new Error(`SQL mixes ?NNN and ? placeholders: ${sql.slice(0, 120)}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Where a head-end keeps its data: a PostgreSQL URL selects PostgreSQL, anything else is a SQLite file. */
export const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//i.test(target);

/** The target without its password, for logs and /healthz. */
export function redactTarget(target: string): string {
  if (!isPostgresUrl(target)) return target;
  try {
    const u = new URL(target);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}
