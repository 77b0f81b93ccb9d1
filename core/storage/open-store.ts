// Opens the store a target names: a postgres:// URL is PostgreSQL, anything else a SQLite file (":memory:" allowed).
// Each engine has its own versioned migration list (the dialects differ); both run at start.
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { isPostgresUrl, type SqlPoolOptions, type SqlStore } from "./sql-store.ts";

export interface EngineMigrations { sqlite: readonly string[]; postgres: readonly string[] }

export async function openSqlStore(target: string, migrations: EngineMigrations, o: SqlPoolOptions & { schema?: string } = {}): Promise<SqlStore> {
  if (isPostgresUrl(target)) return PostgresStore.open(target, migrations.postgres, o);
  return SqliteStore.open(target, migrations.sqlite);
}
