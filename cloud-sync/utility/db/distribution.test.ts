// Issue 15: the schema is made to be distributed, checked mechanically. Every table is classified (distributed on a
// column, or reference data); on PostgreSQL every distributed table has its distribution column in its primary key
// and in every foreign key to another distributed table; every SQL text of the head-end filters or joins each
// distributed table it touches on that column, or says why it may touch every shard. Intervals and postings land in
// month partitions the head-end made ahead.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Glob } from "bun";
import { openTestStore, testEngine } from "../../../core/storage/testing/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { DISTRIBUTED, REFERENCE, violations } from "./distribution.ts";
import { UTILITY_MIGRATIONS } from "./migrations.ts";
import { ensureMonthPartitions } from "./partitions.ts";
import { UTILITY_PG_MIGRATIONS } from "./postgres-migrations.ts";
import { Ledger, REVENUE_ENERGY, customerLedger } from "../ledger/ledger.ts";
import { AmiStore } from "../metering/ami-store.ts";

const PG = UTILITY_PG_MIGRATIONS.join("\n");
// A table a migration builds under a temporary name and renames (SQLite's way to change a key) counts by its final name.
const tablesOf = (sql: string) => {
  const renamed = new Set([...sql.matchAll(/ALTER TABLE ([a-z_0-9]+) RENAME TO /g)].map((m) => m[1]!));
  return [...sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_0-9]+)/g)].map((m) => m[1]!).filter((t) => !/_default$/.test(t) && !renamed.has(t));
};

/** Every string and template literal of a TypeScript source (templates whole, `${…}` kept as text). */
function literals(src: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "/" && src[i + 1] === "/") { i = src.indexOf("\n", i); if (i < 0) break; continue; }
    if (c !== '"' && c !== "`") continue;
    let j = i + 1, depth = 0;
    for (; j < src.length; j++) {
      const d = src[j]!;
      if (d === "\\") { j++; continue; }
      if (c === "`" && d === "$" && src[j + 1] === "{") { depth++; j++; continue; }
      if (c === "`" && depth > 0 && d === "}") { depth--; continue; }
      if (d === c && depth === 0) break;
      if (c === '"' && d === "\n") break;
    }
    out.push(src.slice(i + 1, j));
    i = j;
  }
  return out;
}

const SQL_TEXT = /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[\s\S]*\b(FROM|INTO|SET|WHERE|JOIN)\b|\bFROM [a-z_]+ [a-z]\b/;

test("every table of both schemas is classified: distributed on a column, or reference data", () => {
  for (const t of new Set([...tablesOf(PG), ...tablesOf(UTILITY_MIGRATIONS.join("\n"))])) {
    assert.ok(DISTRIBUTED[t] !== undefined || REFERENCE.includes(t), `table ${t} is neither distributed nor reference`);
  }
});

test("PostgreSQL: each distributed table's primary key and its foreign keys to distributed tables carry the distribution column", () => {
  for (const [table, column] of Object.entries(DISTRIBUTED)) {
    const def = new RegExp(`CREATE TABLE ${table} \\(([\\s\\S]*?)\\)(?: PARTITION BY [^;]*)?;`).exec(PG)?.[1];
    assert.ok(def, `${table} is in the PostgreSQL schema`);
    const pk = /PRIMARY KEY \(([^)]*)\)/.exec(def!)?.[1] ?? "";
    assert.ok(pk.split(",").map((c) => c.trim()).includes(column), `${table}: primary key (${pk}) lacks ${column}`);
    for (const fk of def!.matchAll(/FOREIGN KEY \(([^)]*)\) REFERENCES ([a-z_]+)\(([^)]*)\)/g)) {
      const target = fk[2]!;
      if (!DISTRIBUTED[target]) continue;
      assert.ok(fk[1]!.includes(column) && fk[3]!.includes(DISTRIBUTED[target]!), `${table}: foreign key to ${target} (${fk[1]}) lacks ${column}`);
    }
  }
  // The two tables that grow with every interval are partitioned by month.
  assert.match(PG, /CREATE TABLE ami_intervals \([\s\S]*?\) PARTITION BY RANGE \(interval_start\)/);
  assert.match(PG, /CREATE TABLE postings \([\s\S]*?\) PARTITION BY RANGE \(booked_at\)/);
});

