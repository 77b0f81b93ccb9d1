// Issue 8 figures: the hub idle — no vehicle — with its three devices polled every second over Modbus TCP against
// the simulator, dashboard on, utility unreachable: resident memory and CPU share of one core over a 20-s window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnOffpeak } from "../system/testing/child-processes.test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-idle-"));
const [simPort, simHttp] = [await freePort(), await freePort()];
const sim = spawnOffpeak("sim", ["sim", "--port", String(simPort), "--http-port", String(simHttp)]);
await sim.waitFor(new RegExp(String(simHttp)), 30_000);
const cfg = join(dir, "hub.toml");
const dev = (unit: number, map: string) => `driver = "modbus"\nmap = "${map}"\ntransport = { kind = "tcp", host = "127.0.0.1", port = ${simPort}, unit_id = ${unit} }\n`;
writeFileSync(cfg, `[hub]\nport = 0\ndata_dir = "${join(dir, "hub")}"\npoll_ms = 1000\n[pevlink]\nport = 0\n[utility]\nurl = "http://127.0.0.1:9"\n` +
  `[devices.charger]\n${dev(1, "offpeak-sim-evse")}[devices.eumd]\n${dev(2, "eastron-sdm120")}[devices.premises_meter]\n${dev(3, "eastron-sdm630")}`);
const hub = spawnOffpeak("hub", ["hub", "--config", cfg]);
const url = (await hub.waitFor(/listening on (http:\/\/[\d.:]+)/, 30_000))[1]!;
await fetch(url + "/healthz");
await Bun.sleep(5000); // settle: first polls, dashboard build check, JIT warm-up

const ticks = () => { const f = readFileSync(`/proc/${hub.proc.pid}/stat`, "utf8").split(") ")[1]!.split(" "); return Number(f[11]) + Number(f[12]); };
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.proc.pid}/status`, "utf8"))![1]) / 1024;
const HZ = 100; // USER_HZ on Linux
const t0 = ticks();
const w0 = performance.now();
const samples: number[] = [];
for (let i = 0; i < 20; i++) { await Bun.sleep(1000); samples.push(rss()); }
const cpuS = (ticks() - t0) / HZ;
const wallS = (performance.now() - w0) / 1000;
const status = await (await fetch(url + "/api/v1/status").catch(() => null))?.status;
console.log(`hub.idle_rss_mb: ${Math.max(...samples).toFixed(1)} MB`);
console.log(`hub.idle_cpu_pct_one_core: ${((cpuS / wallS) * 100).toFixed(2)} %`);
if (status === undefined) console.error("hub did not answer at the end of the window");
await Promise.all([hub.stop(), sim.stop()]);
rmSync(dir, { recursive: true, force: true });
