// Issue 18 figures: the hub's footprint as it ships (the `bun build --compile` executable, built here for x64 the way
// `npm run build:pi` builds it for arm64) and as `bun system/cli/offpeak.ts hub` runs it, on three configurations:
//   default   no config file (Modbus devices at 127.0.0.1:1502, nobody there: they stay offline and reconnect)
//   modbus    the simulator's EVSE, EUMD and premises meter over Modbus TCP, polled every second (docs/raspberry-pi.md)
//   ocpp-mqtt the same meters, the charger over OCPP 1.6J (the simulator as a charge point), MQTT on (Mosquitto :1883)
// Per runner and configuration: cold start (spawn to the first /healthz answer, median of 3), then idle for a window:
// RSS (and its anonymous part: what the kernel cannot drop) and CPU share of one core.
// Then per runner on `modbus`: bytes written per hour idle and while charging (1-s polling, 60x simulated time), and a simulated
// day of sessions at high speed, RSS before and after (no growth).
// And Bun's own floor: a bare Bun.serve, and the Bun runtime parts a hub uses with no Offpeak code
// (bench/support/bun-floor.ts), compiled the same way: bun.idle_rss_mb.binary.<serve_only|hub_runtime>.
// Names: hub.<figure>.<runner>.<config>. Knobs: FOOTPRINT_ONLY=binary|source runs one runner; FOOTPRINT_EXE=path uses
// that executable instead of building one; FOOTPRINT_CONFIGS=default,modbus picks configurations; FOOTPRINT_PARTS=
// floor,idle,disk,day picks the measurements (all by default).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnChild, spawnOffpeak, type ChildProcess } from "../system/testing/child-processes.test-support.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "offpeak-footprint-"));
const HZ = 100; // USER_HZ on Linux
const IDLE_WINDOW_S = 15;

const only = process.env.FOOTPRINT_ONLY;
const configs = (process.env.FOOTPRINT_CONFIGS ?? "default,modbus,ocpp-mqtt").split(",");
const parts = new Set((process.env.FOOTPRINT_PARTS ?? "floor,idle,disk,day").split(","));

