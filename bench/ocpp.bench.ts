// OCPP figures: 200 simulated charge points connected to ONE hub (a whole hub process, bench/support/ocpp-hub.ts), each
// driven by its own session engine: MeterValues every 10 s, vehicles plugging in and out (transactions starting and
// stopping), each plug-in held through its comm-wait window, falling back and charging, its intervals stored.
// Simulated time runs at OCPP_BENCH_SPEED (default 1: real time, the load a garage puts on a hub); figures are per
// real second of the hub process.
import { ScaledClock } from "../core/time/clock.ts";
import { SimChargePoint } from "../drivers/sim/ocpp-charge-point.ts";

const N = Number(process.env.OCPP_BENCH_CHARGERS ?? 200), SPEED = Number(process.env.OCPP_BENCH_SPEED ?? 1), MEASURE_REAL_S = Number(process.env.OCPP_BENCH_MEASURE_S ?? 60);
const anchor = { realMs: Date.now(), simMs: Date.UTC(2024, 5, 3, 18, 0, 0) };
const clock = new ScaledClock(SPEED, anchor);
const hub = Bun.spawn([process.execPath, "bench/support/ocpp-hub.ts", String(N)], {
  stdout: "pipe", stderr: "inherit", env: { ...process.env, OFFPEAK_SIM_CLOCK: `${SPEED},${anchor.realMs},${anchor.simMs}` },
});
const reader = hub.stdout.getReader();
let buf = "";
const lines: string[] = [];
const pump = (async () => {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += new TextDecoder().decode(value);
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
  }
})();
const until = async (cond: () => boolean, what: string) => {
  const end = performance.now() + 60_000;
  while (!cond()) { if (performance.now() > end) throw new Error(`bench: timed out: ${what}`); await Bun.sleep(20); }
};
await until(() => lines.some((l) => l.startsWith("ready ")), "hub ready");
const port = lines.find((l) => l.startsWith("ready "))!.split(" ")[1];
const cps = Array.from({ length: N }, (_, i) => new SimChargePoint({ url: `ws://127.0.0.1:${port}/ocpp/`, id: `CP${i}`, password: "bench-password-0123", clock }));
for (const cp of cps) await cp.connect();
await until(() => cps.every((cp) => cp.accepted), "all accepted");
// Vehicles: each plugs in for a few simulated minutes, leaves, and comes back.
const cycle = (cp: SimChargePoint, i: number) => {
  clock.setTimeout(async () => {
    if (cp.plugged) await cp.unplug().catch(() => {}); else await cp.plugIn(`VID:${(0xa00000000000 + i).toString(16).toUpperCase()}`).catch(() => {});
    cycle(cp, i);
  }, 20_000 + ((i * 7919) % 100_000));
};
cps.forEach(cycle);
const stats = () => JSON.parse(lines.filter((l) => l.startsWith("{")).at(-1)!) as { in: number; out: number; cpuUs: number; rss: number; connected: number; engines: number; sessions: number; stored: number };
await Bun.sleep(10_000); // past the connection burst
const a = stats(), t0 = performance.now();
await Bun.sleep(MEASURE_REAL_S * 1000);
const b = stats(), dt = (performance.now() - t0) / 1000;
if (b.engines !== N) throw new Error(`bench: the hub runs ${b.engines} engines for ${N} charge points`);
if (b.stored <= a.stored) throw new Error("bench: no session was opened while measuring (the vehicles did not plug in?)");
console.log(`ocpp.chargers: ${b.connected} charge points`);
console.log(`ocpp.engines: ${b.engines} engines`);
console.log(`ocpp.sessions_opened_per_min: ${((b.stored - a.stored) / dt * 60).toFixed(1)} 1/min`);
console.log(`ocpp.messages_per_s: ${Math.round((b.in + b.out - a.in - a.out) / dt)} 1/s`);
console.log(`ocpp.hub_cpu_pct_one_core: ${((b.cpuUs - a.cpuUs) / 1e4 / dt).toFixed(1)} %`);
console.log(`ocpp.hub_rss_mb: ${(b.rss / 1e6).toFixed(1)} MB`);
for (const cp of cps) await cp.stop();
hub.kill("SIGTERM");
await hub.exited;
await pump.catch(() => {});
process.exit(0);