test("the rule checker flags a query that misses the distribution column and accepts one that has it", () => {
  assert.is(violations("SELECT * FROM sessions WHERE session_id = ?").length, 1);
  assert.is(violations("SELECT * FROM postings p JOIN journal_entries e ON e.id = p.entry_id WHERE p.premises_id = ?").length, 1, "the join lacks it");
  assert.is(violations("INSERT INTO postings (entry_id, amount_nano) VALUES (?, ?)").length, 1);
  assert.is(violations("UPDATE sessions SET status = 'held' WHERE session_id = ?").length, 1);
  assert.is(violations("SELECT * FROM postings p JOIN journal_entries e ON e.premises_id = p.premises_id AND e.id = p.entry_id WHERE p.premises_id IN (?, ?)").length, 0);
  assert.is(violations("SELECT * FROM sessions WHERE session_id = ? -- multi-shard: operator lookup").length, 0);
  assert.is(violations("SELECT * FROM premises WHERE id = ?").length, 0, "reference data");
});

test("every query of the head-end filters or joins each distributed table on its distribution column (or says why not)", async () => {
  const found: string[] = [];
  let checked = 0;
  for await (const file of new Glob("cloud-sync/utility/**/*.ts").scan({ cwd: process.cwd() })) {
    if (/\.test\.ts$|test-support\.ts$|\/db\/(postgres-)?migrations\.ts$|\/db\/distribution\.ts$/.test(file)) continue;
    for (const text of literals(readFileSync(file, "utf8"))) {
      if (!SQL_TEXT.test(text)) continue;
      checked++;
      for (const v of violations(text)) found.push(`${file}: ${v.table} (as ${v.alias}) not filtered on ${v.column}: ${v.sql.replace(/\s+/g, " ").slice(0, 160)}`);
    }
  }
  assert.ok(checked > 40, `only ${checked} SQL texts found: the scanner is broken`);
  assert.equal(found, []);
});

test("month partitions: the head-end makes them ahead; intervals and postings land in their month's partition", async () => {
  const db = await openTestStore({ sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS });
  const june = 1_717_200_000 as UtcSeconds; // 2024-06-01 00:00 UTC
  const made = await ensureMonthPartitions(db, june);
  if (testEngine() === "sqlite") {
    assert.is(made, 0, "SQLite has no partitions");
  } else {
    assert.is(made, 28, "14 months for each of the two tables");
    assert.is(await ensureMonthPartitions(db, june), 0, "idempotent");
    await new AmiStore(db, { now: () => june }).intake("P1", [{ start: (june + 86_400 * 40) as UtcSeconds, lengthS: 900, wh: 100 }]);
    await new Ledger(db).post({ kind: "session", premisesId: "P1", sessionId: "S", revision: 1, at: june, memo: "m", postings: [
      { ledgerAccount: customerLedger("A"), amountNano: 5, energyWh: 1, period: "p", intervalStart: june, lineKind: "pev-debit", tariffId: null, priceMicroUsdPerKWh: null },
      { ledgerAccount: REVENUE_ENERGY, amountNano: -5, energyWh: 0, period: "", intervalStart: june, lineKind: "contra", tariffId: null, priceMicroUsdPerKWh: null },
    ] });
    assert.equal(await db.all("SELECT DISTINCT tableoid::regclass::text AS t FROM ami_intervals"), [{ t: "ami_intervals_y2024m07" }]);
    assert.equal(await db.all("SELECT DISTINCT tableoid::regclass::text AS t FROM postings"), [{ t: "postings_y2024m06" }]);
    // Far outside every partition: still stored, in the DEFAULT partition.
    await new AmiStore(db, { now: () => june }).intake("P1", [{ start: 4_102_444_800 as UtcSeconds, lengthS: 900, wh: 1 }]); // 2100-01-01
    assert.equal(await db.all("SELECT tableoid::regclass::text AS t FROM ami_intervals WHERE premises_id = ? AND interval_start = ?", "P1", 4_102_444_800), [{ t: "ami_intervals_default" }]);
  }
  await db.dispose();
});

test.run();
