// Hub → utility session intake end to end: hubs' durable outboxes drained by their SyncWorkers (batching session
// reports, as deployed) into the real head-end running in its own process, on loopback.
//   utility.session_intake_via_outbox_per_s  16-interval sessions accepted by the head-end per second
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enrollBenchHub, startBenchUtility } from "./support/bench-utility.ts";
import { RealClock } from "../core/time/index.ts";
import type { HubId } from "../core/ids/index.ts";
import { Outbox } from "../edge/sync/index.ts";
import { SyncWorker } from "../edge/sync/index.ts";
import { UtilityClient } from "../edge/sync/index.ts";
import { sessionReport } from "../cloud-sync/utility/test-support.ts";

const HUBS = 8;
const SESSIONS_PER_HUB = Number(process.env.BENCH_SESSIONS_PER_HUB ?? 2500);

const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
const u = await startBenchUtility(dir);
const utility = u.process;
const dbs: Database[] = [];
try {
  const { url } = u;
  const clock = new RealClock();
  const start0 = Math.floor(Date.now() / 1000 / 900) * 900 - 86_400 * 2;
  const wh = Array.from({ length: 16 }, (_, i) => 1500 + i);
  const workers: { worker: SyncWorker; outbox: Outbox }[] = [];
  let total = 0;
  for (let i = 0; i < HUBS; i++) {
    const { n, vin, privateKey } = await enrollBenchHub(u, i);
    const keys = { privateKey };
    // Each hub's own on-disk store, as on a hub (WAL).
    const db = new Database(join(dir, `hub-${n}.sqlite`));
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    dbs.push(db);
    const outbox = new Outbox(db, { clock });
    db.transaction(() => {
      for (let k = 0; k < SESSIONS_PER_HUB; k++) {
        outbox.enqueue({ kind: "session-report", body: sessionReport({ sessionId: `V-${n}-${k}`, hubId: `H${n}`, premisesId: `P${n}`, utilityId: "UTIL-BENCH", vin, start: start0 - (k % 500) * 14_400, wh }) });
      }
    })();
    total += SESSIONS_PER_HUB;
    const client = new UtilityClient({ baseUrl: url, hubId: `H${n}` as HubId, privateKey: keys.privateKey, clock });
    workers.push({ outbox, worker: new SyncWorker({ outbox, client, clock }) });
  }

  const t0 = performance.now();
  await Promise.all(workers.map(async ({ worker, outbox }) => {
    const r = await worker.drainNow();
    if (r.stopped || r.rejected || outbox.stats().depth !== 0) throw new Error(`drain incomplete: ${JSON.stringify(r)}`);
  }));
  const secs = (performance.now() - t0) / 1000;
  console.log(`utility.session_intake_via_outbox_per_s: ${Math.round(total / secs)} 1/s`);
} finally {
  for (const db of dbs) db.close();
  await utility.stop();
  rmSync(dir, { recursive: true, force: true });
}
