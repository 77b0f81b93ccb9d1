// The demo's clock. At --speed N simulated time runs ahead of real time; a restarted demo must not go back in time
// (the hub's store holds readings and intervals stamped in the future of the wall clock), so the simulated time
// reached is kept in the data directory and the next run continues from it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Clock, processClock, RealClock, ScaledClock } from "../../core/time/index.ts";

const FILE = "sim-clock.json";

export function demoClock(dataDir: string, speed: number, spec: string | undefined = process.env.OFFPEAK_SIM_CLOCK): Clock {
  if (spec) return processClock(spec);
  let reached = 0;
  const file = join(dataDir, FILE);
  if (existsSync(file)) {
    try { reached = Number((JSON.parse(readFileSync(file, "utf8")) as { simMs: number }).simMs) || 0; } catch { reached = 0; }
  }
  const now = Date.now();
  if (speed === 1 && reached <= now) return new RealClock();
  return new ScaledClock(speed, { realMs: now, simMs: Math.max(now, reached) });
}

/** Records the simulated time reached, so the next run starts from there. */
export function saveDemoClock(dataDir: string, clock: Clock): void {
  writeFileSync(join(dataDir, FILE), JSON.stringify({ simMs: clock.nowMs() }));
}
