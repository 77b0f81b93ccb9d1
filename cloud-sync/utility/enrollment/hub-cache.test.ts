// Two head-end workers share one database (issue 15): a hub unpaired through one must stop being trusted by the
// other within WORKER_CACHE_MS, not when that worker happens to restart. Written as the attacker whose hub was unpaired
// (a stolen or resold hub) and who keeps sending to the worker that cached its key.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openSqlStore, type SqlStore } from "../../../core/storage/index.ts";
import { testDatabase, type TestDatabase } from "../../../core/storage/testing/index.ts";
import { TestClock } from "../../../core/time/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair } from "../../protocol/index.ts";
import { UTILITY_MIGRATIONS } from "../db/migrations.ts";
import { UTILITY_PG_MIGRATIONS } from "../db/postgres-migrations.ts";
import { EnrollmentStore } from "./enrollment-store.ts";
import { WORKER_CACHE_MS } from "../worker-cache.ts";

let database: TestDatabase;
const stores: SqlStore[] = [];
const open = async () => {
  const db = await openSqlStore(database.target, { sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS }, database.schema ? { schema: database.schema } : {});
  stores.push(db);
  return db;
};
test.before(async () => { database = await testDatabase(); });
test.after(async () => {
  for (const s of stores) await s.close();
  await database.drop();
});

test("FR-08, issue 15: a hub unpaired through one head-end worker is refused by another within WORKER_CACHE_MS", async () => {
  const clock = new TestClock(Date.UTC(2024, 5, 3));
  let ms = 0;
  const workerA = new EnrollmentStore(await open(), clock, { monotonicMs: () => ms });
  const workerB = new EnrollmentStore(await open(), clock);
  await workerB.upsertCustomer({ id: "C1" as never, name: "One" });
  await workerB.createAccount("A1", "C1");
  await workerB.upsertPremises({ id: "P1" as never, accountId: "A1" as never, address: "1 Main St", defaultTariffId: "pge-e-tou-c" });
  await workerB.pairHub({ hubId: "HUB-1", premisesId: "P1", publicKeyPem: exportPublicKeyPem(generateEd25519KeyPair().publicKey) });
  assert.is((await workerA.hub("HUB-1"))?.active, true, "worker A reads and caches the pairing");
  await workerB.unpairHub("HUB-1");
  ms += WORKER_CACHE_MS - 1;
  assert.is((await workerA.hub("HUB-1"))?.active, true, "still cached: the bound is WORKER_CACHE_MS, not zero");
  ms += 2;
  assert.is((await workerA.hub("HUB-1"))?.active, false, "read again after WORKER_CACHE_MS: the unpairing is seen");
});

test.run();
