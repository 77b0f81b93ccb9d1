// Issue 17 figures: how long an EUMD reading takes to reach a subscriber as retained state (goal ≤ 50 ms), and what
// [mqtt] costs a hub process in memory. Uses the Mosquitto on 127.0.0.1:1883, or one of its own when none answers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrivateBroker, SHARED_BROKER } from "../edge/mqtt/broker.test-support.ts";
import { rig } from "../edge/mqtt/rig.test-support.ts";
import { READING_PUBLISH_MIN_MS } from "../edge/mqtt/index.ts";
import { spawnOffpeak } from "../system/testing/child-processes.test-support.ts";
import { connect } from "node:net";

const fmt = (n: number, d = 0) => n.toFixed(d);
const shared = await new Promise<boolean>((resolve) => {
  const s = connect(SHARED_BROKER.port, SHARED_BROKER.host);
  s.once("connect", () => { s.destroy(); resolve(true); });
  s.once("error", () => resolve(false));
});
const own = shared ? null : await PrivateBroker.start();
const url = own?.url ?? `mqtt://${SHARED_BROKER.host}:${SHARED_BROKER.port}`;

// 1. EUMD reading → retained session state at a subscriber. One reading per second, as a hub polls its EUMD: each
//    sample is a poll on the hub's clock, timed until the subscriber holds the session state carrying its energy.
{
  const r = await rig({ url });
  await r.plugAndBind();
  await r.run(5);
  await r.watcher.waitForJson(r.topics.state("session"), (s) => s.bindingState === "bound");
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    await Bun.sleep(READING_PUBLISH_MIN_MS + 20);
    const mark = r.watcher.messages.length;
    const t0 = performance.now();
    await r.clock.advanceAsync(1000, 1000);
    const wh = r.hub.snapshot().session!.metering.totalWh;
    await r.watcher.waitForJson(r.topics.state("session"), (s) => s.energyWh === wh, 5000, mark);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`mqtt.state_to_broker_p50_ms: ${fmt(times[Math.floor(times.length * 0.5)]!, 1)} ms`);
  console.log(`mqtt.state_to_broker_p95_ms: ${fmt(times[Math.floor(times.length * 0.95)]!, 1)} ms`);
  await r.done();
}

// 2. A hub process's RSS with [mqtt] on (connected, discovery and state published) against the same hub without it.
{
  const dir = mkdtempSync(join(tmpdir(), "offpeak-bench-mqtt-"));
  const base = `[pevlink]\nport = 0\n[hub]\nport = 0\n[devices.charger]\ndriver = "none"\n[devices.eumd]\ndriver = "none"\n[devices.premises_meter]\ndriver = "none"\n`;
  const rss = async (name: string, withMqtt: boolean): Promise<number> => {
    const cfg = join(dir, `${name}.toml`);
    writeFileSync(cfg, base.replace("[hub]\n", `[hub]\ndata_dir = "${join(dir, name)}"\n`) + (withMqtt ? `[mqtt]\nurl = "${url}"\nbase_topic = "offpeak-bench/${name}"\ndiscovery_prefix = "ha-bench-${name}"\n` : ""));
    const hub = spawnOffpeak(name, ["hub", "--config", cfg, "--no-sync", "--no-dashboard"]);
    await hub.waitFor(/listening on/);
    if (withMqtt) await hub.waitFor(/mqtt: connected/);
    await Bun.sleep(1500); // let start-up garbage settle the same way in both
    const status = await Bun.file(`/proc/${hub.proc.pid}/status`).text();
    await hub.stop();
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };
  const without: number[] = [];
  const withIt: number[] = [];
  for (let i = 0; i < 3; i++) { without.push(await rss(`plain${i}`, false)); withIt.push(await rss(`mqtt${i}`, true)); }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
  console.log(`mqtt.hub_rss_without_mb: ${fmt(median(without), 1)} MB`);
  console.log(`mqtt.hub_extra_rss_mb: ${fmt(median(withIt) - median(without), 1)} MB`);
  // Clear what the bench hubs left retained on the broker.
  const { removeFromBroker } = await import("../edge/mqtt/index.ts");
  for (let i = 0; i < 3; i++) await removeFromBroker({ config: { url, base_topic: `offpeak-bench/mqtt${i}`, discovery_prefix: `ha-bench-mqtt${i}`, commands: false, enabled: false }, hubId: "HUB-DEMO-1", log: () => {} }, 3000);
  rmSync(dir, { recursive: true, force: true });
}
await own?.close();
process.exit(0);
