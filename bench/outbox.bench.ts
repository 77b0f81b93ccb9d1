// Outbox drain after a week offline, against a loopback receiver that checks signatures and schemas.
// Workload: one charge point charging a week of one-minute intervals (10,080), grouped in one-hour sessions,
// each session reported as 4 revisions (superseded to the last while offline) plus a PEV acknowledgement.
// Figures: messages/s and intervals/s drained, one request per message (`drain_per_s`) and with session reports
// of different sessions batched into one request (`drain_batched_per_s`, as the SyncWorker does); the hub
// database's size on disk after the week (MiB).
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../core/time/index.ts";
import type { SessionId } from "../core/ids/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import type { Wh } from "../core/units/index.ts";
import { generateEd25519KeyPair } from "../cloud-sync/protocol/index.ts";
import { EXAMPLE_IDS, examplePevAck, exampleSessionReport } from "../cloud-sync/protocol/index.ts";
import type { MeteredInterval } from "../cloud-sync/protocol/index.ts";
import { Outbox, type DrainBatching } from "../edge/sync/index.ts";
import type { SessionReport } from "../cloud-sync/protocol/index.ts";
import { UtilityClient } from "../edge/sync/index.ts";
import { FakeUtility } from "../edge/sync/testing/fake-utility.ts";

const clock = new RealClock();
const hubKey = generateEd25519KeyPair();
const SESSIONS = 7 * 24;
const MINUTES = 60;

function fillWeek(outbox: Outbox): number {
  const t0 = Math.floor(clock.now() / 86_400) * 86_400 - 7 * 86_400;
  let intervals = 0;
  for (let s = 0; s < SESSIONS; s++) {
    const id = `bench-${s}` as SessionId;
    const start = (t0 + s * MINUTES * 60) as UtcSeconds;
    outbox.enqueue({ kind: "ack", body: examplePevAck({ sessionId: id }) });
    for (let rev = 1; rev <= 4; rev++) {
      const done = (MINUTES / 4) * rev;
      const list: MeteredInterval[] = Array.from({ length: done }, (_, i) => ({ start: (start + i * 60) as UtcSeconds, lengthS: 60, wh: (110 + (i % 9)) as Wh, quality: "ok" }));
      const final = rev === 4;
      outbox.enqueue({
        kind: "session-report",
        body: exampleSessionReport({ sessionId: id, revision: rev, pluggedAt: start, unpluggedAt: final ? ((start + done * 60) as UtcSeconds) : null, final, intervals: list, totalWh: list.reduce((a, i) => a + i.wh, 0) as Wh }),
      });
      if (final) intervals += list.length;
    }
  }
  return intervals;
}

const fake = new FakeUtility(new Map([[EXAMPLE_IDS.hubId, hubKey.publicKey]]), clock).start();
const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
try {
  const rates: number[] = [];
  const intervalRates: number[] = [];
  const batchedRates: number[] = [];
  let diskMb = 0;
  let messages = 0;
  for (let run = 0; run < 6; run++) {
    const batched = run % 2 === 1;
    const path = join(dir, `hub-${run}.sqlite`);
    const db = new Database(path);
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    const outbox = new Outbox(db, { clock });
    const intervals = fillWeek(outbox);
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    const size = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    diskMb = size / (1024 * 1024);
    messages = outbox.stats().depth;
    const client = new UtilityClient({ baseUrl: fake.url, hubId: EXAMPLE_IDS.hubId, privateKey: hubKey.privateKey, clock });
    const t = performance.now();
    const batch: DrainBatching | undefined = batched
      ? { kinds: ["session-report"], send: (es) => client.deliverSessionReports(es.map((e) => e.body as SessionReport)) }
      : undefined;
    const r = await outbox.drain((e) => client.deliver(e), { concurrency: 4, batch });
    const s = (performance.now() - t) / 1000;
    if (r.delivered !== messages || outbox.stats().depth !== 0) throw new Error(`drain incomplete: ${JSON.stringify(r)}`);
    if (batched) {
      batchedRates.push(messages / s);
    } else {
      rates.push(messages / s);
      intervalRates.push(intervals / s);
    }
    db.close();
  }
  const best = (xs: number[]) => Math.round([...xs].sort((a, b) => b - a)[0]!);
  console.log(`outbox.week_offline_messages: ${messages} 1`);
  console.log(`outbox.drain_per_s: ${best(rates)} 1/s`);
  console.log(`outbox.drain_intervals_per_s: ${best(intervalRates)} 1/s`);
  console.log(`outbox.drain_batched_per_s: ${best(batchedRates)} 1/s`);
  console.log(`outbox.week_offline_disk_mb: ${diskMb.toFixed(3)} MiB`);
} finally {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