// The executable, built exactly as scripts/build-pi.ts builds it (unless FOOTPRINT_EXE names one).
let exe = process.env.FOOTPRINT_EXE;
if (!exe) {
  const build = Bun.spawn([process.execPath, "scripts/build-pi.ts", "--target", "x64", "--out", join(dir, "dist")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if ((await build.exited) !== 0) throw new Error(`build-pi failed: ${await new Response(build.stderr).text()}`);
  exe = join(dir, "dist", "offpeak-linux-x64");
}
console.log(`hub.binary_mb: ${(statSync(exe).size / 1e6).toFixed(1)} MB`);

const runners: Record<string, string[]> = { binary: [exe], source: [process.execPath, join(ROOT, "system/cli/offpeak.ts")] };

const proc = (pid: number, file: string) => readFileSync(`/proc/${pid}/${file}`, "utf8");
const kb = (status: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
const cpuTicks = (pid: number) => { const f = proc(pid, "stat").split(") ")[1]!.split(" "); return Number(f[11]) + Number(f[12]); };
const writeBytes = (pid: number) => Number(/write_bytes:\s+(\d+)/.exec(proc(pid, "io"))![1]);
const print = (name: string, value: number, unit: string, digits = 1) => console.log(`${name}: ${value.toFixed(digits)} ${unit}`);

// The simulator on Modbus TCP, and a second one whose EVSE is an OCPP charge point (for ocpp-mqtt).
const [simPort, simHttp, ocppPort, ocppSimPort, ocppSimHttp] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
const passwordFile = join(dir, "cp-password");
writeFileSync(passwordFile, "footprint-bench-0123\n");
const sim = spawnOffpeak("sim", ["sim", "--port", String(simPort), "--http-port", String(simHttp)]);
await sim.waitFor(new RegExp(String(simHttp)), 30_000);

const meter = (unit: number, map: string) => `driver = "modbus"\nmap = "${map}"\ntransport = { kind = "tcp", host = "127.0.0.1", port = ${simPort}, unit_id = ${unit} }\n`;
const modbusConfig = (dataDir: string, pollMs = 1000) => `[hub]\nport = 0\ndata_dir = "${dataDir}"\npoll_ms = ${pollMs}\n[pevlink]\nport = 0\n[utility]\nurl = "http://127.0.0.1:9"\n` +
  `[devices.charger]\n${meter(1, "offpeak-sim-evse")}[devices.eumd]\n${meter(2, "eastron-sdm120")}[devices.premises_meter]\n${meter(3, "eastron-sdm630")}`;
const ocppMqttConfig = (dataDir: string) => `[hub]\nport = 0\ndata_dir = "${dataDir}"\npoll_ms = 1000\n[pevlink]\nport = 0\n[utility]\nurl = "http://127.0.0.1:9"\n` +
  `[ocpp]\nhost = "127.0.0.1"\nport = ${ocppPort}\n[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "SIM-CP-1"\npassword_file = "${passwordFile}"\n` +
  `[devices.eumd]\n${meter(2, "eastron-sdm120")}[devices.premises_meter]\n${meter(3, "eastron-sdm630")}` +
  `[mqtt]\nurl = "mqtt://127.0.0.1:1883"\nbase_topic = "offpeak/footprint-bench"\n`;

interface Hub { child: ChildProcess; url: string; pid: number }

/** Starts the hub; resolves at its first /healthz answer with the time that took. */
async function startHub(runner: string[], name: string, config: string | null, dataDir: string, env: Record<string, string> = {}): Promise<Hub & { ms: number }> {
  const cfgArgs = config === null ? [] : ["--config", join(dir, `${name}.toml`)];
  if (config !== null) writeFileSync(cfgArgs[1]!, config);
  const t0 = performance.now();
  // Defaults take their ports from the environment: any free port, and no utility (nothing listens on :9).
  const child = spawnChild(name, [...runner, "hub", ...cfgArgs, "--data-dir", dataDir], {
    ...(config === null ? { OFFPEAK_HUB_PORT: "0", OFFPEAK_PEVLINK_PORT: "0", OFFPEAK_UTILITY_URL: "http://127.0.0.1:9" } : {}), ...env,
  }, dir);
  const url = (await child.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
  for (;;) { try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ } await Bun.sleep(2); }
  return { child, url, pid: child.proc.pid, ms: performance.now() - t0 };
}

/**
 * A simulator of its own and a hub polling it over Modbus every `pollMs`, both on one clock `speed` times faster than
 * real; resolves 3 s after the hub first answered (its start settled).
 */
async function spedUpWorld(runner: string[], name: string, speed: number, pollMs: number): Promise<{ sim: ChildProcess; simHttp: number; hub: Hub }> {
  const env = { OFFPEAK_SIM_CLOCK: `${speed},${Date.now()},${Date.now()}` };
  const [port, http] = [await freePort(), await freePort()];
  const sim = spawnOffpeak(`sim-${name}`, ["sim", "--port", String(port), "--http-port", String(http)], env);
  await sim.waitFor(new RegExp(String(http)), 30_000);
  const dataDir = join(dir, name);
  const hub = await startHub(runner, `hub-${name}`, modbusConfig(dataDir, pollMs).replaceAll(`port = ${simPort}`, `port = ${port}`), dataDir, env);
  await Bun.sleep(3000);
  return { sim, simHttp: http, hub };
}

/** RSS (max over the window), its anonymous part, CPU share of one core and disk writes per hour, over `seconds`. */
async function observe(pid: number, seconds: number, simSpeed = 1) {
  const [t0, w0, c0] = [performance.now(), writeBytes(pid), cpuTicks(pid)];
  let rss = 0, anon = 0, file = 0;
  for (let i = 0; i < seconds; i++) {
    await Bun.sleep(1000);
    const s = proc(pid, "status");
    rss = Math.max(rss, kb(s, "VmRSS") / 1024);
    anon = Math.max(anon, kb(s, "RssAnon") / 1024);
    file = Math.max(file, kb(s, "RssFile") / 1024);
  }
  const wallS = (performance.now() - t0) / 1000;
  return { rss, anon, file, cpuPct: ((cpuTicks(pid) - c0) / HZ / wallS) * 100, kbPerSimHour: ((writeBytes(pid) - w0) / 1024) * (3600 / (wallS * simSpeed)) };
}

/** Bun's floor: bench/support/bun-floor.ts compiled as build-pi compiles the hub, idle RSS after the same settling. */
async function bunFloor(): Promise<void> {
  const outfile = join(dir, "bun-floor");
  const built = await Bun.build({ entrypoints: [join(ROOT, "bench/support/bun-floor.ts")], minify: true, bytecode: true, format: "esm", compile: { target: "bun-linux-x64", outfile } });
  if (!built.success) throw new Error(`bun-floor build failed: ${built.logs.map(String).join("; ")}`);
  for (const [name, floor] of [["serve_only", "bare"], ["hub_runtime", "runtime"]] as const) {
    const child = spawnChild(`floor-${name}`, [outfile], { FLOOR: floor, FLOOR_DIR: dir }, dir);
    const url = (await child.waitFor(/listening on (http:\/\/[\d.:]+)/, 30_000))[1]!;
    await fetch(url);
    await Bun.sleep(5000);
    const idle = await observe(child.proc.pid, IDLE_WINDOW_S);
    print(`bun.idle_rss_mb.binary.${name}`, idle.rss, "MB");
    print(`bun.idle_anon_rss_mb.binary.${name}`, idle.anon, "MB");
    await child.stop();
  }
}
if (parts.has("floor") && only !== "source") await bunFloor();

async function simControl(http: number, path: string, body: unknown = {}) {
  const r = await fetch(`http://127.0.0.1:${http}${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`sim ${path}: ${r.status} ${await r.text()}`);
}

for (const [runnerName, runner] of Object.entries(runners)) {
  if (only && only !== runnerName) continue;
  for (const config of ["default", "modbus", "ocpp-mqtt"] as const) {
    if (!parts.has("idle") || !configs.includes(config)) continue;
    const tag = `${runnerName}.${config}`;
    let ocppSim: ChildProcess | null = null;
    const starts: number[] = [];
    let hub: Hub | null = null;
    for (let i = 0; i < 3; i++) {
      const dataDir = join(dir, `${tag}-data`);
      rmSync(dataDir, { recursive: true, force: true }); // a cold start: keys, store and migrations made anew
      const text = config === "default" ? null : config === "modbus" ? modbusConfig(dataDir) : ocppMqttConfig(dataDir);
      const h = await startHub(runner, `hub-${tag}`, text, dataDir);
      starts.push(h.ms);
      if (i < 2) await h.child.stop(); else hub = h;
    }
    starts.sort((a, b) => a - b);
    print(`hub.cold_start_ms.${tag}`, starts[1]!, "ms", 0);
    if (config === "ocpp-mqtt") {
      ocppSim = spawnOffpeak("ocpp-sim", ["sim", "--port", String(ocppSimPort), "--http-port", String(ocppSimHttp), "--ocpp-url", `ws://127.0.0.1:${ocppPort}/ocpp/`, "--ocpp-id", "SIM-CP-1", "--ocpp-password-file", passwordFile]);
      await ocppSim.waitFor(new RegExp(String(ocppSimHttp)), 30_000);
    }
    await Bun.sleep(5000); // settle: first polls, the charge point's boot, MQTT discovery, JIT warm-up
    const idle = await observe(hub!.pid, IDLE_WINDOW_S);
    print(`hub.idle_rss_mb.${tag}`, idle.rss, "MB");
    print(`hub.idle_anon_rss_mb.${tag}`, idle.anon, "MB");
    print(`hub.idle_file_rss_mb.${tag}`, idle.file, "MB");
    print(`hub.idle_cpu_pct_one_core.${tag}`, idle.cpuPct, "%", 2);
    await hub!.child.stop();
    await ocppSim?.stop();
  }

  // Disk writes with 1-s polling, idle and then charging: hub and simulator share a clock 60x faster than real, so
  // each 15-s window is a simulated quarter hour (one interval closes in it; real time would show nothing at all).
  if (parts.has("disk")) {
    const SPEED = 60;
    const { sim: simC, simHttp: chargingHttp, hub } = await spedUpWorld(runner, `${runnerName}-charging`, SPEED, 1000);
    const idle = await observe(hub.pid, IDLE_WINDOW_S, SPEED);
    print(`hub.disk_write_kb_per_h.idle.${runnerName}.modbus`, idle.kbPerSimHour, "KB/h", 0);
    await simControl(chargingHttp, "/plug", { vin: "1FTFW1E50PFA00001", socPct: 10, batteryWh: 200_000 });
    // The comm-wait window (60 s simulated) passes with no utility; the fallback charges now.
    for (let i = 0; i < 200; i++) {
      const s = (await (await fetch(`http://127.0.0.1:${chargingHttp}/state`)).json()) as { evse: { enabled?: boolean } };
      if (s.evse.enabled) break;
      await Bun.sleep(100);
    }
    const charging = await observe(hub.pid, IDLE_WINDOW_S, SPEED);
    print(`hub.disk_write_kb_per_h.charging.${runnerName}.modbus`, charging.kbPerSimHour, "KB/h", 0);
    print(`hub.charging_cpu_pct_one_core_at_${SPEED}x.${runnerName}.modbus`, charging.cpuPct, "%", 2);
    await hub.child.stop();
    await simC.stop();
  }

  // A simulated day: four sessions (plug at 1, 7, 13 and 19 h for 4 h each), everything 2880x faster, polling every
  // simulated minute (48 polls a second). RSS after it against RSS before it, then after a second day: the first day
  // also touches code the idle hub never ran (a session's), the second shows whether anything accumulates.
  if (parts.has("day")) {
    const SPEED = 2880;
    const { sim: simD, simHttp: dayHttp, hub } = await spedUpWorld(runner, `${runnerName}-day`, SPEED, 60_000);
    const rss = () => kb(proc(hub.pid, "status"), "VmRSS") / 1024;
    const anon = () => kb(proc(hub.pid, "status"), "RssAnon") / 1024;
    const [before, anonBefore, c0, t0] = [rss(), anon(), cpuTicks(hub.pid), performance.now()];
    const simHourMs = 3_600_000 / SPEED;
    const day = async (d: number) => {
      for (let s = 0; s < 4; s++) {
        await Bun.sleep(simHourMs * (s === 0 ? 1 : 2));
        await simControl(dayHttp, "/plug", { vin: `1FTFW1E50PFA00${d}0${s}`, socPct: 20, batteryWh: 80_000 });
        await Bun.sleep(simHourMs * 4);
        await simControl(dayHttp, "/unplug");
      }
      await Bun.sleep(simHourMs * 5);
    };
    await day(1);
    const [after, anonAfter] = [rss(), anon()];
    const cpuPct = ((cpuTicks(hub.pid) - c0) / HZ / ((performance.now() - t0) / 1000)) * 100;
    await day(2);
    print(`hub.rss_before_24h_sim_mb.${runnerName}.modbus`, before, "MB");
    print(`hub.rss_after_24h_sim_mb.${runnerName}.modbus`, after, "MB");
    print(`hub.rss_after_48h_sim_mb.${runnerName}.modbus`, rss(), "MB");
    print(`hub.anon_rss_before_24h_sim_mb.${runnerName}.modbus`, anonBefore, "MB");
    print(`hub.anon_rss_after_24h_sim_mb.${runnerName}.modbus`, anonAfter, "MB");
    print(`hub.anon_rss_after_48h_sim_mb.${runnerName}.modbus`, anon(), "MB");
    print(`hub.cpu_pct_one_core_24h_sim_at_${SPEED}x.${runnerName}.modbus`, cpuPct, "%", 1);
    if (!(await fetch(`${hub.url}/healthz`)).ok) throw new Error("the hub did not answer after the simulated day");
    await hub.child.stop();
    await simD.stop();
  }
}
await sim.stop();
rmSync(dir, { recursive: true, force: true });
