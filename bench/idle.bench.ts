// Issue 8 figures: the hub idle — no vehicle — with its three devices polled every second over Modbus TCP against
// the simulator, dashboard on, utility unreachable: resident memory and CPU share of one core over a 20-s window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "offpeak-idle-"));
const freePort = () => new Promise<number>((res) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const [simPort, simHttp] = [await freePort(), await freePort()];

async function waitFor(p: Bun.Subprocess<"ignore", "pipe", "pipe">, re: RegExp, what: string): Promise<string> {
  const reader = p.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = re.exec(text);
    if (m) { void (async () => { for (;;) { const r = await reader.read(); if (r.done) break; } })(); return m[1] ?? ""; }
  }
  throw new Error(`${what} did not start: ${text}`);
}

const sim = Bun.spawn([process.execPath, "edge/cli/offpeak.ts", "sim", "--port", String(simPort), "--http-port", String(simHttp)], { stdout: "pipe", stderr: "pipe" });
await waitFor(sim, /(\d+)/, "simulator");
await Bun.sleep(300);
const cfg = join(dir, "hub.toml");
const dev = (unit: number, map: string) => `driver = "modbus"\nmap = "${map}"\ntransport = { kind = "tcp", host = "127.0.0.1", port = ${simPort}, unit_id = ${unit} }\n`;
writeFileSync(cfg, `[hub]\nport = 0\ndata_dir = "${join(dir, "hub")}"\npoll_ms = 1000\n[pevlink]\nport = 0\n[utility]\nurl = "http://127.0.0.1:9"\n` +
  `[devices.charger]\n${dev(1, "offpeak-sim-evse")}[devices.eumd]\n${dev(2, "eastron-sdm120")}[devices.premises_meter]\n${dev(3, "eastron-sdm630")}`);
const hub = Bun.spawn([process.execPath, "edge/cli/offpeak.ts", "hub", "--config", cfg], { stdout: "pipe", stderr: "pipe" });
const url = await waitFor(hub, /listening on (http:\/\/[\d.:]+)/, "hub");
await fetch(url + "/healthz");
await Bun.sleep(5000); // settle: first polls, dashboard build check, JIT warm-up

const ticks = () => { const f = readFileSync(`/proc/${hub.pid}/stat`, "utf8").split(") ")[1]!.split(" "); return Number(f[11]) + Number(f[12]); };
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.pid}/status`, "utf8"))![1]) / 1024;
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
hub.kill("SIGINT");
sim.kill("SIGINT");
await Promise.all([hub.exited, sim.exited]);
rmSync(dir, { recursive: true, force: true });
