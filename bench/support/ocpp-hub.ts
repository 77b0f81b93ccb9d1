// The hub side of bench/ocpp.bench.ts, in its own process so its CPU and RSS are its own: one central system, one
// charger port per charge point doing what the engine would (hold while idle and through a 60 s comm-wait, then allow).
// Prints "ready <port>" and then a JSON line of figures every second of real time.
import { processClock } from "../../core/time/clock.ts";
import { CentralSystem, createOcppCharger } from "../../drivers/ocpp/index.ts";

const n = Number(process.argv[2] ?? 200);
const password = "bench-password-0123";
const clock = processClock(process.env.OFFPEAK_SIM_CLOCK);
const cs = new CentralSystem({
  clock, log: () => {}, port: 0, callTimeoutMs: 30_000,
  chargePoints: Array.from({ length: n }, (_, i) => ({ id: `CP${i}`, securityProfile: 1 as const, password })),
  failSafe: { fallbackLimitA: 16, heartbeatIntervalS: 300, meterValueSampleIntervalS: 10, localAuthorizeOffline: false },
});
cs.start();
for (const s of cs.sessions.values()) {
  const ch = createOcppCharger(s, { clock, log: () => {} });
  let last = "";
  s.listen({
    booted: () => void ch.setEnabled(false).catch(() => {}),
    status: () => {
      void ch.readStatus().then(async (st) => {
        if (st.state === last) return;
        last = st.state;
        if (st.state === "B" && !st.enabled) clock.setTimeout(() => void ch.setCurrentLimit(16).then(() => ch.setEnabled(true)).catch(() => {}), 60_000);
        if (st.state === "A") await ch.setEnabled(false);
      }).catch(() => {});
    },
  });
}
console.log(`ready ${new URL(cs.url).port}`);
setInterval(() => {
  const m = cs.messageCounts();
  console.log(JSON.stringify({ in: m.in, out: m.out, cpuUs: process.cpuUsage().user + process.cpuUsage().system, rss: process.memoryUsage().rss, connected: [...cs.sessions.values()].filter((s) => s.connected).length }));
}, 1000);
