// The hub side of bench/ocpp.bench.ts, in its own process so its CPU and RSS are its own: a whole hub
// (startHubProcess) with N OCPP charge points — [devices.charger] and N-1 [[charge_points]] — each driven by its own
// session engine (hold at plug-in, 60 s comm-wait, fallback, allow; intervals from its own MeterValues into the
// store). No utility (the fallback path) and no dashboard, as a hub in a shared garage might run between syncs.
// Prints "ready <ocpp port>" and then a JSON line of figures every second of real time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processClock } from "../../core/time/clock.ts";
import { parseConfig } from "../../edge/config/index.ts";
import { startHubProcess } from "../../edge/hub/index.ts";

const n = Number(process.argv[2] ?? 200);
const password = "bench-password-0123";
const clock = processClock(process.env.OFFPEAK_SIM_CLOCK);
const dir = mkdtempSync(join(tmpdir(), "offpeak-ocpp-bench-"));
const ocppCharger = (i: number) => ({ driver: "ocpp", charge_point_id: `CP${i}`, password, meter_is_eumd: true });
const config = parseConfig({
  hub: { port: 0, data_dir: dir, poll_ms: 1000 },
  pevlink: { port: 0 },
  session: { comm_wait_s: 60 },
  devices: { charger: ocppCharger(0), eumd: { driver: "none" }, premises_meter: { driver: "none" } },
  charge_points: Array.from({ length: n - 1 }, (_, i) => ({ id: `bay-${i + 1}`, charger: ocppCharger(i + 1) })),
  ocpp: { host: "127.0.0.1", port: 0, meter_value_sample_interval_s: 10 },
}, "bench");
let lines = 0;
const hub = await startHubProcess(config, { sync: false, dashboard: false, clock, log: () => { lines++; } });
const cs = hub.ocpp!.central;
console.log(`ready ${new URL(cs.url).port}`);
const timer = setInterval(() => {
  const m = cs.messageCounts();
  const sessions = hub.hubs.filter((h) => h.snapshot().session !== null).length;
  console.log(JSON.stringify({
    in: m.in, out: m.out, cpuUs: process.cpuUsage().user + process.cpuUsage().system, rss: process.memoryUsage().rss,
    connected: [...cs.sessions.values()].filter((s) => s.connected).length, engines: hub.hubs.length, sessions,
    stored: hub.store.sessionRevisions().length, logLines: lines,
  }));
}, 1000);
process.on("SIGTERM", () => { clearInterval(timer); void hub.stop().finally(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); }); });
