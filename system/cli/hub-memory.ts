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
 * JavaScriptCore lets its heap grow to about twice what is live before it collects, and keeps the capacity it grew to:
 * with polling the hub's live heap stays at ~10 MB, but the heap swings up to ~18 MB and its capacity to ~25 MB. So
 * the hub collects fully once its heap has grown this much since the last collection. Checked every few seconds; an idle
 * hub grows slowly and rarely collects: a full collection takes 4-7 ms here, several times that on a Pi Zero 2 W, too
 * much to pay on a fixed clock.
 */
export const HUB_GC_GROWTH_BYTES = 2 * 2 ** 20;
const HUB_GC_CHECK_MS = 5_000;

/** Starts the collections bounded by HUB_GC_GROWTH_BYTES; the returned function stops them. */
export function collectGarbagePeriodically(): () => void {
  let live = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    if (process.memoryUsage().heapUsed - live < HUB_GC_GROWTH_BYTES) return;
    Bun.gc(true);
    live = process.memoryUsage().heapUsed;
  }, HUB_GC_CHECK_MS);
  timer.unref(); // never what keeps the process alive
  return () => clearInterval(timer);
}
