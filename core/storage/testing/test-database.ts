// Which engine a head-end test runs on, and a database of its own there. scripts/run-tests.ts runs every head-end
// suite twice: as is (SQLite, a temp file) and with OFFPEAK_TEST_DB=postgres, where each test gets a fresh schema on
// the test server (OFFPEAK_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test) that it drops when done, so
// suites run in parallel without seeing each other's rows.
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlStore, type EngineMigrations } from "../open-store.ts";
import type { SqlEngine, SqlStore } from "../sql-store.ts";

export const TEST_PG_URL = process.env.OFFPEAK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const testEngine = (): SqlEngine => (process.env.OFFPEAK_TEST_DB === "postgres" ? "postgres" : "sqlite");

export interface TestDatabase {
  engine: SqlEngine;
  /** What `dbPath` takes: the SQLite file, or the PostgreSQL URL. */
  target: string;
  /** PostgreSQL: the schema made for this test. */
  schema?: string;
  /** Removes the file or drops the schema. */
  drop(): Promise<void>;
}

/** A new, empty database for one test on the engine under test. */
export async function testDatabase(name = "utility.db"): Promise<TestDatabase> {
  if (testEngine() === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
    return { engine: "sqlite", target: join(dir, name), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const admin = new SQL(TEST_PG_URL, { max: 1 });
  try {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  return {
    engine: "postgres", target: TEST_PG_URL, schema,
    async drop() {
      const sql = new SQL(TEST_PG_URL, { max: 1 });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await sql.close();
      }
    },
  };
}

/** A migrated store on the engine under test; `close` also drops its database. */
export async function openTestStore(migrations: EngineMigrations): Promise<SqlStore & { dispose(): Promise<void> }> {
  const t = await testDatabase();
  const store = await openSqlStore(t.target, migrations, t.schema ? { schema: t.schema, poolMax: 4 } : {});
  return Object.assign(store, {
    async dispose() {
      await store.close();
      await t.drop();
    },
  });
}
