// AMI intake for volume (issue 15): a large delivery goes in by COPY on PostgreSQL (multi-row upserts on SQLite), and
// either way it is idempotent on (premises, interval start): a re-delivery replaces, a repeat within a batch keeps the
// last one, nothing is stored twice. On the engine under test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openTestStore } from "../../../core/storage/testing/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { UTILITY_MIGRATIONS } from "../db/migrations.ts";
import { UTILITY_PG_MIGRATIONS } from "../db/postgres-migrations.ts";
import { ensureMonthPartitions } from "../db/partitions.ts";
import { AMI_COPY_FROM, AmiStore, type AmiInterval } from "./ami-store.ts";

const T0 = 1_717_200_000; // 2024-06-01 00:00 UTC
const month = (wh: (i: number) => number): AmiInterval[] =>
  Array.from({ length: 2880 }, (_, i) => ({ start: (T0 + i * 900) as UtcSeconds, lengthS: 900, wh: wh(i) }));

test("a month of 15-minute intervals, delivered twice and with repeats, is stored once with the last values", async () => {
  const db = await openTestStore({ sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS });
  await ensureMonthPartitions(db, T0);
  const ami = new AmiStore(db, { now: () => T0 as UtcSeconds });
  assert.ok(month(() => 1).length >= AMI_COPY_FROM, "large enough for the COPY path");
  assert.equal(await ami.intake("P1", month((i) => i % 7)), { stored: 2880, duplicate: 0, corrected: 0 });
  // Re-delivery with corrections, and interval 5 repeated within the batch: the later copy wins.
  const again = [...month((i) => 100 + i), { start: (T0 + 5 * 900) as UtcSeconds, lengthS: 900, wh: 999 }];
  assert.equal(await ami.intake("P1", again), { stored: 0, duplicate: 0, corrected: 2881 }, "every interval corrected, interval 5 twice");
  const n = await db.get<{ n: number; wh: number }>("SELECT COUNT(*) AS n, SUM(energy_wh) AS wh FROM ami_intervals WHERE premises_id = ?", "P1");
  assert.is(n!.n, 2880);
  assert.is(n!.wh, Array.from({ length: 2880 }, (_, i) => (i === 5 ? 999 : 100 + i)).reduce((a, b) => a + b, 0));
  assert.is(await ami.energyOver("P1", (T0 + 5 * 900) as UtcSeconds, 900), 999);
  // A small batch (multi-row path) with a repeat, at another premises: separate rows, last value kept.
  await ami.intake("P2", [{ start: T0 as UtcSeconds, lengthS: 900, wh: 1 }, { start: T0 as UtcSeconds, lengthS: 900, wh: 2 }]);
  assert.equal(await db.all("SELECT energy_wh FROM ami_intervals WHERE premises_id = ?", "P2"), [{ energy_wh: 2 }]);
  await db.dispose();
});

test("two deliveries of the same new range at once (a head-end takes deliveries concurrently): stored once, the other a duplicate", async () => {
  const db = await openTestStore({ sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS });
  await ensureMonthPartitions(db, T0);
  const ami = new AmiStore(db, { now: () => T0 as UtcSeconds });
  // On PostgreSQL both read an empty range and COPY straight in; the later one meets a unique violation, rolls back to
  // its savepoint and is judged again against the rows the first stored.
  const both = await Promise.all([ami.intake("P1", month((i) => i % 9)), ami.intake("P1", month((i) => i % 9))]);
  assert.equal(both.map((c) => c.stored).sort(), [0, 2880]);
  assert.equal(both.map((c) => c.duplicate).sort(), [0, 2880]);
  // A correction racing a new delivery of the same range: whichever lands second corrects or duplicates, never doubles.
  const mixed = await Promise.all([ami.intake("P2", month(() => 5)), ami.intake("P2", month(() => 6))]);
  assert.equal(mixed.map((c) => c.stored + c.corrected).sort(), [2880, 2880]);
  const n = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM ami_intervals WHERE premises_id IN (?, ?)", "P1", "P2");
  assert.is(n!.n, 2 * 2880);
  await db.dispose();
});

test("an interval not aligned to its length is refused, naming the index; nothing of the batch is stored", async () => {
  const db = await openTestStore({ sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS });
  const ami = new AmiStore(db, { now: () => T0 as UtcSeconds });
  const bad = month(() => 1);
  bad[2500] = { start: (T0 + 2500 * 900 + 60) as UtcSeconds, lengthS: 900, wh: 1 };
  try {
    await ami.intake("P1", bad);
    assert.unreachable("misaligned interval accepted");
  } catch (e) {
    assert.match((e as Error).message, /not aligned/);
    assert.is((e as { path?: string }).path, "intervals[2500].start");
  }
  assert.is((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM ami_intervals WHERE premises_id = ?", "P1"))!.n, 0);
  await db.dispose();
});

test.run();
