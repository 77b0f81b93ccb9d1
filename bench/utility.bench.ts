// Utility head-end benchmarks, on loopback with the head-end in its own process (as deployed), on SQLite; with
// BENCH_ENGINE=postgres (bench/utility-pg.bench.ts) the same figures as utility.pg.* against a fresh schema of the
// PostgreSQL test server:
//   utility.session_intake_per_s  16-interval session reports accepted per second (signed, validated, rated, posted)
//   utility.session_intake_batched_per_s  the same through the batch route, 100 sessions per signed request
//   utility.session_intake_cpu_per_report.head_end|database  CPU µs per report of that batch run: the head-end's
//                                 process, and on PostgreSQL the database backends serving it
//   utility.binding_rtt_p99_ms    re-binding round trip, 99th percentile, one request at a time
//   utility.binding_rtt_under_intake_p99_ms  the same while 8 hubs keep sending 16-interval session reports
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchDbArgs, enrollBenchHub, startBenchUtility } from "./support/bench-utility.ts";
import { TEST_PG_URL, testDatabase } from "../core/storage/testing/index.ts";
import { cpuMeter, postgresBackends } from "./support/process-cpu.ts";
import { RealClock } from "../core/time/index.ts";
import type { HubId, PremisesId } from "../core/ids/index.ts";
import type { Vin } from "../core/ids/index.ts";
import { UtilityClient } from "../edge/sync/index.ts";
import { sessionReport } from "../cloud-sync/utility/test-support.ts";
import { signRequest } from "../cloud-sync/protocol/index.ts";
import { SESSION_BATCH_PATH } from "../cloud-sync/utility/http/index.ts";
import type { KeyObject } from "node:crypto";

const DURATION_MS = Number(process.env.BENCH_INTAKE_MS ?? 5000);
const CONCURRENCY = 64;
// Every hub reports its own vehicle's sessions back to back in time (one energy window, one charge): 64 hubs keep
// each hub's history within a few months. Sessions are fallback sessions (default rate, no binding needed), so
// the head-end's plausibility, ownership and overlap checks run on every report.
const HUBS = 64;

const PG = process.env.BENCH_ENGINE === "postgres";
const NAME = PG ? "utility.pg" : "utility";
if (PG) process.env.OFFPEAK_TEST_DB = "postgres";
const database = PG ? await testDatabase() : null;
const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
const u = await startBenchUtility(dir, process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [], benchDbArgs(dir, database?.schema));
const utility = u.process;

