// How the hub process spends memory: a hub on a Raspberry Pi Zero 2 W shares 512 MB with everything else, for years,
// and spends its life waiting (a poll a second, a request now and then). Figures: docs/raspberry-pi.md "Footprint".

/**
 * JavaScriptCore's JIT tier-up thresholds, multiplied (Bun.unsafe.setJITPolicy). At the normal policy the start's burst
 * of run-once code and then the per-poll code get hot, and compiling them costs more memory (the machine code, and the
 * pages of Bun's executable that hold the optimising compilers) than the CPU it saves a process idle 99 % of the time.
 * Set as early as possible: by scripts/build-pi.ts in the executable (from its first instruction), and by `offpeak hub`
 * before it loads the hub's code (the source run).
 */
export const HUB_JIT_POLICY = 1000;

/**
 * A full garbage collection this often. JavaScriptCore lets its heap grow to about twice what is live before it
 * collects, and keeps the capacity it grew to: with polling the hub's live heap stays at ~10 MB, but the heap swings up
 * to ~18 MB and its capacity to ~25 MB. Collecting every 10 s held RSS flat from a first simulated day to a second
 * (docs/raspberry-pi.md); collecting only once the heap had grown 2 MB saved a little idle CPU but let the second day
 * grow in one run of three. A full collection of the hub's heap takes 4-7 ms on the x64 machine measured.
 */
export const HUB_GC_INTERVAL_MS = 10_000;

/** Starts the periodic full collection; the returned function stops it. */
export function collectGarbagePeriodically(): () => void {
  const timer = setInterval(() => Bun.gc(true), HUB_GC_INTERVAL_MS);
  timer.unref(); // never what keeps the process alive
  return () => clearInterval(timer);
}
