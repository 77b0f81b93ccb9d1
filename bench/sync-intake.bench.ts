// Hub → utility session intake end to end: hubs' durable outboxes drained by their SyncWorkers (batching session
// reports, as deployed) into the real head-end running in its own process, on loopback.
//   utility.session_intake_via_outbox_per_s  16-interval sessions accepted by the head-end per second
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../core/time/clock.ts";
import type { HubId } from "../core/ids/ids.ts";
import { Outbox } from "../cloud-sync/hub/outbox.ts";
import { SyncWorker } from "../cloud-sync/hub/sync-worker.ts";
import { UtilityClient } from "../cloud-sync/hub/utility-client.ts";
import { exportPublicKeyPem, generateEd25519KeyPair } from "../cloud-sync/protocol/keys.ts";
import { makeVin, sessionReport } from "../cloud-sync/utility/test-support.ts";

const OP = "bench-operator-token";
const HUBS = 8;
const SESSIONS_PER_HUB = Number(process.env.BENCH_SESSIONS_PER_HUB ?? 2500);

const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
const proc = Bun.spawn([process.execPath, "cloud-sync/utility/main.ts", "--port", "0", "--db", join(dir, "utility.db"), "--utility-id", "UTIL-BENCH", "--operator-token", OP],
  { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
const dbs: Database[] = [];
try {
  const url = await (async () => {
    const reader = proc.stdout.getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`utility did not start: ${text}`);
      text += new TextDecoder().decode(value);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) return m[1]!;
    }
  })();
  const op = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${OP}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await op("PUT", "/v1/operator/programs/ev", { name: "EV", tariffId: "sce-tou-d-prime" });
  const clock = new RealClock();
  const start0 = Math.floor(Date.now() / 1000 / 900) * 900 - 86_400 * 2;
  const wh = Array.from({ length: 16 }, (_, i) => 1500 + i);
  const workers: { worker: SyncWorker; outbox: Outbox }[] = [];
  let total = 0;
  for (let i = 0; i < HUBS; i++) {
    const n = String(i).padStart(3, "0");
    const vin = makeVin(`5YJ3E1EA7KF31${n}`);
    await op("POST", "/v1/operator/customers", { id: `C${n}`, name: `Bench ${n}` });
    await op("POST", "/v1/operator/accounts", { id: `A${n}`, customerId: `C${n}` });
    await op("POST", "/v1/operator/premises", { id: `P${n}`, accountId: `A${n}`, address: "Bench", defaultTariffId: "pge-e-tou-c" });
    await op("POST", "/v1/operator/pevs", { vin, accountId: `A${n}` });
    await op("POST", "/v1/operator/enrollments", { vin, premisesId: `P${n}`, programId: "ev" });
    const keys = generateEd25519KeyPair();
    await op("POST", "/v1/operator/hubs", { hubId: `H${n}`, premisesId: `P${n}`, publicKeyPem: exportPublicKeyPem(keys.publicKey) });
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
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