try {
  const { url } = u;
  const clock = new RealClock();
  const hubs: { client: UtilityClient; premisesId: string; vin: string; hubId: string; key: KeyObject; sessions: number }[] = [];
  for (let i = 0; i < HUBS; i++) {
    const { n, vin, privateKey } = await enrollBenchHub(u, i);
    const keys = { privateKey };
    hubs.push({ client: new UtilityClient({ baseUrl: url, hubId: `H${n}` as HubId, privateKey: keys.privateKey, clock }), premisesId: `P${n}`, vin, hubId: `H${n}`, key: keys.privateKey, sessions: 0 });
  }

  // Session intake: CONCURRENCY workers, each sending fresh 16-interval sessions until the time is up.
  const start0 = Math.floor(Date.now() / 1000 / 900) * 900 - 86_400 * 2;
  // The hub's next session: 4 hours (16 × 15 min) before its previous one, so no two of a hub's sessions overlap.
  const report = (hub: (typeof hubs)[number]) => sessionReport({
    sessionId: `B-${seq++}`, hubId: hub.hubId, premisesId: hub.premisesId, utilityId: "UTIL-BENCH", vin: hub.vin,
    start: start0 - hub.sessions++ * 14_400, wh, rate: "default", fallbackReason: "comm-timeout",
  });
  let seq = 0, accepted = 0, other = 0;
  const wh = Array.from({ length: 16 }, (_, i) => 1500 + i);
  const deadline = performance.now() + DURATION_MS;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    const hub = hubs[w % HUBS]!;
    while (performance.now() < deadline) {
      const receipt = await hub.client.sendSessionReport(report(hub));
      if (receipt.outcome === "accepted") accepted++;
      else other++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  if (other) console.error(`(${other} sessions not accepted)`);
  console.log(`${NAME}.session_intake_per_s: ${Math.round(accepted / secs)} 1/s`);

  // The same through the batch route: 100 sessions per signed request, 8 requests in flight. The CPU the head-end
  // (and on PostgreSQL the database's backends) spent per report is measured too: unlike the rate, it does not move
  // with the other work on a shared machine.
  const BATCH = 100;
  let batchedAccepted = 0;
  const headEndCpu = cpuMeter(async () => [utility.proc.pid]);
  const databaseCpu = cpuMeter(async () => PG ? postgresBackends(TEST_PG_URL, `offpeak-utility:${database!.schema}`) : []);
  await headEndCpu.start();
  await databaseCpu.start();
  const deadline2 = performance.now() + DURATION_MS;
  const t1 = performance.now();
  let batchNo = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < deadline2) {
      const hub = hubs[batchNo++ % HUBS]!;
      const reports = Array.from({ length: BATCH }, () => report(hub));
      const body = JSON.stringify({ v: 1, reports });
      const headers = signRequest({ method: "POST", path: SESSION_BATCH_PATH, body, hubId: hub.hubId as HubId, privateKey: hub.key, time: clock.now() });
      const res = await fetch(`${url}${SESSION_BATCH_PATH}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
      if (!res.ok) throw new Error(`batch: HTTP ${res.status} ${await res.text()}`);
      const out = (await res.json()) as { results: { outcome?: string }[] };
      batchedAccepted += out.results.filter((r) => r.outcome === "accepted").length;
    }
  }));
  console.log(`${NAME}.session_intake_batched_per_s: ${Math.round(batchedAccepted / ((performance.now() - t1) / 1000))} 1/s`);
  const perReport = (cpuS: number) => Math.round((cpuS * 1e6) / Math.max(1, batchedAccepted));
  console.log(`${NAME}.session_intake_cpu_per_report.head_end: ${perReport(await headEndCpu.stop())} us`);
  if (PG) console.log(`${NAME}.session_intake_cpu_per_report.database: ${perReport(await databaseCpu.stop())} us`);

  // Binding round trip: commission once, then sequential re-binding requests.
  const hub = hubs[0]!;
  const req = (path: "commissioning" | "rebinding") => ({ v: 1 as const, hubId: hub.hubId as HubId, premisesId: hub.premisesId as PremisesId, vin: hub.vin as Vin, path, pevProofOk: path === "rebinding", at: clock.now() });
  await hub.client.validateBinding(req("commissioning"));
  for (let i = 0; i < 100; i++) await hub.client.validateBinding(req("rebinding")); // warm-up
  const rtts: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    const a = await hub.client.validateBinding(req("rebinding"));
    rtts.push(performance.now() - s);
    if (a.status !== "enrolled") throw new Error(`unexpected binding answer ${a.status}`);
  }
  rtts.sort((a, b) => a - b);
  console.log(`${NAME}.binding_rtt_p99_ms: ${rtts[Math.floor(rtts.length * 0.99)]!.toFixed(2)} ms`);
  console.log(`${NAME}.binding_rtt_p50_ms: ${rtts[Math.floor(rtts.length * 0.5)]!.toFixed(2)} ms`);

  // Under intake load: 8 hubs (not the one binding) send session reports back to back while the bindings are timed.
  let loaded = true, underLoadAccepted = 0;
  const t2 = performance.now();
  const load = Promise.all(hubs.slice(1, 9).map(async (h) => {
    while (loaded) if ((await h.client.sendSessionReport(report(h))).outcome === "accepted") underLoadAccepted++;
  }));
  const loadedRtts: number[] = [];
  for (let i = 0; i < 500; i++) {
    const s = performance.now();
    await hub.client.validateBinding(req("rebinding"));
    loadedRtts.push(performance.now() - s);
  }
  loaded = false;
  await load;
  loadedRtts.sort((a, b) => a - b);
  console.log(`${NAME}.binding_rtt_under_intake_p99_ms: ${loadedRtts[Math.floor(loadedRtts.length * 0.99)]!.toFixed(2)} ms`);
  console.log(`${NAME}.session_intake_8_hubs_per_s: ${Math.round(underLoadAccepted / ((performance.now() - t2) / 1000))} 1/s`);
} finally {
  await utility.stop();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
}
